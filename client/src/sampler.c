#include "sampler.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t sampler_cpu_ns(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    long long ns;
    int ok = fscanf(f, "%lld", &ns) == 1;
    fclose(f);
    return ok ? ns : -1;
}

void sampler_memory(pid_t pid, int64_t *rss, int64_t *pss)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    *rss = *pss = -1;
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        long long kb;
        if (sscanf(line, "Rss: %lld kB", &kb) == 1)
            *rss = kb * 1024;
        else if (sscanf(line, "Pss: %lld kB", &kb) == 1)
            *pss = kb * 1024;
    }
    fclose(f);
}

/* pgrp, utime and stime of /proc/PID/stat; the command name may hold
 * spaces and parentheses, so fields are counted from the last ')'. */
static int read_stat(const char *pid, long *pgrp, unsigned long long *ticks)
{
    char path[300], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    char state;
    long ppid, grp;
    unsigned long long ut, st;
    /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (sscanf(p + 1, " %c %ld %ld %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &state, &ppid, &grp, &ut, &st) != 5)
        return -1;
    *pgrp = grp;
    *ticks = ut + st;
    return 0;
}

void sampler_group(pid_t pid, int64_t *pss, int64_t *rss, double *cpu_s)
{
    *pss = *rss = -1;
    *cpu_s = -1;
    pid_t pgid = getpgid(pid);
    if (pgid < 0)
        return;
    DIR *d = opendir("/proc");
    if (!d)
        return;
    long hz = sysconf(_SC_CLK_TCK);
    unsigned long long ticks_sum = 0;
    int64_t pss_sum = 0, rss_sum = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        long grp;
        unsigned long long ticks;
        if (read_stat(e->d_name, &grp, &ticks) < 0 || grp != pgid)
            continue;
        int64_t r, p;
        sampler_memory((pid_t)atol(e->d_name), &r, &p);
        if (r > 0)
            rss_sum += r;
        if (p > 0)
            pss_sum += p;
        ticks_sum += ticks;
    }
    closedir(d);
    *pss = pss_sum;
    *rss = rss_sum;
    *cpu_s = (double)ticks_sum / (double)(hz > 0 ? hz : 100);
}

int64_t sampler_tcp_mem_pages(void)
{
    FILE *f = fopen("/proc/net/sockstat", "re");
    if (!f)
        return -1;
    char line[256];
    int64_t mem = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "TCP:", 4) != 0)
            continue;
        char *m = strstr(line, " mem ");
        if (m)
            mem = atoll(m + 5);
    }
    fclose(f);
    return mem;
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
