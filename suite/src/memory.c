#include "memory.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 4

static long long process_pss(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    long long kb = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "Pss: %lld kB", &kb) == 1)
            break;
    fclose(f);
    return kb < 0 ? -1 : kb * 1024;
}

static long long tree_pss(int pid, int depth)
{
    long long total = process_pss(pid);
    if (total < 0 || depth >= MAX_DEPTH)
        return total;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return total;
    struct dirent *e;
    /* Children hang off the thread that forked them. */
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char cpath[128];
        snprintf(cpath, sizeof(cpath), "/proc/%d/task/%d/children", pid, atoi(e->d_name));
        FILE *f = fopen(cpath, "re");
        if (!f)
            continue;
        int child;
        while (fscanf(f, "%d", &child) == 1) {
            long long c = tree_pss(child, depth + 1);
            if (c > 0)
                total += c;
        }
        fclose(f);
    }
    closedir(d);
    return total;
}

long long memory_tree_pss(int pid)
{
    return tree_pss(pid, 0);
}
