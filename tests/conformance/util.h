/* Small helpers every part of the harness uses: memory that cannot fail
 * silently, a growable byte buffer, and the monotonic clock. */
#ifndef CF_UTIL_H
#define CF_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct bytes {
    uint8_t *p;
    size_t len, cap;
};

/* Out of memory ends the harness: there is nothing useful left to test. */
void *util_xmalloc(size_t n);
void *util_xrealloc(void *p, size_t n);
char *util_xstrdup(const char *s);

void bytes_reserve(struct bytes *b, size_t extra);
void bytes_append(struct bytes *b, const void *p, size_t n);
void bytes_free(struct bytes *b);

/* argv joined by spaces, as the command line that a result records;
 * malloc'ed. */
char *util_join_argv(int argc, char **argv);

/* Milliseconds on CLOCK_MONOTONIC, for timeouts. */
int64_t util_now_ms(void);

/* Sleeps, retrying on EINTR. */
void util_sleep_us(unsigned us);

#endif
