/* Minimal check macros for libwscommon's tests: count, report, exit. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int check_run, check_failed;

#define CHECK(cond, ...) do { \
    check_run++; \
    if (!(cond)) { \
        check_failed++; \
        fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__); \
        fputc('\n', stderr); \
    } \
} while (0)

#define CHECK_BYTES(got, want, n, what) \
    CHECK(memcmp((got), (want), (n)) == 0, "%s: bytes differ", (what))

static inline int check_done(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_run, check_failed);
    return check_failed ? 1 : 0;
}

#endif
