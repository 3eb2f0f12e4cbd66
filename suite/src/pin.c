#include "pin.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 4

static int pin_tree(int pid, const cpu_set_t *cpus, int depth, char *err, size_t errlen)
{
    char path[96];
    snprintf(path, sizeof(path), "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int pinned = 0;
    struct dirent *e;
    /* sched_setaffinity takes one thread id; threads started later inherit. */
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        int tid = atoi(e->d_name);
        if (sched_setaffinity(tid, sizeof(*cpus), cpus) < 0) {
            if (errno == ESRCH)
                continue;       /* the thread just ended */
            snprintf(err, errlen, "sched_setaffinity(%d): %s", tid, strerror(errno));
            closedir(d);
            return -1;
        }
        pinned++;
        if (depth >= MAX_DEPTH)
            continue;
        char cpath[128];
        snprintf(cpath, sizeof(cpath), "/proc/%d/task/%d/children", pid, tid);
        FILE *f = fopen(cpath, "re");
        if (!f)
            continue;
        int child;
        while (fscanf(f, "%d", &child) == 1) {
            int n = pin_tree(child, cpus, depth + 1, err, errlen);
            if (n < 0) {
                fclose(f);
                closedir(d);
                return -1;
            }
            pinned += n;
        }
        fclose(f);
    }
    closedir(d);
    return pinned;
}

int pin_process_tree(int pid, const cpu_set_t *cpus, char *err, size_t errlen)
{
    return pin_tree(pid, cpus, 0, err, errlen);
}
