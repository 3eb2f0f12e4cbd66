/* The judge's Sec-WebSocket-Accept (RFC 6455 4.2.2 step 5.4): base64 of
 * the SHA-1 of the client's key followed by the protocol's GUID, through
 * libcrypto. Independent of competition/common (see wsc_frame.h). */
#ifndef WSC_ACCEPT_H
#define WSC_ACCEPT_H

#include <stddef.h>

#define WSC_ACCEPT_LEN 28   /* base64 of a 20-byte digest */

/* Writes the accept value for key[0..n) into out, NUL-terminated.
 * Returns 0, or -1 if libcrypto fails (out is then ""). */
int wsc_accept(const char *key, size_t n, char out[WSC_ACCEPT_LEN + 1]);

#endif
