/* Sec-WebSocket-Accept (RFC 6455 section 4.2.2). */
#ifndef WS_ACCEPT_KEY_H
#define WS_ACCEPT_KEY_H

#include <stddef.h>

#define WS_ACCEPT_LEN 28

/* Checks that key is the base64 of 16 bytes (24 characters, "==" padded)
 * and writes base64(SHA-1(key + GUID)) plus a NUL into out.
 * Returns 0, or -1 for a malformed key. */
int ws_accept_key(const char *key, size_t len, char out[WS_ACCEPT_LEN + 1]);

#endif
