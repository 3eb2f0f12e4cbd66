/* The one assertion header of the kit's C unit tests. Every check is
 * counted; a failing one prints FILE:LINE, the expression and an optional
 * printf-style note, and the test goes on so one run shows every failure.
 *   CHECK(n == 3);
 *   CHECK(n == 3, "frame %d: got %d", i, n);
 *   CHECK_BYTES(got, want, len, "close frame");
 *   return check_done("test_frame");   // "test_frame: 12 checks, 0 failed"
 * Include it as "check.h" with -I$(KIT)/tests/lib (rules.mk sets it). */
#ifndef KIT_CHECK_H
#define KIT_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int check_run, check_failed;

/* fmt is " " followed by the note's format: never empty, so that a CHECK
 * without a note passes -Wformat-zero-length (in -Wall). */
__attribute__((format(printf, 1, 2), unused))
static void check_note(const char *fmt, ...)
{
    if (fmt[1]) {
        va_list ap;
        va_start(ap, fmt);
        fputc(':', stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
}

/* The note, if any, must start with a string literal. */
#define CHECK(cond, ...) do { \
    check_run++; \
    if (!(cond)) { \
        check_failed++; \
        fprintf(stderr, "%s:%d: FAIL %s", __FILE__, __LINE__, #cond); \
        check_note(" " __VA_ARGS__); \
    } \
} while (0)

#define CHECK_BYTES(got, want, n, what) \
    CHECK(memcmp((got), (want), (n)) == 0, "%s: bytes differ", (what))

/* Prints the one summary line and returns the test's exit status. */
__attribute__((unused))
static int check_done(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_run, check_failed);
    return check_failed ? 1 : 0;
}

#endif
