/* What wslay 1.1.1 gets wrong, as two rules, applied by the glue
 * (ws_wslay.c), which feeds wslay itself, for every server built on it.
 *  - wslay's frame layer meets a fragmented or over-long control frame, a
 *    reserved bit or opcode, an unmasked frame or a non-minimal length by
 *    failing the whole receive call: the server then drops the socket
 *    without the close frame RFC 6455 7.1.7 wants (1002). Such a header
 *    must be refused before wslay sees it.
 *  - wslay's list of valid close codes is RFC 6455's; 1012-1014, registered
 *    with IANA since, it answers with 1002 instead of echoing them. */
#ifndef WS_WSLAY_FIX_H
#define WS_WSLAY_FIX_H

#include <stdbool.h>

#include "ws_frame.h"

/* NULL if wslay may see a frame with this (whole) header; otherwise why it
 * must not, and the connection is to be failed with 1002. */
const char *ws_wslay_fix_header(const struct ws_frame_header *h);

/* For a close frame from the client with this code and a reason that is
 * (reason_utf8) or is not valid UTF-8: 0 when wslay's own answer is right,
 * else the code to close with instead: the client's 1012-1014 echoed, or
 * 1007 for such a code with a bad reason. */
unsigned ws_wslay_fix_close(unsigned code, bool reason_utf8);

#endif
