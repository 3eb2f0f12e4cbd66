/* A minimal test harness: CHECK prints the failing expression and counts. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
        check_failures++; \
    } \
} while (0)

#define SECTION(name) printf("  %s\n", name)

static inline int check_done(const char *what)
{
    if (check_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", what, check_failures);
        return 1;
    }
    printf("%s: all checks passed\n", what);
    return 0;
}

#endif
