/* fig_check_noisy's verdicts: a figure and its second measure both at or
 * below their noise (a negative growth too: the server shrank) cannot be
 * told apart; above the noise the 10% rule decides. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "figures.h"

static int verdict(double v, double second)
{
    struct figures *fs = calloc(1, sizeof *fs);
    fig_num(fs, "pss", v);
    fig_check_noisy(fs, "pss", "second", second, 40.0, 40.0);
    int agree = fs->checks[0].agree;
    free(fs);
    return agree;
}

int main(void)
{
    CHECK(verdict(20, 0) == -1, "both within the noise: cannot tell");
    CHECK(verdict(-300, 0) == -1, "a negative growth is within the noise: cannot tell");
    CHECK(verdict(20, -120) == -1, "a negative second measure likewise");
    CHECK(verdict(20, 500) == 0, "the second above its noise: a verdict, not within 10%%");
    CHECK(verdict(1000, 1050) == 1, "both above: within 10%%");
    CHECK(verdict(1000, 1200) == 0, "both above: not within 10%%");
    CHECK(verdict(NAN, 10) == -1, "no figure: cannot tell");
    return check_done("test_figures_check");
}
