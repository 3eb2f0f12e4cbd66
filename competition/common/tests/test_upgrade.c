/* ws_upgrade and ws_accept_key: the RFC 6455 example handshake, every way
 * a request can be refused, and a request arriving one byte at a time. */
#include "check.h"
#include "ws_accept_key.h"
#include "ws_upgrade.h"

#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define GOOD "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n" \
             "Connection: Upgrade\r\nSec-WebSocket-Key: " KEY "\r\n" \
             "Origin: http://example.com\r\nSec-WebSocket-Version: 13\r\n\r\n"

static int parse(const char *req, struct ws_upgrade *u)
{
    return ws_upgrade_parse(req, strlen(req), 8192, u);
}

static void test_accept_key(void)
{
    char out[WS_ACCEPT_LEN + 1];
    CHECK(ws_accept_key(KEY, 24, out) == 0, "RFC key accepted");
    CHECK(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0, "RFC 6455 1.3 accept value, got %s", out);
    CHECK(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=", 23, out) == -1, "short key refused");
    CHECK(ws_accept_key("dGhlIHNhbXBsZSBub25jZR==", 24, out) == -1, "non-canonical last char refused");
    CHECK(ws_accept_key("dGhlIHNhbXBsZSBub2!jZQ==", 24, out) == -1, "non-base64 refused");
}

static void test_good(void)
{
    struct ws_upgrade u;
    CHECK(parse(GOOD, &u) == WS_UPGRADE_OK, "RFC example upgrades: %s", u.reason);
    CHECK(u.request_len == strlen(GOOD), "request length %zu", u.request_len);
    char resp[256];
    size_t n = ws_upgrade_response(&u, resp, sizeof resp);
    const char *want = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    CHECK(n == strlen(want) && memcmp(resp, want, n) == 0, "101 response bytes");

    /* Tokens in lists and any case, bytes after the request left alone. */
    const char *lists = "GET / HTTP/1.1\r\nhost: h\r\nupgrade: WebSocket\r\n"
                        "connection: keep-alive, upgrade\r\nsec-websocket-key: " KEY "\r\n"
                        "sec-websocket-version: 13\r\n\r\n\x81\x80";
    CHECK(parse(lists, &u) == WS_UPGRADE_OK, "token lists: %s", u.reason);
    CHECK(u.request_len == strlen(lists) - 2, "frame bytes after the request are not consumed");

    /* Dribbled: incomplete at every prefix, complete at the end. */
    int early = 0;
    for (size_t i = 0; i < strlen(GOOD); i++)
        early += ws_upgrade_parse(GOOD, i, 8192, &u) != WS_UPGRADE_INCOMPLETE;
    CHECK(early == 0, "%d prefixes gave a verdict", early);
}

static void test_refusals(void)
{
    static const struct {
        const char *req;
        int status;
    } cases[] = {
        {"POST / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n", 405},
        {"GET / HTTP/1.0\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 8\r\n\r\n", 426},
        {"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " KEY "\r\n\r\n", 426},
        {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", 426},
        {"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
         "Sec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost h\r\n\r\n", 400},
        {"GARBAGE\r\n\r\n", 400},
        {"\r\n\r\n", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct ws_upgrade u;
        int got = parse(cases[i].req, &u);
        CHECK(got == cases[i].status, "case %zu: got %d want %d (%s)", i, got, cases[i].status,
              u.reason ? u.reason : "");
    }

    struct ws_upgrade u = {.status = WS_UPGRADE_NEED_VERSION};
    char resp[256];
    size_t n = ws_upgrade_response(&u, resp, sizeof resp);
    const char *want = "HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\n"
                       "Sec-WebSocket-Version: 13\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    CHECK(n == strlen(want) && memcmp(resp, want, n) == 0, "426 response bytes");

    /* Header block over the cap without a blank line: 431, not a wait. */
    char big[300];
    memset(big, 'a', sizeof big);
    CHECK(ws_upgrade_parse(big, sizeof big, 256, &u) == WS_UPGRADE_TOO_LARGE, "431 over the cap");
    CHECK(ws_upgrade_parse(big, 100, 256, &u) == WS_UPGRADE_INCOMPLETE, "incomplete under the cap");
}

int main(void)
{
    test_accept_key();
    test_good();
    test_refusals();
    return check_done("test_upgrade");
}
