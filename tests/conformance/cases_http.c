/* The opening handshake (0.x; Autobahn has no such section): requests the
 * server must refuse with a 4xx, and unusual but valid ones it must
 * accept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "http.h"
#include "wsc_frame.h"

enum {
    H_ACCEPT = 1,      /* 101, then a working echo */
    H_REJECT,          /* any 4xx */
    H_VERSION,         /* 426 with Sec-WebSocket-Version: 13 */
    H_HUGE,            /* 4xx or a close, never a hang */
};
#define H_PAD 16u          /* add 16 KiB of headers before the blank line */
#define H_PIPELINE 32u     /* a text frame follows the request in the same write */

#define PAD_HEADERS 164   /* 164 lines of 100 bytes: just over 16 KiB */
#define PAD_LEN 100

#define KEY "Sec-WebSocket-Key: " HTTP_WS_KEY "\r\n"
#define V13 "Sec-WebSocket-Version: 13\r\n"
#define UP "Upgrade: websocket\r\n"
#define CONNUP "Connection: Upgrade\r\n"
#define HOST "Host: localhost\r\n"

static void judge_reject(struct run *r, unsigned kind, enum http_read_status s,
                         const struct http_response *resp, const char *err)
{
    int st = resp->status;
    if (s == HTTP_READ_TIMEOUT || s == HTTP_READ_BAD) {
        run_fail(r, "%s", err);
        return;
    }
    if (s == HTTP_READ_EOF) {
        if (kind == H_HUGE)
            return;
        if (kind == H_VERSION)
            run_fail(r, "closed without a response, expected 426 with Sec-WebSocket-Version: 13");
        else
            run_nonstrict(r, "closed without an HTTP response, expected a 4xx");
        return;
    }
    if (st == 101) {
        if (kind == H_HUGE)
            run_nonstrict(r, "accepted a 16 KiB header block with 101");
        else
            run_fail(r, "accepted the request with 101");
        return;
    }
    if (kind == H_VERSION) {
        const char *v = http_header(resp, "Sec-WebSocket-Version");
        bool has13 = http_header_has_token(resp, "Sec-WebSocket-Version", "13");
        if (st / 100 != 4 || !has13)
            run_fail(r, "status %d %s, expected 426 with Sec-WebSocket-Version: 13",
                     st, v ? "with a wrong Sec-WebSocket-Version" : "without Sec-WebSocket-Version");
        else if (st != 426)
            run_nonstrict(r, "status %d with Sec-WebSocket-Version: 13, expected 426", st);
        return;
    }
    if (st / 100 != 4)
        run_nonstrict(r, "status %d, expected a 4xx", st);
}

static void http_case(struct run *r, const struct cf_case *c)
{
    if (!run_connect(r))
        return;
    unsigned kind = c->flags & 15;
    struct bytes req = { 0 };
    const char *blank = c->data + c->data_len - 2;   /* every request ends "\r\n\r\n" */
    bytes_append(&req, c->data, (size_t)(blank - c->data));
    if (c->flags & H_PAD) {
        char line[PAD_LEN + 32];
        for (int i = 0; i < PAD_HEADERS; i++) {
            int n = snprintf(line, sizeof line, "X-Pad-%03d: %0*d\r\n", i, PAD_LEN - 13, 0);
            bytes_append(&req, line, (size_t)n);
        }
    }
    bytes_append(&req, "\r\n", 2);
    static const char hello[] = "Hello, handshake!";
    if (c->flags & H_PIPELINE) {
        run_frame(r, true, 0, WSC_OP_TEXT, hello, sizeof hello - 1);
        bytes_append(&req, r->wire.p, r->wire.len);
        r->wire.len = 0;
    }
    run_send_raw(r, req.p, req.len, c->chop, c->chop == 1 ? 1000 : 0);
    bytes_free(&req);
    if (run_failed(r))
        return;
    struct http_response resp;
    char err[160];
    enum http_read_status s = http_read_response(&r->conn, &resp, RUN_IDLE_MS, err, sizeof err);
    if (kind != H_ACCEPT) {
        judge_reject(r, kind, s, &resp, err);
        http_response_free(&resp);
        return;
    }
    const char *why = s == HTTP_READ_OK ? http_check_upgrade(&resp) : err;
    http_response_free(&resp);
    if (why) {
        run_fail(r, "%s", why);
        return;
    }
    if (!(c->flags & H_PIPELINE)) {
        run_frame(r, true, 0, WSC_OP_TEXT, hello, sizeof hello - 1);
        run_send(r, 0, 0);
    }
    run_expect_message(r, WSC_OP_TEXT, hello, sizeof hello - 1);
    run_close_handshake(r);
}

