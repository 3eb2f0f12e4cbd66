/* The reading format of --server-stats: three non-negative numbers, nothing
 * else on the line. */
#include "check.h"
#include "stats_cmd.h"

int main(void)
{
    struct stats_reading r;

    /* good lines */
    CHECK(stats_cmd_parse("1875968 7352320 0.000", &r) == 0);
    CHECK(r.pss_bytes == 1875968 && r.rss_bytes == 7352320 && r.cpu_seconds == 0.0);
    CHECK(stats_cmd_parse("0 0 12.5 ", &r) == 0 && r.cpu_seconds == 12.5);
    CHECK(stats_cmd_parse("5000000000 6000000000 3", &r) == 0 && r.pss_bytes == 5000000000LL);

    /* bad lines are refused */
    const char *bad[] = { "", "hello", "1 2", "1 2 3 4", "-1 2 3", "1 -2 3", "1 2 -3",
                          "1 2 nan", "1 2 3x", "1x 2 3", "1,2,3" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(stats_cmd_parse(bad[i], &r) == -1);
    return check_done("test_stats_cmd");
}
