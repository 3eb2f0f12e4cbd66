/* conn.c against hand-computed wire bytes. Every stream is fed whole, one
 * byte at a time and in chunks of 2, 3, 5 and 7 bytes: the output must be
 * the same bytes each time (RFC 6455 frames cut anywhere). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conn.h"

struct bytes {
    uint8_t *p;
    size_t len;
};

static void put(struct bytes *b, const void *p, size_t n)
{
    b->p = realloc(b->p, b->len + n + 1);
    if (!b->p) {
        perror("realloc");
        exit(2);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* A masked client frame; the mask is fixed so expected bytes are stable. */
static void frame(struct bytes *b, uint8_t b0, const void *payload, size_t n)
{
    static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    uint8_t h[14];
    size_t hl = 0;
    h[hl++] = b0;
    if (n < 126) {
        h[hl++] = (uint8_t)(0x80 | n);
    } else if (n < 65536) {
        h[hl++] = 0x80 | 126;
        h[hl++] = (uint8_t)(n >> 8);
        h[hl++] = (uint8_t)n;
    } else {
        h[hl++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            h[hl++] = (uint8_t)((uint64_t)n >> (8 * i));
    }
    memcpy(h + hl, mask, 4);
    hl += 4;
    put(b, h, hl);
    const uint8_t *s = payload;
    for (size_t i = 0; i < n; i++) {
        uint8_t x = s[i] ^ mask[i % 4];
        put(b, &x, 1);
    }
}

struct run {
    struct bytes wire;            /* everything the server sent */
    enum conn_result result;      /* first non-OK result, or OK */
    bool idle_after_each_message; /* c.in was NULL after the last feed */
};

/* What loop.c does after a feed, with a socket that takes everything. */
static void send_all(struct conn *c, struct conn_out *o, struct bytes *wire)
{
    CHECK(!(o->len && conn_unsent(c)), "both output buffers hold bytes");
    if (conn_unsent(c)) {
        put(wire, c->out + c->out_off, conn_unsent(c));
        free(c->out);
        c->out = NULL;
        c->out_off = c->out_len = c->out_cap = 0;
    }
    if (o->len) {
        put(wire, o->buf, o->len);
        conn_keep_unsent(c, o, o->len);
    }
}

static struct run feed(const struct bytes *in, size_t chunk, bool handshake, size_t max_message)
{
    struct conn c = {.state = handshake ? CONN_HANDSHAKE : CONN_OPEN};
    struct conn_out o = {0};
    struct conn_limits lim = {.max_message = max_message, .max_header = 8192};
    struct run r = {.result = CONN_OK};
    uint8_t *scratch = malloc(in->len + 1); /* conn_feed unmasks in place */
    if (!scratch)
        exit(2);
    memcpy(scratch, in->p, in->len);
    for (size_t off = 0; off < in->len; off += chunk) {
        size_t n = in->len - off < chunk ? in->len - off : chunk;
        enum conn_result res = conn_feed(&c, scratch + off, n, &o, &lim);
        if (r.result == CONN_OK)
            r.result = res;
        send_all(&c, &o, &r.wire);
    }
    r.idle_after_each_message = c.in == NULL;
    conn_release(&c);
    free(o.buf);
    free(scratch);
    return r;
}

/* Runs a case with every chunking and compares with the expected wire. */
static void expect(const char *name, const struct bytes *in, bool handshake,
                   size_t max_message, const void *want, size_t want_len,
                   enum conn_result want_result, bool want_idle)
{
    static const size_t chunks[] = {(size_t)-1, 1, 2, 3, 5, 7};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        struct run r = feed(in, chunks[i] == (size_t)-1 ? in->len : chunks[i],
                            handshake, max_message);
        bool same = r.wire.len == want_len && memcmp(r.wire.p, want, want_len) == 0;
        CHECK(same, "%s (chunk %zu): got %zu bytes, want %zu", name,
              chunks[i] == (size_t)-1 ? in->len : chunks[i], r.wire.len, want_len);
        CHECK(r.result == want_result, "%s (chunk %zu): result %s, want %s", name, chunks[i],
              conn_result_name(r.result), conn_result_name(want_result));
        CHECK(!want_idle || r.idle_after_each_message,
              "%s (chunk %zu): buffer still held after a complete message", name, chunks[i]);
        free(r.wire.p);
    }
}

#define EXPECT(name, in, max, want, result) \
    expect(name, in, false, max, want, sizeof(want) - 1, result, true)

