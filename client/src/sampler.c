#include "sampler.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a small /proc file whole into buf (NUL-terminated); the length, or
 * -1 with errno. One open, one read: this runs for every process a second. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = 0;
    while (n < cap - 1) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    return (ssize_t)n;
}

/* The number after "\n<key>" (key includes its colon) in a /proc text. */
static long long field_after(const char *buf, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = buf; (p = strstr(p, key)); p += kl)
        if (p == buf || p[-1] == '\n')
            return atoll(p + kl);
    return -1;
}

int sampler_sched(pid_t pid, int64_t *run_ns, int64_t *wait_ns)
{
    char path[64], buf[128];
    long long run, wait;
    snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
    *run_ns = *wait_ns = -1;
    if (read_small(path, buf, sizeof buf) < 0 || sscanf(buf, "%lld %lld", &run, &wait) != 2)
        return -1;
    *run_ns = run;
    *wait_ns = wait;
    return 0;
}

int64_t sampler_cpu_ns(pid_t pid)
{
    int64_t run, wait;
    sampler_sched(pid, &run, &wait);
    return run;
}

/* Rss, Pss and Anonymous in bytes from smaps_rollup (one read gives all
 * three); -1 with errno when unreadable. */
static int read_memory(pid_t pid, int64_t *rss, int64_t *pss, int64_t *anon)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    if (read_small(path, buf, sizeof buf) < 0)
        return -1;
    long long r = field_after(buf, "Rss:"), p = field_after(buf, "Pss:"),
              a = field_after(buf, "Anonymous:");
    /* A process without memory (exiting) has no fields: it holds nothing. */
    *rss = r < 0 ? 0 : r * 1024;
    *pss = p < 0 ? 0 : p * 1024;
    *anon = a < 0 ? 0 : a * 1024;
    return 0;
}

void sampler_memory(pid_t pid, int64_t *rss, int64_t *pss)
{
    int64_t anon;
    if (read_memory(pid, rss, pss, &anon) < 0)
        *rss = *pss = -1;
}

/* state, pgrp, utime and stime of /proc/PID/stat; the command name may
 * hold spaces and parentheses, so fields are counted from the last ')'.
 * Returns 0, or -1 with errno (EINVAL for a line it cannot parse). */
static int read_stat(const char *pid, char *state, long *pgrp, unsigned long long *ticks)
{
    char path[300], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    if (read_small(path, buf, sizeof buf) < 0)
        return -1;
    char *p = strrchr(buf, ')');
    long ppid, grp;
    unsigned long long ut, st;
    /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (!p || sscanf(p + 1, " %c %ld %ld %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                     state, &ppid, &grp, &ut, &st) != 5) {
        errno = EINVAL;
        return -1;
    }
    *pgrp = grp;
    *ticks = ut + st;
    return 0;
}

/* Gone while we looked: not an error, the process is simply not counted. */
static bool exited(int err)
{
    return err == ENOENT || err == ESRCH;
}

int sampler_group_read(pid_t pid, struct sampler_group *g, char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    pid_t pgid = getpgid(pid);
    if (pgid < 0) {
        snprintf(err, errlen, "process %d: %s", (int)pid, strerror(errno));
        return SAMPLER_GONE;
    }
    DIR *d = opendir("/proc");
    if (!d) {
        snprintf(err, errlen, "/proc: %s", strerror(errno));
        return SAMPLER_FAILED;
    }
    long hz = sysconf(_SC_CLK_TCK);
    unsigned long long ticks_sum = 0;
    int rc = SAMPLER_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char state;
        long grp;
        unsigned long long ticks;
        if (read_stat(e->d_name, &state, &grp, &ticks) < 0) {
            if (exited(errno))
                continue;
            snprintf(err, errlen, "/proc/%s/stat: %s", e->d_name, strerror(errno));
            rc = SAMPLER_FAILED;
            break;
        }
        if (grp != pgid || state == 'Z')
            continue;
        int64_t r, p, a;
        if (read_memory((pid_t)atol(e->d_name), &r, &p, &a) < 0) {
            if (exited(errno))
                continue;
            snprintf(err, errlen, "/proc/%s/smaps_rollup: %s", e->d_name, strerror(errno));
            rc = SAMPLER_FAILED;
            break;
        }
        g->rss_bytes += r;
        g->pss_bytes += p;
        g->anon_bytes += a;
        ticks_sum += ticks;
        g->processes++;
    }
    closedir(d);
    if (rc == SAMPLER_OK && g->processes == 0) {
        snprintf(err, errlen, "process group %d: no live process", (int)pgid);
        rc = SAMPLER_GONE;
    }
    g->cpu_seconds = (double)ticks_sum / (double)(hz > 0 ? hz : 100);
    return rc;
}

void sampler_group(pid_t pid, int64_t *pss, int64_t *rss, double *cpu_s)
{
    struct sampler_group g;
    char err[256];
    if (sampler_group_read(pid, &g, err, sizeof err) != SAMPLER_OK) {
        *pss = *rss = -1;
        *cpu_s = -1;
        return;
    }
    *pss = g.pss_bytes;
    *rss = g.rss_bytes;
    *cpu_s = g.cpu_seconds;
}

