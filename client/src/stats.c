#include "stats.h"

#include <stdlib.h>
#include <string.h>

int64_t stats_percentile(const int64_t *sorted, size_t n, uint32_t p_milli)
{
    if (n == 0)
        return 0;
    uint64_t rank = ((uint64_t)p_milli * n + 99999) / 100000;
    if (rank == 0)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void stats_summarize(int64_t *v, size_t n, struct stats_summary *s)
{
    memset(s, 0, sizeof *s);
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, cmp_i64);
    long double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    s->count = n;
    s->min = v[0];
    s->max = v[n - 1];
    s->mean = (double)(sum / n);
    s->p50 = stats_percentile(v, n, 50000);
    s->p90 = stats_percentile(v, n, 90000);
    s->p99 = stats_percentile(v, n, 99000);
    s->p999 = stats_percentile(v, n, 99900);
}

int stats_vec_push(struct stats_vec *a, int64_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        int64_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

void stats_vec_free(struct stats_vec *a)
{
    free(a->v);
    memset(a, 0, sizeof *a);
}