static void test_rfc_examples(void)
{
    /* RFC 6455 5.7: masked "Hello", verbatim */
    static const uint8_t hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f,
                                    0x9f, 0x4d, 0x51, 0x58};
    struct bytes in = {0};
    put(&in, hello, sizeof hello);
    EXPECT("masked Hello", &in, 1 << 20, "\x81\x05Hello", CONN_OK);
    free(in.p);

    /* fragmented "Hel"+"lo" with a ping between the fragments */
    in = (struct bytes){0};
    frame(&in, 0x01, "Hel", 3);
    frame(&in, 0x89, "Hello", 5);
    frame(&in, 0x80, "lo", 2);
    EXPECT("fragments around a ping", &in, 1 << 20, "\x8a\x05Hello\x81\x05Hello", CONN_OK);
    free(in.p);
}

static void test_sizes(void)
{
    /* 0, 125, 126 and 65536 bytes: the three length encodings */
    static uint8_t payload[65536], want[65536 + 10 + 3];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 3);
    const size_t sizes[] = {0, 125, 126, 65535, 65536};
    const size_t hdrs[] = {2, 2, 4, 4, 10};
    const uint8_t len_bytes[][10] = {
        {0x82, 0x00}, {0x82, 0x7d}, {0x82, 0x7e, 0x00, 0x7e}, {0x82, 0x7e, 0xff, 0xff},
        {0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00},
    };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        struct bytes in = {0};
        frame(&in, 0x82, payload, sizes[k]);
        frame(&in, 0x82, payload, 1); /* a second message behind it */
        memcpy(want, len_bytes[k], hdrs[k]);
        memcpy(want + hdrs[k], payload, sizes[k]);
        memcpy(want + hdrs[k] + sizes[k], "\x82\x01\x03", 3);
        char name[64];
        snprintf(name, sizeof name, "binary %zu bytes", sizes[k]);
        expect(name, &in, false, 1 << 20, want, hdrs[k] + sizes[k] + 3, CONN_OK, true);
        free(in.p);
    }
}

static void test_text_and_close(void)
{
    struct bytes in = {0};
    /* "€" (e2 82 ac) split across two fragments, then a normal close */
    frame(&in, 0x01, "\xe2", 1);
    frame(&in, 0x80, "\x82\xac", 2);
    frame(&in, 0x88, "\x03\xe8" "bye", 5);
    frame(&in, 0x81, "ignored", 7);
    EXPECT("split code point, close 1000", &in, 1 << 20,
           "\x81\x03\xe2\x82\xac\x88\x02\x03\xe8", CONN_CLOSED);
    free(in.p);

    in = (struct bytes){0};
    frame(&in, 0x01, "", 0);
    frame(&in, 0x00, "", 0);
    frame(&in, 0x80, "", 0);
    EXPECT("message of empty fragments", &in, 1 << 20, "\x81\x00", CONN_OK);
    free(in.p);

    in = (struct bytes){0};
    frame(&in, 0x88, "", 0);
    EXPECT("empty close", &in, 1 << 20, "\x88\x00", CONN_CLOSED);
    free(in.p);

    in = (struct bytes){0};
    frame(&in, 0x8a, "unsolicited", 11);
    frame(&in, 0x82, "x", 1);
    EXPECT("unsolicited pong ignored", &in, 1 << 20, "\x82\x01x", CONN_OK);
    free(in.p);
}

