/* procstat [--interval-ms N] [--count N] [--processes] [--anonymous] PID:
 * the memory and CPU of PID's whole process group, one line "PSS_BYTES
 * RSS_BYTES CPU_SECONDS" per reading (then the live processes with
 * --processes, then ANON_BYTES with --anonymous), from the client's sampler (sampler.c), for
 * scripts and supervisord's wsstats: the one sampler behind every memory
 * figure the kit publishes. The line is what `runtest --server-stats`
 * reads. Exit status: 0 after --count readings, 1 when the group is gone
 * (or was never there), 3 when one of its processes may not be read, 2 for
 * bad arguments.
 * procstat --kernel [--interval-ms N] [--count N]: the machine's kernel side
 * instead (memory by kind, TCP sockets, drops), as CSV under a header line,
 * each row led by the wall-clock time in ms: what bench/c1m records. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sampler.h"

enum { EXIT_GONE = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

static void usage(FILE *f)
{
    fprintf(f, "usage: procstat [--interval-ms N] [--count N] [--processes] [--anonymous] PID\n"
               "       procstat --kernel [--interval-ms N] [--count N]\n"
               "  prints 'PSS_BYTES RSS_BYTES CPU_SECONDS' of PID's process group, one\n"
               "  line per reading (default: one a second until the group is gone);\n"
               "  --processes adds a column, the number of live processes, then\n"
               "  --anonymous one more, ANON_BYTES (smaps_rollup Anonymous)\n"
               "  --kernel prints CSV instead: a header, then per reading unix_ms and\n"
               "  /proc/meminfo, /proc/net/sockstat, softnet_stat and netstat figures\n"
               "  exit 1: no such process, 3: a process may not be read, 2: bad arguments\n");
}

static bool number(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static void print_kernel(void)
{
    struct sampler_kernel k;
    struct timespec now;
    sampler_kernel_read(&k);
    clock_gettime(CLOCK_REALTIME, &now);  /* a label to line up with other records */
    printf("%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld\n",
           (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000,
           (long long)k.mem_total_kb, (long long)k.mem_free_kb, (long long)k.mem_available_kb,
           (long long)k.slab_kb, (long long)k.sreclaimable_kb, (long long)k.sunreclaim_kb,
           (long long)k.page_tables_kb, (long long)k.tcp_inuse, (long long)k.tcp_orphan,
           (long long)k.tcp_tw, (long long)k.tcp_alloc, (long long)k.tcp_mem_pages,
           (long long)k.softnet_dropped, (long long)k.listen_overflows, (long long)k.listen_drops);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    long interval_ms = 1000, count = 0, pid = 0;
    bool processes = false, anonymous = false, kernel = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--processes")) {
            processes = true;
        } else if (!strcmp(a, "--anonymous")) {
            anonymous = true;
        } else if (!strcmp(a, "--kernel")) {
            kernel = true;
        } else if (!strcmp(a, "--interval-ms") && i + 1 < argc) {
            if (!number(argv[++i], 1, 3600000, &interval_ms)) {
                fprintf(stderr, "procstat: --interval-ms: expected 1..3600000, got '%s'\n", argv[i]);
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--count") && i + 1 < argc) {
            if (!number(argv[++i], 1, 1000000000, &count)) {
                fprintf(stderr, "procstat: --count: expected 1..1000000000, got '%s'\n", argv[i]);
                return EXIT_USAGE;
            }
        } else if (a[0] != '-' && !pid) {
            if (!number(a, 1, 4194304, &pid)) {
                fprintf(stderr, "procstat: PID: expected a process id, got '%s'\n", a);
                return EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "procstat: unexpected argument '%s'\n", a);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (kernel == (pid != 0)) {
        fprintf(stderr, "procstat: %s\n", kernel ? "--kernel takes no PID" : "a PID (or --kernel) is required");
        usage(stderr);
        return EXIT_USAGE;
    }
    if (kernel)
        printf("unix_ms,%s\n", SAMPLER_KERNEL_FIELDS);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long n = 0; !count || n < count; n++) {
        if (n) {
            next.tv_sec += interval_ms / 1000;
            next.tv_nsec += (interval_ms % 1000) * 1000000;
            if (next.tv_nsec >= 1000000000) {
                next.tv_sec++;
                next.tv_nsec -= 1000000000;
            }
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
                ;
        }
        if (kernel) {
            print_kernel();
            continue;
        }
        struct sampler_group g;
        char err[512];
        int r = sampler_group_read((pid_t)pid, &g, err, sizeof err);
        if (r != SAMPLER_OK) {
            fprintf(stderr, "procstat: %s\n", err);
            return r == SAMPLER_GONE ? EXIT_GONE : EXIT_FAILED;
        }
        printf("%lld %lld %.3f", (long long)g.pss_bytes, (long long)g.rss_bytes, g.cpu_seconds);
        if (processes)
            printf(" %u", g.processes);
        if (anonymous)
            printf(" %lld", (long long)g.anon_bytes);
        putchar('\n');
        fflush(stdout);           /* a reader that went away ends us by SIGPIPE */
    }
    return 0;
}
