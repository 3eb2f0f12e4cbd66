/* The upgrade request's exact bytes, and the response parser fed whole,
 * one byte at a time, and coalesced with the frames that follow it. */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "handshake.h"
#include "wsc_accept.h"

/* RFC 6455 section 1.3's example key and accept value. */
static const char KEY[] = "dGhlIHNhbXBsZSBub25jZQ==";
static const char ACCEPT[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

static const char OK[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "\r\n";

static int parse(const char *p, size_t n, struct handshake_result *res)
{
    return handshake_parse_response(p, n, ACCEPT, res);
}

static void expect_fail(const char *resp, const char *reason)
{
    struct handshake_result res;
    int r = parse(resp, strlen(resp), &res);
    CHECK(r == -1, "%s", resp);
    CHECK(strcmp(res.reason, reason) == 0, "got reason '%s', expected '%s'", res.reason, reason);
}

int main(void)
{
    struct handshake_result res;
    size_t n = strlen(OK);

    /* accept value of the RFC example key */
    char acc[WSC_ACCEPT_LEN + 1];
    CHECK(wsc_accept(KEY, 24, acc) == 0 && strcmp(acc, ACCEPT) == 0);

    /* request bytes */
    char req[512];
    size_t rl = handshake_build_request(req, sizeof req, "127.0.0.1", 8000, "/chat", KEY);
    const char want[] =
        "GET /chat HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n";
    CHECK(rl == strlen(want) && memcmp(req, want, rl) == 0);
    CHECK(handshake_build_request(req, 40, "127.0.0.1", 8000, "/chat", KEY) == 0);

    /* generated keys are 24 base64 characters ending in == */
    uint64_t prng = 12345;
    char key[HANDSHAKE_KEY_LEN + 1], key2[HANDSHAKE_KEY_LEN + 1];
    handshake_make_key(&prng, key);
    handshake_make_key(&prng, key2);
    CHECK(strlen(key) == 24 && key[22] == '=' && key[23] == '=');
    CHECK(strcmp(key, key2) != 0);
    CHECK(wsc_accept(key, 24, acc) == 0);

    /* whole response */
    CHECK(parse(OK, n, &res) == (int)n);
    CHECK(res.status == 101);

    /* byte by byte: need more until the last byte */
    for (size_t i = 0; i < n; i++)
        CHECK(parse(OK, i, &res) == 0, "prefix of %zu bytes did not ask for more", i);

    /* coalesced with frames: returns the header length only */
    char buf[512];
    memcpy(buf, OK, n);
    memcpy(buf + n, "\x82\x03" "abc" "\x81\x00", 7);
    CHECK(parse(buf, n + 7, &res) == (int)n);
    /* a frame whose bytes look like a blank line does not confuse it */
    memcpy(buf + n, "\x82\x04\r\n\r\n", 6);
    CHECK(parse(buf, n + 6, &res) == (int)n);

    /* case-insensitive names, token lists, spacing */
    const char *ok2 =
        "HTTP/1.1 101 OK\r\nupgrade:  WebSocket \r\nconnection: keep-alive, upgrade\r\n"
        "sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: x\r\n\r\n";
    CHECK(parse(ok2, strlen(ok2), &res) == (int)strlen(ok2));
    const char *ok3 =
        "HTTP/1.1 101\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    CHECK(parse(ok3, strlen(ok3), &res) == (int)strlen(ok3));

    /* refusals and malformed responses */
    expect_fail("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", "handshake_failed:404");
    expect_fail("HTTP/1.1 200 OK\r\n\r\n", "handshake_failed:200");
    expect_fail("HTTP/1.0 101 Switching\r\n\r\n", "handshake_failed:bad_status_line");
    expect_fail("HTTP/1.1 1x1 Switching\r\n\r\n", "handshake_failed:bad_status_line");
    expect_fail("HTTP/1.1 1010 Switching\r\n\r\n", "handshake_failed:bad_status_line");
    expect_fail("HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                "handshake_failed:no_upgrade");
    expect_fail("HTTP/1.1 101 OK\r\nUpgrade: h2c\r\n\r\n", "handshake_failed:bad_upgrade");
    expect_fail("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: close\r\n\r\n",
                "handshake_failed:bad_connection");
    expect_fail("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                "handshake_failed:no_accept");
    expect_fail("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOp=\r\n\r\n",
                "handshake_failed:bad_accept");
    expect_fail("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
                "handshake_failed:unrequested_extension");
    expect_fail("HTTP/1.1 101 OK\r\nno colon here\r\n\r\n", "handshake_failed:bad_header");

    /* an endless header block is refused, not buffered forever */
    static char big[HANDSHAKE_RESPONSE_MAX + 100];
    memset(big, 'a', sizeof big);
    memcpy(big, "HTTP/1.1 101 OK\r\nX: ", 20);
    CHECK(parse(big, HANDSHAKE_RESPONSE_MAX - 1, &res) == 0);
    CHECK(parse(big, HANDSHAKE_RESPONSE_MAX, &res) == -1);
    CHECK(strcmp(res.reason, "handshake_failed:too_long") == 0);
    return check_done("test_handshake");
}
