/* The HTTP side of the opening handshake, from the client's seat: build
 * the upgrade request, read and check the server's response. */
#ifndef CF_HTTP_H
#define CF_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"

/* The key every request sends, and the accept value RFC 6455 4.2.2 gives
 * for it (checked by the harness with wsc_accept as well). */
#define HTTP_WS_KEY "dGhlIHNhbXBsZSBub25jZQ=="

#define HTTP_MAX_HEADERS 64

struct http_response {
    int status;                /* e.g. 101 */
    size_t header_len;         /* bytes up to and including the blank line */
    size_t nheaders;
    struct { char *name, *value; } headers[HTTP_MAX_HEADERS];
    char *block;               /* owned copy of the header block */
};

enum http_read_status {
    HTTP_READ_OK,
    HTTP_READ_EOF,       /* the server closed before a full response */
    HTTP_READ_TIMEOUT,
    HTTP_READ_BAD,       /* not an HTTP response; reason in err */
};

/* Writes the standard upgrade request for host:port into out and returns
 * its length. */
size_t http_upgrade_request(char *out, size_t cap, const char *host, int port);

/* Reads a response head from c, consuming exactly the head: bytes after it
 * stay in c for the WebSocket stream. */
enum http_read_status http_read_response(struct conn *c, struct http_response *r,
                                         int idle_ms, char *err, size_t errlen);

void http_response_free(struct http_response *r);

/* Value of a header (case-insensitive name), or NULL. */
const char *http_header(const struct http_response *r, const char *name);

/* Whether a comma-separated header holds token (case-insensitive). */
bool http_header_has_token(const struct http_response *r, const char *name,
                           const char *token);

/* Checks a 101 response against RFC 6455 4.1 (Upgrade, Connection,
 * Sec-WebSocket-Accept for HTTP_WS_KEY). Returns NULL or the reason. */
const char *http_check_upgrade(const struct http_response *r);

#endif
