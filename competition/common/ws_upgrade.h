/* Server side of the opening handshake: parses an HTTP/1.1 upgrade request
 * and writes the response (RFC 6455 section 4.2). For contestants whose
 * framework has no handshake of its own. */
#ifndef WS_UPGRADE_H
#define WS_UPGRADE_H

#include <stddef.h>
#include "ws_accept_key.h"

enum ws_upgrade_status {
    WS_UPGRADE_INCOMPLETE = 0,   /* no blank line yet: read more */
    WS_UPGRADE_OK = 101,
    WS_UPGRADE_BAD_REQUEST = 400,
    WS_UPGRADE_BAD_METHOD = 405,
    WS_UPGRADE_NEED_VERSION = 426, /* wrong or missing version, or not an upgrade */
    WS_UPGRADE_TOO_LARGE = 431,
};

struct ws_upgrade {
    int status;                  /* one of ws_upgrade_status */
    const char *reason;          /* why it was refused, for the log */
    size_t request_len;          /* bytes of the request, blank line included */
    char accept[WS_ACCEPT_LEN + 1];
};

/* Parses the request in buf[0..len). Returns u->status: INCOMPLETE while
 * the header block is not complete and under max_header bytes; otherwise
 * the verdict. Bytes after request_len belong to the WebSocket stream. */
int ws_upgrade_parse(const char *buf, size_t len, size_t max_header,
                     struct ws_upgrade *u);

/* Writes the response for a verdict (101 with the accept key, or the error
 * with "Connection: close" and, for 426, "Sec-WebSocket-Version: 13").
 * Returns its length; cap of 256 bytes is always enough. */
size_t ws_upgrade_response(const struct ws_upgrade *u, char *out, size_t cap);

#endif
