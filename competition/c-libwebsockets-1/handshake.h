/* RFC 6455 section 4.2.1 checks lws does not make itself (it accepts any
 * Sec-WebSocket-Version and any method, and hangs up without a response on
 * a missing key or Host). Run from LWS_CALLBACK_HTTP_CONFIRM_UPGRADE, while
 * the request headers are still attached to the wsi. */
#ifndef HANDSHAKE_H
#define HANDSHAKE_H

#include <libwebsockets.h>

/* Returns 0 if the upgrade may proceed, else the HTTP status to refuse it
 * with (400, 405 or 426), in the order ws_upgrade_parse() checks. */
int handshake_check(struct lws *wsi);

/* Writes the refusal for status (the kit's shared ws_upgrade_response()
 * text, so every contestant answers alike). Returns 0 or -1. The caller
 * closes the connection afterwards. */
int handshake_refuse(struct lws *wsi, int status);

#endif
