/* ws_upgrade_parse, the upgrade request parser of the contestants without a
 * handshake of their own, and ws_upgrade_response. The first input byte
 * picks the header cap so 431 is reached too. Checked: the verdict is one
 * of the documented statuses; request_len ends at the first CRLFCRLF; every
 * shorter prefix is INCOMPLETE; the verdict does not depend on bytes after
 * the request; a response is well formed and a 101 carries its accept key
 * (ws_accept_key itself is checked against RFC 6455 vectors by its tests). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "ws_upgrade.h"

static const char *find_blank(const char *p, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++)
        if (memcmp(p + i, "\r\n\r\n", 4) == 0)
            return p + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t max_header = 8 + (size_t)data[0] * 32;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;

    struct ws_upgrade u;
    int st = ws_upgrade_parse(buf, len, max_header, &u);
    FUZZ_CHECK(st == u.status || (st == 0 && u.status == 0), "return %d, status %d", st, u.status);
    FUZZ_CHECK(st == WS_UPGRADE_INCOMPLETE || st == WS_UPGRADE_OK ||
               st == WS_UPGRADE_BAD_REQUEST || st == WS_UPGRADE_BAD_METHOD ||
               st == WS_UPGRADE_NEED_VERSION || st == WS_UPGRADE_TOO_LARGE,
               "status %d", st);
    if (st != WS_UPGRADE_INCOMPLETE && st != WS_UPGRADE_OK)
        FUZZ_CHECK(u.reason && *u.reason, "refusal %d without a reason", st);

    const char *blank = find_blank(buf, len < max_header ? len : max_header);
    if (!blank) {
        FUZZ_CHECK(st == (len >= max_header ? WS_UPGRADE_TOO_LARGE : WS_UPGRADE_INCOMPLETE),
                   "no blank line in %zu bytes (cap %zu) gave %d", len, max_header, st);
    } else {
        size_t end = (size_t)(blank - buf) + 4;
        FUZZ_CHECK(u.request_len == end, "request_len %zu, blank line ends at %zu",
                   u.request_len, end);
        /* Shorter prefixes are incomplete (or too large past the cap). */
        size_t step = end > 256 ? end / 64 : 1;
        for (size_t k = 0; k < end; k += step) {
            struct ws_upgrade t;
            int s = ws_upgrade_parse(buf, k, max_header, &t);
            FUZZ_CHECK(s == (k >= max_header ? WS_UPGRADE_TOO_LARGE : WS_UPGRADE_INCOMPLETE),
                       "prefix %zu of %zu gave %d", k, end, s);
        }
        /* The bytes after the request are the WebSocket stream's. */
        struct ws_upgrade t;
        int s = ws_upgrade_parse(buf, end, max_header, &t);
        FUZZ_CHECK(s == st && t.request_len == end, "request alone gave %d, with tail %d", s, st);
    }

    char out[256];
    size_t n = ws_upgrade_response(&u, out, sizeof out);
    if (st == WS_UPGRADE_INCOMPLETE)
        return 0;
    FUZZ_CHECK(n > 0 && n < sizeof out, "response length %zu", n);
    char status[16];
    snprintf(status, sizeof status, "HTTP/1.1 %d ", st);
    FUZZ_CHECK(memcmp(out, status, strlen(status)) == 0, "response starts %.20s for %d", out, st);
    FUZZ_CHECK(memcmp(out + n - 4, "\r\n\r\n", 4) == 0, "response not ended by a blank line");
    if (st == WS_UPGRADE_OK) {
        FUZZ_CHECK(strlen(u.accept) == WS_ACCEPT_LEN, "accept length %zu", strlen(u.accept));
        FUZZ_CHECK(strstr(out, u.accept) != NULL, "accept key missing from the 101");
        FUZZ_CHECK(memcmp(buf, "GET ", 4) == 0, "101 for a request not starting with GET");
    }
    return 0;
}
