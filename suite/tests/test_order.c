/* The run order: in config order without repeats; with repeats a
 * permutation that the logged seed reproduces. */
#include "suite.h"

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...) do { \
    if (cond) { printf("ok   "); printf(__VA_ARGS__); printf("\n"); } \
    else { printf("FAIL "); printf(__VA_ARGS__); printf("  (%s:%d)\n", __FILE__, __LINE__); failures++; } \
} while (0)

static int is_permutation(const int *a, int n)
{
    int seen[64] = { 0 };
    for (int i = 0; i < n; i++) {
        if (a[i] < 0 || a[i] >= n || seen[a[i]])
            return 0;
        seen[a[i]] = 1;
    }
    return 1;
}

int main(void)
{
    int a[64], b[64], c[64];
    suite_order(5, 1, 99, a);
    int identity = 1;
    for (int i = 0; i < 5; i++)
        identity &= a[i] == i;
    CHECK(identity, "repeat=1 keeps the config order whatever the seed");

    suite_order(4, 3, 12345, a);
    suite_order(4, 3, 12345, b);
    CHECK(is_permutation(a, 12), "repeat=3 of 4 servers: 12 runs, each once");
    CHECK(!memcmp(a, b, 12 * sizeof(int)), "the same seed gives the same order");

    /* Some seed among a few must move something, or nothing is shuffled. */
    int moved = 0, differs = 0;
    for (unsigned long seed = 1; seed <= 8; seed++) {
        suite_order(4, 3, seed, c);
        for (int i = 0; i < 12; i++)
            moved |= c[i] != i;
        differs |= memcmp(a, c, 12 * sizeof(int)) != 0;
    }
    CHECK(moved && differs, "other seeds give other orders");
    printf("%s: %d failure(s)\n", __FILE__, failures);
    return failures ? 1 : 0;
}
