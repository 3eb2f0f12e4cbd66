/* The client side of the opening handshake (RFC 6455 section 4.1): the
 * request, and a parser for the server's response that a fuzzer can call. */
#ifndef HANDSHAKE_H
#define HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#define HANDSHAKE_KEY_LEN 24          /* base64 of 16 bytes */
#define HANDSHAKE_RESPONSE_MAX 4096   /* a longer header block is refused */
#define HANDSHAKE_REASON_MAX 40

/* Writes base64 of 16 bytes from the generator, NUL-terminated. */
void handshake_make_key(uint64_t *prng, char key[HANDSHAKE_KEY_LEN + 1]);

/* Writes the upgrade request into out; returns its length, or 0 if it does
 * not fit in cap bytes. */
size_t handshake_build_request(char *out, size_t cap, const char *host,
                               unsigned port, const char *path,
                               const char key[HANDSHAKE_KEY_LEN]);

struct handshake_result {
    int status;                          /* HTTP status, 0 if unparsable */
    char reason[HANDSHAKE_REASON_MAX];   /* exit reason when refused */
};

/* Parses the response at p[0..n), which may be cut anywhere or followed by
 * frames. Returns the length of the header block (through the blank line)
 * when it is complete and accepts the upgrade; 0 when more bytes are
 * needed; -1 when it refuses or is malformed, with res->reason set to
 * "handshake_failed:<status>" or "handshake_failed:<what>". expected_accept
 * is the 28-character Sec-WebSocket-Accept for our key. */
int handshake_parse_response(const char *p, size_t n,
                             const char *expected_accept,
                             struct handshake_result *res);

#endif
