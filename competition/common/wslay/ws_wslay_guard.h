/* A shadow reader of the client's frame headers, run over the bytes before
 * wslay sees them, for a framework that owns wslay's context and its recv
 * callback (h2o): it finds the frames ws_wslay_fix.h says wslay gets wrong
 * (and a 64-bit length with the top bit set), and the server then sends the
 * close itself. Payload bytes are skipped unexamined, except a close
 * frame's (125 at most). */
#ifndef WS_WSLAY_GUARD_H
#define WS_WSLAY_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "ws_frame.h"

struct ws_wslay_guard {
    uint8_t hdr[WS_FRAME_MAX_HEADER]; /* header bytes of the current frame */
    uint8_t have;                     /* how many of them have arrived */
    uint64_t skip;                    /* payload bytes before the next header */
    uint8_t mask[4];                  /* of the close frame being read */
    uint8_t close[WS_CONTROL_MAX_PAYLOAD]; /* its payload, unmasked */
    uint8_t close_len, close_want;
    uint16_t code;                    /* close code to send after a verdict */
};

void ws_wslay_guard_init(struct ws_wslay_guard *g);

/* Scans p[0..n) of the client stream. Returns how many of these bytes may be
 * passed on. *reason is NULL when all n may; otherwise it says why the guard
 * takes over, g->code is the close code to send (1002, or the client's own
 * code 1012-1014, or 1007 for a bad reason with one of those; see
 * ws_wslay_fix_close), and the
 * return value is where that frame starts in p (0 if it began in an earlier
 * call). The guard must not be fed again after a verdict. */
size_t ws_wslay_guard_scan(struct ws_wslay_guard *g, const uint8_t *p, size_t n,
                        const char **reason);

#endif
