/* Where the client's byte stream may be cut so that each piece ends with a
 * whole data message: c-h2o hands the wslay glue one message at a time, so
 * each echo is written before a bad frame later in the same read makes the
 * glue or wslay queue a close, which wslay would send ahead of the echo
 * (control frames go first) and then drop the echo. Frame headers only;
 * payload bytes are skipped unread. */
#ifndef SPLIT_H
#define SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws_frame.h"

struct split {
    uint64_t skip;                    /* payload bytes before the next header */
    uint8_t hdr[WS_FRAME_MAX_HEADER]; /* the next header, as far as it came */
    uint8_t have;
    bool ends_message;                /* the frame being skipped ends a message */
};

/* Returns how many bytes of p[0..n) to hand on now: up to and including the
 * last byte of the first data message that ends in them, or all n. Only
 * those bytes are taken into account; call again with the rest. Zero-init
 * the struct for a new connection. A malformed header makes every later
 * call return n (the glue fails the connection on it). */
size_t split_next(struct split *s, const uint8_t *p, size_t n);

#endif
