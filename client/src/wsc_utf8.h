/* The judge's UTF-8 validator (RFC 3629 section 4, which RFC 6455 8.1
 * asks of text messages and close reasons): fed in pieces of any size,
 * split anywhere, even inside a character; it says at which byte of the
 * whole input the text stopped being UTF-8. Independent of
 * competition/common's validator (see wsc_frame.h). */
#ifndef WSC_UTF8_H
#define WSC_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wsc_utf8 {
    uint64_t offset;       /* bytes taken so far */
    uint64_t error_at;     /* with failed: offset of the first bad byte */
    uint8_t need;          /* continuation bytes still due */
    uint8_t lo, hi;        /* range of the next continuation byte */
    bool failed;
};

static inline void wsc_utf8_init(struct wsc_utf8 *u)
{
    *u = (struct wsc_utf8){0};
}

/* Takes p[0..n). Returns false once the input so far cannot begin any
 * UTF-8 text; u->error_at is then the offset (from the first byte ever
 * fed) of the byte that made it so, and later calls change nothing. */
bool wsc_utf8_feed(struct wsc_utf8 *u, const uint8_t *p, size_t n);

/* The input has ended: true when it was whole UTF-8. A character cut
 * short fails here, with error_at the input's length. */
bool wsc_utf8_finish(struct wsc_utf8 *u);

/* Whole-buffer check: true when p[0..n) is UTF-8; else *error_at (when
 * not NULL) is where it failed. */
bool wsc_utf8_valid(const uint8_t *p, size_t n, uint64_t *error_at);

#endif