static void test_errors(void)
{
    struct bytes in = {0};
    put(&in, "\x81\x02hi", 4); /* unmasked */
    EXPECT("unmasked", &in, 1 << 20, "\x88\x02\x03\xea", CONN_ERR_PROTOCOL);
    free(in.p);

    const struct {
        const char *name;
        uint8_t b0;
        const char *payload;
        size_t n;
    } bad[] = {
        {"rsv1", 0xc1, "x", 1},
        {"opcode 3", 0x83, "x", 1},
        {"opcode 0xb", 0x8b, "x", 1},
        {"fragmented ping", 0x09, "x", 1},
        {"continuation first", 0x80, "x", 1},
        {"close length 1", 0x88, "x", 1},
        {"close code 1005", 0x88, "\x03\xed", 2},
        {"close code 999", 0x88, "\x03\xe7", 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        in = (struct bytes){0};
        frame(&in, bad[i].b0, bad[i].payload, bad[i].n);
        frame(&in, 0x82, "after", 5);
        EXPECT(bad[i].name, &in, 1 << 20, "\x88\x02\x03\xea", CONN_ERR_PROTOCOL);
        free(in.p);
    }

    static uint8_t big[126];
    in = (struct bytes){0};
    frame(&in, 0x89, big, sizeof big);
    EXPECT("ping of 126", &in, 1 << 20, "\x88\x02\x03\xea", CONN_ERR_PROTOCOL);
    free(in.p);

    in = (struct bytes){0};
    frame(&in, 0x02, "a", 1);
    frame(&in, 0x81, "b", 1);
    EXPECT("new message inside a fragmented one", &in, 1 << 20, "\x88\x02\x03\xea",
           CONN_ERR_PROTOCOL);
    free(in.p);

    in = (struct bytes){0};
    frame(&in, 0x81, "ok\xc0\xaf", 4);
    EXPECT("overlong encoding", &in, 1 << 20, "\x88\x02\x03\xef", CONN_ERR_UTF8);
    free(in.p);

    in = (struct bytes){0};
    frame(&in, 0x81, "\xe2\x82", 2);
    EXPECT("text ending inside a code point", &in, 1 << 20, "\x88\x02\x03\xef", CONN_ERR_UTF8);
    free(in.p);

    in = (struct bytes){0};
    frame(&in, 0x88, "\x03\xe8\xff", 3);
    EXPECT("close reason not UTF-8", &in, 1 << 20, "\x88\x02\x03\xef", CONN_ERR_UTF8);
    free(in.p);

    /* 1009 at the header, before any payload is buffered: 11 > 10 */
    in = (struct bytes){0};
    frame(&in, 0x82, "0123456789A", 11);
    EXPECT("over --max-message", &in, 10, "\x88\x02\x03\xf1", CONN_ERR_TOO_BIG);
    free(in.p);

    /* ... and across fragments: 6 + 5 > 10; exactly 10 is fine */
    in = (struct bytes){0};
    frame(&in, 0x02, "012345", 6);
    frame(&in, 0x80, "6789", 4);
    frame(&in, 0x02, "012345", 6);
    frame(&in, 0x80, "6789A", 5);
    EXPECT("fragments over --max-message", &in, 10,
           "\x82\x0a" "0123456789" "\x88\x02\x03\xf1", CONN_ERR_TOO_BIG);
    free(in.p);
}

/* Invalid UTF-8 is refused as soon as the byte arrives, not at the end of a
 * frame that may never come. */
static void test_fail_fast(void)
{
    struct conn c = {.state = CONN_OPEN};
    struct conn_out o = {0};
    struct conn_limits lim = {.max_message = 1 << 20, .max_header = 8192};
    /* header of a 1000-byte text frame with a zero mask, then one 0xff */
    uint8_t p[] = {0x81, 0xfe, 0x03, 0xe8, 0, 0, 0, 0, 'o', 'k', 0xff};
    enum conn_result r = conn_feed(&c, p, sizeof p, &o, &lim);
    CHECK(r == CONN_ERR_UTF8 && o.len == 4 && memcmp(o.buf, "\x88\x02\x03\xef", 4) == 0,
          "fail fast: result %s, %zu bytes", conn_result_name(r), o.len);
    conn_release(&c);
    free(o.buf);
}

/* While a connection has unsent bytes, new output queues behind them. */
static void test_order_with_backlog(void)
{
    struct conn c = {.state = CONN_OPEN};
    struct conn_out o = {0};
    struct conn_limits lim = {.max_message = 1 << 20, .max_header = 8192};
    struct bytes in = {0};
    frame(&in, 0x82, "one", 3);
    conn_feed(&c, in.p, in.len, &o, &lim);
    CHECK(conn_keep_unsent(&c, &o, 2) == 0 && o.len == 0 && conn_unsent(&c) == 3,
          "the socket took 2 of 5 bytes: 3 must be queued");
    free(in.p);
    in = (struct bytes){0};
    frame(&in, 0x82, "two", 3);
    conn_feed(&c, in.p, in.len, &o, &lim);
    CHECK(o.len == 0 && conn_unsent(&c) == 8 &&
          memcmp(c.out + c.out_off, "one\x82\x03two", 8) == 0, "order kept behind a backlog");
    free(in.p);
    conn_release(&c);
    free(o.buf);
}

static void test_handshake(void)
{
    static const char req[] =
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n";
    static const char resp[] =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi";
    struct bytes in = {0};
    put(&in, req, sizeof req - 1);
    frame(&in, 0x81, "hi", 2); /* sent right behind the request */
    expect("RFC 6455 handshake + frame", &in, true, 1 << 20, resp, sizeof resp - 1, CONN_OK, true);
    free(in.p);

    in = (struct bytes){0};
    put(&in, "POST / HTTP/1.1\r\nHost: x\r\n\r\n", 28);
    struct run r = feed(&in, 1, true, 1 << 20);
    CHECK(r.result == CONN_ERR_HANDSHAKE && r.wire.len > 12 &&
          memcmp(r.wire.p, "HTTP/1.1 405", 12) == 0, "POST refused with 405");
    free(r.wire.p);
    free(in.p);
}

int main(void)
{
    test_rfc_examples();
    test_sizes();
    test_text_and_close();
    test_errors();
    test_fail_fast();
    test_order_with_backlog();
    test_handshake();
    return check_done("test_conn");
}
