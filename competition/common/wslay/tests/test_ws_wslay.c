/* Unit tests of the wslay glue (ws_wslay.c) through a
 * fake socket: exact output bytes for coalesced, byte-at-a-time and every
 * two-piece split of the input; fail-fast close codes; idle context release
 * only at message boundaries; backpressure; shutdown; a connection upgraded
 * by the framework; handshake deadline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "ws_frame.h"
#include "ws_upgrade.h"
#include "ws_wslay.h"

/* ---- fake socket ---- */

static uint8_t out[4 << 20];
static size_t out_len;
static bool blocked;
static int shutdowns;

static ssize_t fake_send(void *user, const uint8_t *buf, size_t len, bool more)
{
    (void)user, (void)more;
    if (blocked) {
        errno = EAGAIN;
        return -1;
    }
    CHECK(out_len + len <= sizeof out, "fake socket full");
    if (out_len + len > sizeof out) {
        errno = EPIPE;
        return -1;
    }
    memcpy(out + out_len, buf, len);
    out_len += len;
    return (ssize_t)len;
}

static void fake_shutdown(void *user)
{
    (void)user;
    shutdowns++;
}

static const struct ws_wslay_io fake_io = {NULL, fake_send, fake_shutdown};

/* ---- byte strings ---- */

struct bytes {
    uint8_t p[1 << 20];
    size_t n;
};