#define REQ(id_, desc_, kind, s) { .id = id_, .desc = desc_, .fn = http_case, DATA(s), .flags = kind }

const struct cf_case cases_http[] = {
    REQ("0.1", "valid upgrade request -> 101 with the right accept key, echo works",
        H_ACCEPT, "GET / HTTP/1.1\r\n" HOST UP CONNUP KEY V13 "\r\n"),
    REQ("0.2", "no Sec-WebSocket-Key -> 4xx",
        H_REJECT, "GET / HTTP/1.1\r\n" HOST UP CONNUP V13 "\r\n"),
    REQ("0.3", "Sec-WebSocket-Key of 10 bytes, not 16 -> 4xx",
        H_REJECT, "GET / HTTP/1.1\r\n" HOST UP CONNUP "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\n" V13 "\r\n"),
    REQ("0.4", "Sec-WebSocket-Key not base64 -> 4xx",
        H_REJECT, "GET / HTTP/1.1\r\n" HOST UP CONNUP "Sec-WebSocket-Key: !!not*base64!!not*base64\r\n" V13 "\r\n"),
    REQ("0.5", "Sec-WebSocket-Version: 8 -> 426 with Sec-WebSocket-Version: 13",
        H_VERSION, "GET / HTTP/1.1\r\n" HOST UP CONNUP KEY "Sec-WebSocket-Version: 8\r\n\r\n"),
    REQ("0.6", "no Sec-WebSocket-Version -> 4xx",
        H_REJECT, "GET / HTTP/1.1\r\n" HOST UP CONNUP KEY "\r\n"),
    REQ("0.7", "POST instead of GET -> 4xx",
        H_REJECT, "POST / HTTP/1.1\r\n" HOST UP CONNUP KEY V13 "Content-Length: 0\r\n\r\n"),
    REQ("0.8", "no Upgrade header -> 4xx",
        H_REJECT, "GET / HTTP/1.1\r\n" HOST CONNUP KEY V13 "\r\n"),
    REQ("0.9", "no Connection header -> 4xx",
        H_REJECT, "GET / HTTP/1.1\r\n" HOST UP KEY V13 "\r\n"),
    REQ("0.10", "HTTP/1.0 request -> 4xx",
        H_REJECT, "GET / HTTP/1.0\r\n" HOST UP CONNUP KEY V13 "\r\n"),
    REQ("0.11", "16 KiB of headers -> 4xx or close, not a hang",
        H_HUGE | H_PAD, "GET / HTTP/1.1\r\n" HOST UP CONNUP KEY V13 "\r\n"),
    { .id = "0.12", .desc = "valid request sent one byte per write -> 101, echo works",
      .fn = http_case, DATA("GET / HTTP/1.1\r\n" HOST UP CONNUP KEY V13 "\r\n"),
      .flags = H_ACCEPT, .chop = 1 },
    REQ("0.13", "\"Connection: keep-alive, Upgrade\" -> 101, echo works",
        H_ACCEPT, "GET / HTTP/1.1\r\n" HOST UP "Connection: keep-alive, Upgrade\r\n" KEY V13 "\r\n"),
    REQ("0.14", "lower-case header names and \"upgrade\"/\"WebSocket\" values -> 101",
        H_ACCEPT, "GET / HTTP/1.1\r\nhost: localhost\r\nupgrade: WebSocket\r\nconnection: upgrade\r\n"
                  "sec-websocket-key: " HTTP_WS_KEY "\r\nsec-websocket-version: 13\r\n\r\n"),
    REQ("0.15", "a text frame in the same write as the request -> 101, then its echo",
        H_ACCEPT | H_PIPELINE, "GET / HTTP/1.1\r\n" HOST UP CONNUP KEY V13 "\r\n"),
};
const size_t cases_http_count = sizeof cases_http / sizeof cases_http[0];
