/* Nearest-rank percentiles against figures computed by hand. */
#include "check.h"
#include "stats.h"

int main(void)
{
    struct stats_summary s;

    /* 1..10 shuffled */
    int64_t v[] = {7, 3, 10, 1, 9, 2, 8, 5, 6, 4};
    stats_summarize(v, 10, &s);
    /* rank ceil(p*n): p50 -> 5th, p90 -> 9th, p99 -> 10th (ceil 9.9), p99.9 -> 10th */
    CHECK(s.count == 10 && s.min == 1 && s.max == 10);
    CHECK(s.mean == 5.5);
    CHECK(s.p50 == 5 && s.p90 == 9 && s.p99 == 10 && s.p999 == 10);

    /* 1000 values 1..1000: p99.9 is the 999th */
    static int64_t w[1000];
    for (int i = 0; i < 1000; i++)
        w[i] = 1000 - i;
    stats_summarize(w, 1000, &s);
    CHECK(s.p50 == 500 && s.p90 == 900 && s.p99 == 990 && s.p999 == 999 && s.max == 1000);

    /* 1001 values: ranks round up */
    static int64_t x[1001];
    for (int i = 0; i < 1001; i++)
        x[i] = i * 2;    /* 0, 2, ..., 2000 */
    stats_summarize(x, 1001, &s);
    /* p50: ceil(500.5) = 501st = 1000; p99: ceil(990.99) = 991st = 1980 */
    /* p99.9: ceil(999.999) = 1000th = 1998, one below the max */
    CHECK(s.p50 == 1000 && s.p99 == 1980 && s.p999 == 1998 && s.max == 2000);
    CHECK(stats_percentile(x, 1001, 0) == 0 && stats_percentile(x, 1001, 100000) == 2000);

    /* one value, and none */
    int64_t one = 42;
    stats_summarize(&one, 1, &s);
    CHECK(s.min == 42 && s.p50 == 42 && s.p999 == 42 && s.max == 42 && s.mean == 42.0);
    stats_summarize(NULL, 0, &s);
    CHECK(s.count == 0 && s.p99 == 0);

    /* duplicates and negatives */
    int64_t d[] = {5, -3, 5, 5, 0};
    stats_summarize(d, 5, &s);
    CHECK(s.min == -3 && s.p50 == 5 && s.max == 5 && s.mean == 12.0 / 5);

    /* growable vector */
    struct stats_vec a = {0};
    for (int i = 0; i < 5000; i++)
        CHECK(stats_vec_push(&a, i) == 0);
    CHECK(a.n == 5000 && a.v[4999] == 4999);
    stats_vec_free(&a);
    return check_done("test_stats");
}
