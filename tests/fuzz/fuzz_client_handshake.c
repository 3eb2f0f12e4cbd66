/* The load client's response parser, handshake_parse_response
 * (client/src/handshake.h). Checked: the verdict is a header length, 0 or
 * -1; an acceptance ends exactly at the first CRLFCRLF, every shorter
 * prefix asks for more, bytes after it (frames) do not change it, and it
 * is a 101 carrying our Sec-WebSocket-Accept; a refusal says why in the
 * documented form. The accept is RFC 6455's example, so the seed response
 * from section 1.3 is accepted. */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "handshake.h"

static const char ACCEPT[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    struct handshake_result res;
    int r = handshake_parse_response(p, size, ACCEPT, &res);
    FUZZ_CHECK(r >= -1, "returned %d", r);
    const char *blank = memmem(p, size, "\r\n\r\n", 4);
    if (r == -1) {
        FUZZ_CHECK(strncmp(res.reason, "handshake_failed:", 17) == 0 && res.reason[17],
                   "reason \"%s\"", res.reason);
        return 0;
    }
    if (r == 0) {
        FUZZ_CHECK(blank == NULL && size < HANDSHAKE_RESPONSE_MAX,
                   "asked for more with a blank line present or %zu bytes", size);
        return 0;
    }
    size_t end = (size_t)(blank - p) + 4;
    FUZZ_CHECK(blank && (size_t)r == end, "accepted %d bytes, blank line ends at %zu", r, end);
    FUZZ_CHECK(res.status == 101 && memcmp(p, "HTTP/1.1 101", 12) == 0,
               "accepted status %d", res.status);
    FUZZ_CHECK(memmem(p, end, ACCEPT, sizeof ACCEPT - 1) != NULL,
               "accepted without our Sec-WebSocket-Accept");
    for (size_t k = 0; k < end; k++) {
        struct handshake_result t;
        FUZZ_CHECK(handshake_parse_response(p, k, ACCEPT, &t) == 0,
                   "prefix %zu of %zu did not ask for more", k, end);
    }
    struct handshake_result t;
    FUZZ_CHECK(handshake_parse_response(p, end, ACCEPT, &t) == r,
               "verdict changed without the trailing %zu bytes", size - end);
    return 0;
}
