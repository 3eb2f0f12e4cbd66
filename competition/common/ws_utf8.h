/* Incremental UTF-8 validation (RFC 3629), fail-fast: the first byte that
 * cannot start or continue a valid sequence is reported, whatever follows.
 * Feeds may split a code point anywhere. */
#ifndef WS_UTF8_H
#define WS_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define WS_UTF8_ACCEPT 0   /* between code points */
#define WS_UTF8_REJECT 255 /* invalid; sticky */

/* Advances *state over p[0..n) and returns the new state: WS_UTF8_ACCEPT,
 * WS_UTF8_REJECT, or another value meaning "inside a code point". */
uint8_t ws_utf8_feed(uint8_t *state, const uint8_t *p, size_t n);

#endif
