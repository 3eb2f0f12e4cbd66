#include "tsung_log.h"

#include <string.h>

static struct tsung_counter *slot(struct tsung_log *l, const char *name)
{
    for (unsigned i = 0; i < l->n; i++)
        if (strcmp(l->c[i].name, name) == 0)
            return &l->c[i];
    if (l->n >= TLOG_MAX)
        return NULL;
    struct tsung_counter *c = &l->c[l->n++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->total = 0;
    return c;
}

int tsung_log_read(FILE *f, struct tsung_log *l)
{
    char line[1024];
    memset(l, 0, sizeof *l);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "EndMonitor", 10) == 0) {
            l->saw_end = 1;
            continue;
        }
        char name[64], extra[8];
        long long a, b;
        /* exactly two numbers after a plain name: a counter */
        if (sscanf(line, "stats: %63[a-z_0-9] %lld %lld %7s", name, &a, &b, extra) == 3) {
            struct tsung_counter *c = slot(l, name);
            if (c)
                c->total = b;
        }
    }
    return 0;
}

int64_t tsung_log_get(const struct tsung_log *l, const char *name)
{
    for (unsigned i = 0; i < l->n; i++)
        if (strcmp(l->c[i].name, name) == 0)
            return l->c[i].total;
    return 0;
}