int sampler_machine_cpu(uint64_t *total, uint64_t *idle)
{
    char buf[512];
    unsigned long long v[8] = {0};
    if (read_small("/proc/stat", buf, sizeof buf) < 0 ||
        sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
               &v[3], &v[4], &v[5], &v[6], &v[7]) < 5)
        return -1;
    /* user nice system idle iowait irq softirq steal (guest time is in user) */
    *total = 0;
    for (int i = 0; i < 8; i++)
        *total += v[i];
    *idle = v[3] + v[4];
    return 0;
}

int64_t sampler_slab_bytes(void)
{
    char buf[8192];
    if (read_small("/proc/meminfo", buf, sizeof buf) < 0)
        return -1;
    long long kb = field_after(buf, "Slab:");
    return kb < 0 ? -1 : kb * 1024;
}

/* "TCP: inuse N orphan N tw N alloc N mem N" of /proc/net/sockstat. */
static void read_sockstat(struct sampler_kernel *k)
{
    char buf[1024];
    long long v[5];
    const char *tcp = read_small("/proc/net/sockstat", buf, sizeof buf) < 0 ? NULL : strstr(buf, "\nTCP:");
    if (tcp && sscanf(tcp, "\nTCP: inuse %lld orphan %lld tw %lld alloc %lld mem %lld",
                      &v[0], &v[1], &v[2], &v[3], &v[4]) == 5) {
        k->tcp_inuse = v[0], k->tcp_orphan = v[1], k->tcp_tw = v[2];
        k->tcp_alloc = v[3], k->tcp_mem_pages = v[4];
    }
}

int64_t sampler_tcp_mem_pages(void)
{
    struct sampler_kernel k = {.tcp_mem_pages = -1};
    read_sockstat(&k);
    return k.tcp_mem_pages;
}

void sampler_listen_counters(int64_t *overflows, int64_t *drops)
{
    *overflows = *drops = -1;
    FILE *f = fopen("/proc/net/netstat", "re");
    if (!f)
        return;
    /* Pairs of lines: "TcpExt: Name Name ..." then "TcpExt: 1 2 ...". */
    static char names[8192], values[8192];
    while (fgets(names, sizeof names, f) && fgets(values, sizeof values, f)) {
        if (strncmp(names, "TcpExt:", 7) != 0)
            continue;
        char *sn, *sv;
        char *n = strtok_r(names + 7, " \n", &sn);
        char *v = strtok_r(values + 7, " \n", &sv);
        while (n && v) {
            if (strcmp(n, "ListenOverflows") == 0)
                *overflows = atoll(v);
            else if (strcmp(n, "ListenDrops") == 0)
                *drops = atoll(v);
            n = strtok_r(NULL, " \n", &sn);
            v = strtok_r(NULL, " \n", &sv);
        }
    }
    fclose(f);
}

const char SAMPLER_KERNEL_FIELDS[] =
    "mem_total_kb,mem_free_kb,mem_available_kb,slab_kb,sreclaimable_kb,sunreclaim_kb,"
    "page_tables_kb,tcp_inuse,tcp_orphan,tcp_tw,tcp_alloc,tcp_mem_pages,softnet_dropped,"
    "listen_overflows,listen_drops";

/* The second column of /proc/net/softnet_stat (packets dropped because a
 * CPU's backlog was full), in hex, summed over the CPUs. */
static int64_t softnet_dropped(void)
{
    char buf[16384];
    if (read_small("/proc/net/softnet_stat", buf, sizeof buf) < 0)
        return -1;
    int64_t sum = 0;
    for (char *line = buf; *line; ) {
        unsigned long long processed, dropped;
        if (sscanf(line, "%llx %llx", &processed, &dropped) != 2)
            return -1;
        sum += (int64_t)dropped;
        char *eol = strchr(line, '\n');
        if (!eol)
            break;
        line = eol + 1;
    }
    return sum;
}

void sampler_kernel_read(struct sampler_kernel *k)
{
    char buf[8192];
    bool mi = read_small("/proc/meminfo", buf, sizeof buf) >= 0;
    k->mem_total_kb = mi ? field_after(buf, "MemTotal:") : -1;
    k->mem_free_kb = mi ? field_after(buf, "MemFree:") : -1;
    k->mem_available_kb = mi ? field_after(buf, "MemAvailable:") : -1;
    k->slab_kb = mi ? field_after(buf, "Slab:") : -1;
    k->sreclaimable_kb = mi ? field_after(buf, "SReclaimable:") : -1;
    k->sunreclaim_kb = mi ? field_after(buf, "SUnreclaim:") : -1;
    k->page_tables_kb = mi ? field_after(buf, "PageTables:") : -1;
    k->tcp_inuse = k->tcp_orphan = k->tcp_tw = k->tcp_alloc = k->tcp_mem_pages = -1;
    read_sockstat(k);
    k->softnet_dropped = softnet_dropped();
    sampler_listen_counters(&k->listen_overflows, &k->listen_drops);
}

void sampler_cpu_model(char *out, size_t len)
{
    snprintf(out, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "re");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            colon++;
            while (*colon == ' ')
                colon++;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(out, len, "%s", colon);
            break;
        }
    }
    fclose(f);
}