static void put(struct bytes *b, const void *p, size_t n)
{
    CHECK(b->n + n <= sizeof b->p, "test input too long");
    if (b->n + n > sizeof b->p)
        return;
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static const char request[] =
    "GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

static void put_client_frame(struct bytes *b, bool fin, uint8_t op, const void *payload,
                             size_t n)
{
    static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    uint8_t h[WS_FRAME_MAX_HEADER];
    put(b, h, ws_frame_write_header(h, fin, op, n, mask));
    size_t at = b->n;
    put(b, payload, n);
    ws_frame_mask(b->p + at, n, mask, 0);
}

/* Server frames written out by hand: 0x80|opcode, then the length. */
static void put_server_frame(struct bytes *b, uint8_t op, const void *payload, size_t n)
{
    uint8_t h[10] = {(uint8_t)(0x80 | op)};
    size_t hn = 2;
    if (n < 126) {
        h[1] = (uint8_t)n;
    } else if (n < 65536) {
        h[1] = 126, h[2] = (uint8_t)(n >> 8), h[3] = (uint8_t)n;
        hn = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
        hn = 10;
    }
    put(b, h, hn);
    put(b, payload, n);
}

static const char accept_101[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/* The output starts with a 101 carrying the RFC 6455 example accept key;
 * returns the length of the response. */
static size_t check_101(void)
{
    const uint8_t *end = memmem(out, out_len, "\r\n\r\n", 4);
    CHECK(end, "no end of the response head");
    if (!end)
        return out_len;
    size_t n = (size_t)(end - out) + 4;
    CHECK(memcmp(out, "HTTP/1.1 101", 12) == 0);
    CHECK(memmem(out, n, accept_101, strlen(accept_101)));
    return n;
}

static struct args_holder {
    struct ws_args a;
} cfg;

static void setup(size_t max_message, int handshake_ms)
{
    cfg.a = (struct ws_args){.name = "test", .host = "127.0.0.1", .port = 0, .workers = 1,
                             .max_message = max_message,
                             .handshake_timeout_ms = handshake_ms, .max_header = 8192};
    ws_wslay_setup(&fake_io, &cfg.a);
}

static void reset_out(void)
{
    out_len = 0;
    blocked = false;
    shutdowns = 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int expired;
static void on_expire(void *user)
{
    expired++;
    ws_wslay_release(user);
}

static void tick_for(int ms)
{
    for (int t = 0; t < ms; t += WS_WSLAY_TICK_MS) {
        sleep_ms(WS_WSLAY_TICK_MS);
        ws_wslay_tick(on_expire);
    }
}

/* ---- tests ---- */

static struct bytes in, want;

/* Feeds in[] in pieces whose boundaries are given by split (0: none) or
 * one byte at a time (step 1); every result must be OK until the end. */
static void feed(struct ws_wslay_conn *c, size_t split, size_t step)
{
    size_t at = 0;
    while (at < in.n) {
        size_t n = step ? step : (split && at < split ? split - at : in.n - at);
        if (at + n > in.n)
            n = in.n - at;
        CHECK(ws_wslay_input(c, in.p + at, n) == WS_WSLAY_OK);
        at += n;
    }
}

static void test_echo_any_split(void)
{
    static uint8_t big[300];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)i;
    in.n = 0;
    put(&in, request, strlen(request));
    /* The ping comes first: wslay sends control frames ahead of queued
     * data, so a later pong's place would depend on how input is split. */
    put_client_frame(&in, true, WS_OP_PING, "p!", 2);
    put_client_frame(&in, true, WS_OP_TEXT, "Hello", 5);
    put_client_frame(&in, true, WS_OP_BINARY, big, sizeof big);
    put_client_frame(&in, false, WS_OP_TEXT, "fra", 3);
    put_client_frame(&in, true, WS_OP_PONG, "ignored", 7);
    put_client_frame(&in, true, WS_OP_CONT, "gment", 5);
    put_client_frame(&in, true, WS_OP_CLOSE, "\x03\xe8" "bye", 5);
    size_t frames_at = strlen(request);

    want.n = 0;
    put_server_frame(&want, WS_OP_PONG, "p!", 2);
    put_server_frame(&want, WS_OP_TEXT, "Hello", 5);
    put_server_frame(&want, WS_OP_BINARY, big, sizeof big);
    put_server_frame(&want, WS_OP_TEXT, "fragment", 8);
    put_server_frame(&want, WS_OP_CLOSE, "\x03\xe8" "bye", 5);

    /* Coalesced, byte at a time, then every split into two pieces. */
    for (size_t mode = 0; mode < 2 + in.n; mode++) {
        struct ws_wslay_conn c;
        reset_out();
        ws_wslay_open(&c, &c);
        if (mode == 0)
            feed(&c, 0, 0);
        else if (mode == 1)
            feed(&c, 0, 1);
        else
            feed(&c, mode - 1, 0);
        size_t head = check_101();
        if (out_len - head != want.n || memcmp(out + head, want.p, want.n) != 0) {
            for (size_t i = head; i < out_len && i < head + 40; i++)
                fprintf(stderr, " %02x", out[i]);
            fprintf(stderr, "\nmode %zu (frames start at %zu): %zu bytes out, want %zu\n",
                    mode, frames_at, out_len - head, want.n);
            CHECK(0);
        }
        CHECK(shutdowns == 1); /* lingering close after the close handshake */
        CHECK(!ws_wslay_want_write(&c));
        CHECK(ws_wslay_input(&c, in.p, 0) == WS_WSLAY_CLOSE); /* peer's FIN */
        ws_wslay_release(&c);
    }
}

/* Sends the request plus the given frames bytes; expects exactly the close
 * frame close[0..2) (a status code) and a half-close. */
static void expect_close(const struct bytes *frames, unsigned code, const char *what)
{
    struct ws_wslay_conn c;
    reset_out();
    ws_wslay_open(&c, &c);
    CHECK(ws_wslay_input(&c, (const uint8_t *)request, strlen(request)) == WS_WSLAY_OK);
    size_t head = check_101();
    CHECK(ws_wslay_input(&c, frames->p, frames->n) == WS_WSLAY_OK);
    uint8_t close[4] = {0x88, 2, (uint8_t)(code >> 8), (uint8_t)code};
    if (out_len - head != 4 || memcmp(out + head, close, 4) != 0) {
        fprintf(stderr, "%s: want close %u, got %zu bytes", what, code, out_len - head);
        for (size_t i = head; i < out_len && i < head + 8; i++)
            fprintf(stderr, " %02x", out[i]);
        fprintf(stderr, "\n");
        CHECK(0);
    }
    CHECK(shutdowns == 1);
    ws_wslay_release(&c);
}

static void test_fail_fast(void)
{
    static struct bytes f;
    uint8_t h[WS_FRAME_MAX_HEADER];
    /* Only a header announcing one byte over the limit: 1009 at once. */
    f.n = 0;
    put(&f, h, ws_frame_write_header(h, true, WS_OP_BINARY, (1u << 20) + 1, (uint8_t[4]){1, 2, 3, 4}));
    expect_close(&f, 1009, "frame over max");
    /* Fragments adding up to one over: 1009 on the second header. */
    static uint8_t half[(1u << 19) + 1];
    f.n = 0;
    put_client_frame(&f, false, WS_OP_TEXT, half, sizeof half);
    put(&f, h, ws_frame_write_header(h, true, WS_OP_CONT, 1u << 19, (uint8_t[4]){1, 2, 3, 4}));
    expect_close(&f, 1009, "fragments over max");
    /* Exactly the limit echoes (checked end to end in echo_test.py). */
    f.n = 0;
    put_client_frame(&f, false, WS_OP_PING, "x", 1);
    expect_close(&f, 1002, "fragmented ping");
    f.n = 0;
    put(&f, "\x82\x7e\x00\x05\x01\x02\x03\x04", 8); /* 16-bit length for 5 */
    expect_close(&f, 1002, "non-minimal length");
    f.n = 0;
    put_client_frame(&f, true, WS_OP_CLOSE, "\x03", 1);
    expect_close(&f, 1002, "close with 1 byte");
    f.n = 0;
    put_client_frame(&f, true, WS_OP_CLOSE, "\x03\xed", 2);
    expect_close(&f, 1002, "close code 1005");
    f.n = 0;
    put_client_frame(&f, true, WS_OP_CLOSE, "\x03\xf4", 2);
    expect_close(&f, 1012, "close code 1012 echoed");
    f.n = 0;
    put_client_frame(&f, true, WS_OP_CLOSE, "\x03\xf5\xc0", 3);
    expect_close(&f, 1007, "close code 1013 with a reason that is not UTF-8");
    f.n = 0;
    put_client_frame(&f, false, WS_OP_TEXT, "ok\xff", 3);
    expect_close(&f, 1007, "invalid UTF-8 in a first fragment");
    f.n = 0;
    put_client_frame(&f, true, WS_OP_CLOSE, "\x03\xe8\xc0\xaf", 4);
    expect_close(&f, 1007, "invalid UTF-8 close reason");
    f.n = 0;
    put(&f, "\xc1\x80\x01\x02\x03\x04", 6); /* RSV1 */
    expect_close(&f, 1002, "RSV1");
}

/* Opens c and upgrades it; returns the length of the 101 in out. */
static size_t upgrade(struct ws_wslay_conn *c)
{
    reset_out();
    ws_wslay_open(c, c);
    CHECK(ws_wslay_input(c, (const uint8_t *)request, strlen(request)) == WS_WSLAY_OK);
    return check_101();
}

/* A message, then a frame to refuse, in one read or split anywhere: the
 * message is echoed before the close 1002, never dropped for it (the
 * conformance harness's cases 3.2 and 4.1.3: RSV2, a reserved opcode). */
static void test_echo_before_fail(void)
{
    static struct bytes frames;
    const char *bad[] = {"\xa1\x80\x01\x02\x03\x04", "\x85\x80\x01\x02\x03\x04"};
    for (size_t b = 0; b < 2; b++) {
        frames.n = 0;
        put_client_frame(&frames, true, WS_OP_TEXT, "Hello", 5);
        put(&frames, bad[b], 6);
        want.n = 0;
        put_server_frame(&want, WS_OP_TEXT, "Hello", 5);
        put(&want, "\x88\x02\x03\xea", 4);
        for (size_t at = 1; at <= frames.n; at++) { /* at = n: one read */
            struct ws_wslay_conn c;
            size_t head = upgrade(&c);
            CHECK(ws_wslay_input(&c, frames.p, at) == WS_WSLAY_OK);
            if (at < frames.n) /* (an empty input is the peer's FIN) */
                CHECK(ws_wslay_input(&c, frames.p + at, frames.n - at) == WS_WSLAY_OK);
            CHECK(out_len - head == want.n && memcmp(out + head, want.p, want.n) == 0,
                  "bad frame %zu, split at %zu: %zu bytes out, want %zu", b, at, out_len - head, want.n);
            CHECK(shutdowns == 1);
            ws_wslay_release(&c);
        }
    }
}

/* Feeds n bytes of in to c; they must be echoed as frame op with payload p. */
static void feed_expect(struct ws_wslay_conn *c, size_t n, uint8_t op, const char *p)
{
    reset_out();
    CHECK(ws_wslay_input(c, in.p, n) == WS_WSLAY_OK);
    want.n = 0;
    if (p)
        put_server_frame(&want, op, p, strlen(p));
    CHECK(out_len == want.n && memcmp(out, want.p, want.n) == 0, "echo of %s", p ? p : "-");
}

static void test_idle_release(void)
{
    struct ws_wslay_conn quiet, half, frag, chatty;
    struct ws_wslay_conn *all[] = {&quiet, &half, &frag, &chatty};
    for (int i = 0; i < 4; i++)
        upgrade(all[i]);
    CHECK(quiet.ctx == NULL); /* nothing allocated for an upgraded, silent client */

    in.n = 0;
    put_client_frame(&in, true, WS_OP_TEXT, "one", 3);
    feed_expect(&quiet, in.n, WS_OP_TEXT, "one");
    CHECK(quiet.ctx != NULL);
    /* Half a frame: the context must stay however long it is quiet. */
    in.n = 0;
    put_client_frame(&in, true, WS_OP_BINARY, "two-two", 7);
    feed_expect(&half, 5, 0, NULL);
    /* A first fragment: still kept (message in progress). */
    in.n = 0;
    put_client_frame(&in, false, WS_OP_TEXT, "thr", 3);
    feed_expect(&frag, in.n, 0, NULL);
    /* One message every 1.2 s, slower than the C10K workload's and well
     * past a tick: the context is never released, so never rebuilt. */
    struct wslay_event_context *chatty_ctx = NULL;
    for (int i = 0; i < 4; i++) {
        in.n = 0;
        put_client_frame(&in, true, WS_OP_BINARY, "tick", 4);
        feed_expect(&chatty, in.n, WS_OP_BINARY, "tick");
        CHECK(i == 0 || chatty.ctx == chatty_ctx, "context rebuilt after message %d", i);
        chatty_ctx = chatty.ctx;
        tick_for(1200);
        if (i == 0)
            CHECK(quiet.ctx != NULL); /* quiet for 1.2 s: not yet */
    }
    tick_for(2200); /* quiet for 3.4 s now */
    CHECK(quiet.ctx == NULL && chatty.ctx == NULL); /* quiet at a boundary: released */
    CHECK(half.ctx != NULL && frag.ctx != NULL);

    in.n = 0;
    put_client_frame(&in, true, WS_OP_BINARY, "two-two", 7);
    reset_out();
    CHECK(ws_wslay_input(&half, in.p + 5, in.n - 5) == WS_WSLAY_OK);
    want.n = 0;
    put_server_frame(&want, WS_OP_BINARY, "two-two", 7);
    CHECK(out_len == want.n && memcmp(out, want.p, want.n) == 0, "echo of two-two");
    in.n = 0;
    put_client_frame(&in, true, WS_OP_CONT, "ee", 2);
    feed_expect(&frag, in.n, WS_OP_TEXT, "three");
    for (int i = 0; i < 4; i++)
        ws_wslay_release(all[i]);
}

static void test_backpressure(void)
{
    static uint8_t msg[64 << 10];
    memset(msg, 'b', sizeof msg);
    struct ws_wslay_conn c;
    reset_out();
    ws_wslay_open(&c, &c);
    CHECK(ws_wslay_input(&c, (const uint8_t *)request, strlen(request)) == WS_WSLAY_OK);
    size_t head = check_101();
    blocked = true; /* the client stops reading */
    in.n = 0;
    put_client_frame(&in, true, WS_OP_BINARY, msg, sizeof msg);
    int sent = 0;
    while (ws_wslay_want_read(&c)) {
        CHECK(sent < 100);
        CHECK(ws_wslay_input(&c, in.p, in.n) == WS_WSLAY_OK);
        sent++;
    }
    CHECK(sent == 4); /* 4 x 64 KiB reach the 256 KiB bound */
    CHECK(ws_wslay_want_write(&c));
    blocked = false;
    CHECK(ws_wslay_output(&c) == WS_WSLAY_OK);
    CHECK(ws_wslay_want_read(&c) && !ws_wslay_want_write(&c));
    want.n = 0;
    for (int i = 0; i < sent; i++)
        put_server_frame(&want, WS_OP_BINARY, msg, sizeof msg);
    CHECK(out_len - head == want.n && memcmp(out + head, want.p, want.n) == 0);
    ws_wslay_release(&c);
}

/* Shutdown reaches every connection, whatever its state, exactly once. */
static void test_close_all(void)
{
    struct ws_wslay_conn hs, idle, busy, closing;
    struct ws_wslay_conn *upgraded[] = {&idle, &busy, &closing};
    reset_out();
    expired = 0;
    ws_wslay_open(&hs, &hs);
    CHECK(ws_wslay_input(&hs, (const uint8_t *)request, 20) == WS_WSLAY_OK);
    for (int i = 0; i < 3; i++) {
        ws_wslay_open(upgraded[i], upgraded[i]);
        CHECK(ws_wslay_input(upgraded[i], (const uint8_t *)request, strlen(request)) ==
              WS_WSLAY_OK);
    }
    in.n = 0;
    put_client_frame(&in, false, WS_OP_TEXT, "part", 4);
    CHECK(ws_wslay_input(&busy, in.p, in.n) == WS_WSLAY_OK);
    CHECK(idle.ctx == NULL && busy.ctx != NULL);
    in.n = 0;
    put_client_frame(&in, true, WS_OP_CLOSE, "\x03\xe8", 2);
    CHECK(ws_wslay_input(&closing, in.p, in.n) == WS_WSLAY_OK);
    CHECK(shutdowns == 1); /* lingering */
    ws_wslay_close_all(on_expire);
    CHECK(expired == 4);
    ws_wslay_close_all(on_expire);
    CHECK(expired == 4);
}

/* A connection the framework upgraded itself: no 101 from the glue, no
 * context until a frame byte, the same echoes, idle release and close. */
static void test_open_upgraded(void)
{
    struct ws_wslay_conn c;
    reset_out();
    expired = 0;
    uint64_t upgraded = ws_wslay_stats()->upgraded;
    ws_wslay_open_upgraded(&c, &c);
    CHECK(ws_wslay_stats()->upgraded == upgraded + 1);
    CHECK(c.ctx == NULL && ws_wslay_want_read(&c) && !ws_wslay_want_write(&c));
    tick_for(5200); /* longer than the handshake deadline: nothing expires */
    CHECK(expired == 0 && out_len == 0);

    in.n = 0;
    put_client_frame(&in, true, WS_OP_TEXT, "Hello", 5);
    put_client_frame(&in, true, WS_OP_PING, "p", 1);
    for (size_t i = 0; i < in.n; i++) /* byte at a time */
        CHECK(ws_wslay_input(&c, in.p + i, 1) == WS_WSLAY_OK);
    CHECK(c.ctx != NULL);
    want.n = 0;
    put_server_frame(&want, WS_OP_TEXT, "Hello", 5);
    put_server_frame(&want, WS_OP_PONG, "p", 1);
    CHECK(out_len == want.n && memcmp(out, want.p, want.n) == 0);
    tick_for(3400); /* the release's 2-3 s of quiet (ws_wslay.h) */
    CHECK(c.ctx == NULL); /* quiet at a boundary: released */

    in.n = 0;
    put_client_frame(&in, true, WS_OP_CLOSE, "\x03\xe8", 2);
    CHECK(ws_wslay_input(&c, in.p, in.n) == WS_WSLAY_OK);
    put_server_frame(&want, WS_OP_CLOSE, "\x03\xe8", 2);
    CHECK(out_len == want.n && memcmp(out, want.p, want.n) == 0);
    CHECK(shutdowns == 1);
    CHECK(ws_wslay_input(&c, in.p, 0) == WS_WSLAY_CLOSE); /* peer's FIN */
    ws_wslay_release(&c);

    /* Shutdown reaches an upgraded connection that never sent a byte. */
    ws_wslay_open_upgraded(&c, &c);
    ws_wslay_close_all(on_expire);
    CHECK(expired == 1);
}

static void test_handshake_deadline(void)
{
    setup(1u << 20, 300);
    struct ws_wslay_conn c;
    reset_out();
    expired = 0;
    ws_wslay_open(&c, &c);
    CHECK(ws_wslay_input(&c, (const uint8_t *)request, 20) == WS_WSLAY_OK);
    tick_for(200);
    CHECK(expired == 0);
    tick_for(300);
    CHECK(expired == 1);
    CHECK(out_len == 0);
    CHECK(ws_wslay_stats()->handshake_timeouts == 1);
}

int main(void)
{
    setup(1u << 20, 5000);
    test_echo_any_split();
    test_fail_fast();
    test_echo_before_fail();
    test_idle_release();
    test_backpressure();
    test_close_all();
    test_open_upgraded();
    test_handshake_deadline();
    return check_done("test_ws_wslay");
}
