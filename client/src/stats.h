/* Summaries of measured times: exact percentiles by nearest rank over the
 * sorted values (no histogram, so no approximation error). */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats_summary {
    uint64_t count;
    int64_t min, max;
    double mean;
    int64_t p50, p90, p99, p999;
};

/* The nearest-rank percentile of sorted[0..n): the value at rank
 * ceil(p / 100 * n), 1-based, p given in thousandths of a percent
 * (99.9% = 99900). 0 for an empty set. */
int64_t stats_percentile(const int64_t *sorted, size_t n, uint32_t p_milli);

/* Sorts v[0..n) in place and summarizes it; all zero when n is 0. */
void stats_summarize(int64_t *v, size_t n, struct stats_summary *s);

/* A growable array of values; grows by doubling, off the hot path. */
struct stats_vec {
    int64_t *v;
    size_t n, cap;
};

/* Returns 0, or -1 when out of memory. */
int stats_vec_push(struct stats_vec *a, int64_t x);
void stats_vec_free(struct stats_vec *a);

#endif
