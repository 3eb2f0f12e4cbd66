/* suite/build/server_stats [--interval-ms N] [--count N] URL PROGRAM: prints
 * "PSS_BYTES RSS_BYTES CPU_SECONDS" for PROGRAM's process group every N ms
 * (default 1000), as the supervisord at URL sees it through the kit's
 * wsstats extension. ./runtest --server-stats reads these lines: it is how
 * a server on another machine is sampled. Credentials come from
 * SUPERVISOR_USERNAME and SUPERVISOR_PASSWORD. */
#include "config.h"
#include "supervisor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RPC_TIMEOUT_MS 5000
/* A supervisord busy for a moment is not a failure; this many in a row is. */
#define MAX_MISSES 5

static void usage(FILE *f)
{
    fprintf(f, "usage: server_stats [--interval-ms N] [--count N] URL PROGRAM\n"
               "  prints 'PSS_BYTES RSS_BYTES CPU_SECONDS' of PROGRAM's process group every\n"
               "  N ms (default 1000), COUNT times (default: until stopped), from the\n"
               "  supervisord at URL (its wsstats extension: competition/wsstats)\n");
}

int main(int argc, char **argv)
{
    long interval_ms = 1000, count = 0;
    const char *pos[2];
    int n_pos = 0;
    for (int i = 1; i < argc; i++) {
        long *target = !strcmp(argv[i], "--interval-ms") ? &interval_ms
                       : !strcmp(argv[i], "--count")     ? &count
                                                         : NULL;
        if (target) {
            if (i + 1 == argc || config_parse_long(argv[i + 1], 1, 86400000, target) < 0) {
                fprintf(stderr, "server_stats: %s: expected an integer 1..86400000, got '%s'\n",
                        argv[i], i + 1 < argc ? argv[i + 1] : "");
                return 2;
            }
            i++;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' || n_pos == 2) {
            fprintf(stderr, "server_stats: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            pos[n_pos++] = argv[i];
        }
    }
    if (n_pos != 2) {
        usage(stderr);
        return 2;
    }
    char err[1024];
    struct sup *sup = sup_open(pos[0], getenv("SUPERVISOR_USERNAME"),
                               getenv("SUPERVISOR_PASSWORD"), RPC_TIMEOUT_MS, err, sizeof(err));
    if (!sup) {
        fprintf(stderr, "server_stats: %s\n", err);
        return 1;
    }
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    int rc = 0, misses = 0;
    for (long done = 0; !count || done < count;) {
        struct sup_stats st;
        if (sup_group_stats(sup, pos[1], &st, err, sizeof(err)) == 0) {
            misses = 0;
            done++;
            if (printf("%lld %lld %.3f\n", st.pss_bytes, st.rss_bytes, st.cpu_seconds) < 0 ||
                fflush(stdout) != 0)
                break;          /* the reader has gone */
        } else if (sup_last_fault(sup) != 0 || ++misses == MAX_MISSES) {
            /* A fault (no such program, not running, no extension) will
             * not mend by asking again; a transport error may. */
            fprintf(stderr, "server_stats: %s: %s\n", pos[0], err);
            rc = 1;
            break;
        }
        if (count && done == count)
            break;
        next.tv_nsec += (interval_ms % 1000) * 1000000L;
        next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000L;
        next.tv_nsec %= 1000000000L;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
            ;
    }
    sup_close(sup);
    return rc;
}
