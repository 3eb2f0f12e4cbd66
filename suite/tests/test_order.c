/* The run order: track by track, the config's order without repeats; with
 * repeats, in each repeat the servers of each track in a permutation that
 * the logged seed reproduces, the tracks kept in their order. */
#include "suite.h"
#include "check.h"

#include <stdio.h>
#include <string.h>

/* a[lo..hi) is a permutation of lo..hi-1. */
static int is_permutation(const int *a, int lo, int hi)
{
    int seen[64] = { 0 };
    for (int i = lo; i < hi; i++) {
        if (a[i] < lo || a[i] >= hi || seen[a[i]])
            return 0;
        seen[a[i]] = 1;
    }
    return 1;
}

int main(void)
{
    int a[64], b[64], c[64];
    static const int one_group[5] = { 0, 0, 0, 0, 0 };
    suite_order(one_group, 5, 1, 99, a);
    int identity = 1;
    for (int i = 0; i < 5; i++)
        identity &= a[i] == i;
    CHECK(identity, "repeat=1 keeps the config order whatever the seed");

    /* 2 tracks x 3 servers, 3 repeats: units 0-2 track A, 3-5 track B. */
    static const int two[6] = { 0, 0, 0, 4, 4, 4 };
    suite_order(two, 6, 3, 12345, a);
    suite_order(two, 6, 3, 12345, b);
    int kept = 1;
    for (int k = 0; k < 3; k++)
        kept &= is_permutation(a + 6 * k, 0, 3) && is_permutation(a + 6 * k, 3, 6);
    CHECK(kept, "each repeat runs every unit once, each track's servers together, tracks in order");
    CHECK(!memcmp(a, b, 18 * sizeof(int)), "the same seed gives the same order");
    CHECK(memcmp(a, a + 6, 6 * sizeof(int)) || memcmp(a + 6, a + 12, 6 * sizeof(int)),
          "the repeats are not all in one order");

    /* Some seed among a few must move something, or nothing is shuffled. */
    int moved = 0, differs = 0;
    for (unsigned long seed = 1; seed <= 8; seed++) {
        suite_order(two, 6, 3, seed, c);
        for (int i = 0; i < 18; i++)
            moved |= c[i] != i % 6;
        differs |= memcmp(a, c, 18 * sizeof(int)) != 0;
    }
    CHECK(moved && differs, "other seeds give other orders");

    /* A group of one never moves. */
    static const int singles[3] = { 0, 1, 2 };
    suite_order(singles, 3, 4, 5, c);
    int still = 1;
    for (int i = 0; i < 12; i++)
        still &= c[i] == i % 3;
    CHECK(still, "one server per track: the order stays");

    /* A fixed generator: this order is what seed 7 gives on every machine
     * (a changed generator would silently change logged runs' orders). */
    static const int g3[3] = { 0, 0, 0 };
    suite_order(g3, 3, 2, 7, c);
    static const int seed7[6] = { 1, 2, 0, 2, 1, 0 };
    CHECK(!memcmp(c, seed7, sizeof(seed7)), "seed 7: %d %d %d | %d %d %d", c[0], c[1], c[2],
          c[3], c[4], c[5]);
    return check_done("test_order");
}
