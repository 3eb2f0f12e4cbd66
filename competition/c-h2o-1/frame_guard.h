/* A shadow reader of the client's frame headers, run over the bytes before
 * wslay sees them, for the cases wslay 1.1.1 gets wrong:
 *  - a fragmented or over-long control frame, or a 64-bit length with the
 *    top bit set, make its frame layer fail the whole receive call, and h2o
 *    then drops the socket without any close frame (RFC 6455 7.1.7 wants
 *    1002);
 *  - close codes 1012-1014, registered with IANA since RFC 6455, are in
 *    wslay's list of invalid codes: it answers them with 1002 instead of
 *    echoing them.
 * The guard finds these first; the server then sends the close itself.
 * Payload bytes are skipped unexamined, except a close frame's (125 at most). */
#ifndef FRAME_GUARD_H
#define FRAME_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "ws_frame.h"

struct frame_guard {
    uint8_t hdr[WS_FRAME_MAX_HEADER]; /* header bytes of the current frame */
    uint8_t have;                     /* how many of them have arrived */
    uint64_t skip;                    /* payload bytes before the next header */
    uint8_t mask[4];                  /* of the close frame being read */
    uint8_t close[WS_CONTROL_MAX_PAYLOAD]; /* its payload, unmasked */
    uint8_t close_len, close_want;
    uint16_t code;                    /* close code to send after a verdict */
};

void frame_guard_init(struct frame_guard *g);

/* Scans p[0..n) of the client stream. Returns how many of these bytes may be
 * passed on. *reason is NULL when all n may; otherwise it says why the guard
 * takes over, g->code is the close code to send (1002, or the client's own
 * code 1012-1014, or 1007 for a bad reason with one of those), and the
 * return value is where that frame starts in p (0 if it began in an earlier
 * call). The guard must not be fed again after a verdict. */
size_t frame_guard_scan(struct frame_guard *g, const uint8_t *p, size_t n,
                        const char **reason);

#endif
