/* The message codec: exact frame bytes, and the echo checker fed whole,
 * one byte at a time, coalesced with following frames, fragmented, and
 * given every kind of wrong echo. */
#include <string.h>

#include "check.h"
#include "message.h"

/* An unmasked server frame echoing message h of size bytes. */
static size_t echo_frame(uint8_t *out, const struct message_head *h, size_t size,
                         uint8_t opcode, bool fin, size_t from, size_t to)
{
    static uint8_t tmp[4096];
    static const uint8_t zero[4] = {0, 0, 0, 0};
    size_t hl0 = message_build_frame(tmp, h, size, zero) - size;
    size_t hl = wsc_header_write(out, fin, opcode, to - from, NULL);
    memcpy(out + hl, tmp + hl0 + from, to - from);
    return hl + to - from;
}

struct feed_result {
    int n;
    struct message_rx_out ev[16];
};

/* Feeds p[0..n) in pieces of `step` bytes, collecting events. */
static void feed(struct message_rx *rx, uint32_t client, uint32_t *seq, size_t size,
                 const uint8_t *p, size_t n, size_t step, struct feed_result *res)
{
    res->n = 0;
    for (size_t at = 0; at < n;) {
        size_t piece = step < n - at ? step : n - at, off = 0;
        while (off < piece) {
            struct message_rx_out o;
            size_t k = message_rx_feed(rx, client, *seq, size, p + at + off, piece - off, &o);
            if (k == 0 && o.kind == MESSAGE_RX_NONE) {
                CHECK(false, "feed consumed nothing (step %zu)", step);
                return;
            }
            off += k;
            if (o.kind != MESSAGE_RX_NONE && res->n < 16) {
                res->ev[res->n++] = o;
                if (o.kind == MESSAGE_RX_ECHO)
                    (*seq)++;
            }
            if (o.kind == MESSAGE_RX_ERROR)
                return;
        }
        at += piece;
    }
}

static const char *reason_of(const uint8_t *p, size_t n, uint32_t seq, size_t size)
{
    static struct message_rx_out last;
    struct message_rx rx;
    struct feed_result res;
    message_rx_init(&rx);
    feed(&rx, 7, &seq, size, p, n, n, &res);
    if (res.n == 0 || res.ev[res.n - 1].kind != MESSAGE_RX_ERROR)
        return "(no error)";
    last = res.ev[res.n - 1];
    /* and the decoder stays failed */
    struct message_rx_out o;
    uint8_t b = 0x82;
    CHECK(message_rx_feed(&rx, 7, seq, size, &b, 1, &o) == 1 && o.kind == MESSAGE_RX_ERROR);
    return last.reason;
}

int main(void)
{
    /* frame bytes, zero mask (payload in clear) */
    uint8_t f[4096];
    struct message_head h = {1, 2, 0x0102030405060708ULL};
    static const uint8_t zero[4] = {0, 0, 0, 0}, mask[4] = {1, 2, 3, 4};
    size_t n = message_build_frame(f, &h, 18, zero);
    static const uint8_t want[] = {
        0x82, 0x80 | 18, 0, 0, 0, 0,
        1, 0, 0, 0, 2, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1,
        0x32, 0x39,   /* filler: (131*1 + 31*2 + 7*off + 1) & 255 at off 16, 17 */
    };
    CHECK(n == sizeof want && memcmp(f, want, n) == 0);

    /* frame bytes, mask 01 02 03 04 */
    n = message_build_frame(f, &h, 18, mask);
    CHECK(n == 24 && f[1] == (0x80 | 18) && memcmp(f + 2, mask, 4) == 0);
    CHECK(f[6] == (1 ^ 1) && f[7] == 2 && f[8] == 3 && f[9] == 4);
    CHECK(f[10] == (2 ^ 1) && f[22] == (0x32 ^ 1) && f[23] == (0x39 ^ 2));

    /* the smallest message: 16 bytes, all head */
    n = message_build_frame(f, &h, MESSAGE_MIN_SIZE, zero);
    CHECK(MESSAGE_MIN_SIZE == 16 && n == 22 && f[1] == (0x80 | 16) && memcmp(f + 2, want + 2, 20) == 0);

    /* filler from the pattern table equals the per-byte formula */
    {
        static uint8_t big_p[3000];
        struct message_head fh = {123457, 99991, 5};
        payload_write(big_p, &fh, sizeof big_p);
        size_t bad_at = 0;
        for (size_t o = MESSAGE_HEAD_LEN; o < sizeof big_p && !bad_at; o++)
            if (big_p[o] != message_filler(fh.client, fh.seq, o))
                bad_at = o;
        CHECK(bad_at == 0, "first differing offset %zu", bad_at);
        uint8_t head[MESSAGE_HEAD_LEN];
        CHECK(payload_check(head, fh.client, fh.seq, 0, big_p, sizeof big_p));
        big_p[2999] ^= 1;
        CHECK(!payload_check(head, fh.client, fh.seq, 0, big_p, sizeof big_p));
    }

    /* 16-bit length for 126 bytes */
    n = message_build_frame(f, &h, 126, mask);
    CHECK(n == 2 + 2 + 4 + 126 && f[1] == (0x80 | 126) && f[2] == 0 && f[3] == 126);

    /* head round trip */
    struct message_head big = {0xdeadbeef, 0x01020304, 0x1122334455667788ULL}, back;
    message_build_frame(f, &big, 16, zero);
    message_head_decode(f + 6, &back);
    CHECK(memcmp(&big, &back, sizeof big) == 0);

    /* A stream: echo 0, ping "hi", echo 1, close 1000. */
    uint8_t s[4096];
    size_t len = 0;
    struct message_head e0 = {7, 0, 150}, e1 = {7, 1, 1000120};
    len += echo_frame(s + len, &e0, 33, WSC_OP_BINARY, true, 0, 33);
    size_t first = len;
    s[len++] = 0x89; s[len++] = 2; s[len++] = 'h'; s[len++] = 'i';
    len += echo_frame(s + len, &e1, 33, WSC_OP_BINARY, true, 0, 33);
    s[len++] = 0x88; s[len++] = 2; s[len++] = 0x03; s[len++] = 0xe8;

    static const size_t steps[] = {4096, 1, 2, 3, 7, 13};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        /* the stream fed steps[k] bytes at a time */
        struct message_rx rx;
        struct feed_result res;
        uint32_t seq = 0;
        message_rx_init(&rx);
        feed(&rx, 7, &seq, 33, s, len, steps[k], &res);
        CHECK(res.n == 4, "fed %zu byte(s) at a time: %d events", steps[k], res.n);
        CHECK(res.ev[0].kind == MESSAGE_RX_ECHO && res.ev[0].head.seq == 0 &&
              res.ev[0].head.sent_us == 150 &&
              res.ev[0].head.client == 7);
        CHECK(res.ev[1].kind == MESSAGE_RX_PING);
        CHECK(res.ev[2].kind == MESSAGE_RX_ECHO && res.ev[2].head.seq == 1 &&
              res.ev[2].head.sent_us == 1000120);
        CHECK(res.ev[3].kind == MESSAGE_RX_CLOSE && res.ev[3].close_code == 1000);
        CHECK(seq == 2);
    }

    /* feed stops right after the frame that made an event */
    {
        struct message_rx rx;
        struct message_rx_out o;
        message_rx_init(&rx);
        CHECK(message_rx_feed(&rx, 7, 0, 33, s, len, &o) == first && o.kind == MESSAGE_RX_ECHO);
        CHECK(message_rx_feed(&rx, 7, 1, 33, s + first, len - first, &o) == 4 &&
              o.kind == MESSAGE_RX_PING && memcmp(rx.ctrl, "hi", 2) == 0);
    }

    /* fragmented echo with a ping between the fragments */
    {
        uint8_t g[512];
        size_t gl = echo_frame(g, &e0, 33, WSC_OP_BINARY, false, 0, 10);
        g[gl++] = 0x89; g[gl++] = 0;
        gl += echo_frame(g + gl, &e0, 33, WSC_OP_CONT, false, 10, 30);
        gl += echo_frame(g + gl, &e0, 33, WSC_OP_CONT, true, 30, 33);
        for (size_t step = 1; step <= gl; step += gl - 1) {
            struct message_rx rx;
            struct feed_result res;
            uint32_t seq = 0;
            message_rx_init(&rx);
            feed(&rx, 7, &seq, 33, g, gl, step, &res);
            CHECK(res.n == 2 && res.ev[0].kind == MESSAGE_RX_PING &&
                  res.ev[1].kind == MESSAGE_RX_ECHO && res.ev[1].head.sent_us == 150);
        }
    }

    /* a pong does not overwrite the ping payload still to be answered */
    {
        uint8_t c[] = {0x89, 2, 'h', 'i', 0x8a, 3, 'x', 'y', 'z'};
        struct message_rx rx;
        struct feed_result res;
        uint32_t seq = 0;
        message_rx_init(&rx);
        feed(&rx, 7, &seq, 33, c, sizeof c, sizeof c, &res);
        CHECK(res.n == 2 && res.ev[0].kind == MESSAGE_RX_PING && res.ev[1].kind == MESSAGE_RX_PONG);
        CHECK(rx.ctrl_len == 2 && memcmp(rx.ctrl, "hi", 2) == 0);
    }

    /* close without a code is 1005 */
    {
        uint8_t c[2] = {0x88, 0};
        struct message_rx rx;
        struct message_rx_out o;
        message_rx_init(&rx);
        CHECK(message_rx_feed(&rx, 7, 0, 33, c, 2, &o) == 2 && o.kind == MESSAGE_RX_CLOSE &&
              o.close_code == 1005);
    }

    /* wrong echoes */
    {
        uint8_t b[512];
        size_t bl = echo_frame(b, &e0, 33, WSC_OP_BINARY, true, 0, 33);
        b[bl - 1] ^= 0x10;     /* last filler byte */
        CHECK(strcmp(reason_of(b, bl, 0, 33), "bad_echo") == 0);
        b[bl - 1] ^= 0x10;
        CHECK(strcmp(reason_of(b, bl, 0, 33), "(no error)") == 0);
        CHECK(strcmp(reason_of(b, bl, 1, 33), "bad_echo") == 0);   /* a gap: seq 0 when 1 is due */
        struct message_head other = {8, 0, 150};
        bl = echo_frame(b, &other, 33, WSC_OP_BINARY, true, 0, 33);
        CHECK(strcmp(reason_of(b, bl, 0, 33), "bad_echo") == 0);   /* another client's */
        bl = echo_frame(b, &e0, 33, WSC_OP_TEXT, true, 0, 33);
        CHECK(strcmp(reason_of(b, bl, 0, 33), "bad_echo") == 0);   /* text for binary */
        bl = echo_frame(b, &e0, 33, WSC_OP_BINARY, true, 0, 32);
        CHECK(strcmp(reason_of(b, bl, 0, 33), "bad_echo") == 0);   /* one byte short */
        bl = echo_frame(b, &e0, 34, WSC_OP_BINARY, true, 0, 34);
        CHECK(strcmp(reason_of(b, bl, 0, 33), "bad_echo") == 0);   /* one byte long */
        bl = echo_frame(b, &e0, 33, WSC_OP_CONT, true, 0, 33);
        CHECK(strcmp(reason_of(b, bl, 0, 33), "protocol_error:unexpected_continuation") == 0);
        bl = echo_frame(b, &e0, 33, WSC_OP_BINARY, true, 0, 33);
        b[0] |= 0x40;
        CHECK(strcmp(reason_of(b, bl, 0, 33), "protocol_error:reserved_bits_set") == 0);
        bl = message_build_frame(b, &e0, 33, mask);
        CHECK(strcmp(reason_of(b, bl, 0, 33), "protocol_error:masked_server_frame") == 0);
        uint8_t bigping[] = {0x89, 126, 0, 126};
        CHECK(strcmp(reason_of(bigping, 4, 0, 33), "protocol_error:control_frame_over_125_bytes") == 0);
        uint8_t op3[] = {0x83, 0};
        CHECK(strcmp(reason_of(op3, 2, 0, 33), "protocol_error:reserved_opcode") == 0);
        uint8_t len64[] = {0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1};
        CHECK(strcmp(reason_of(len64, 10, 0, 33), "protocol_error:bad_length") == 0);
        uint8_t two[600];
        size_t tl = echo_frame(two, &e0, 33, WSC_OP_BINARY, false, 0, 10);
        tl += echo_frame(two + tl, &e0, 33, WSC_OP_BINARY, true, 10, 33);
        CHECK(strcmp(reason_of(two, tl, 0, 33), "protocol_error:expected_continuation") == 0);
    }
    {
        /* After an error, later calls repeat that error, not another one. */
        struct message_rx rx;
        struct message_rx_out o;
        message_rx_init(&rx);
        uint8_t rsv[] = {0xC2, 0};
        uint8_t good[64];
        size_t gl = echo_frame(good, &e0, 33, WSC_OP_BINARY, true, 0, 33);
        CHECK(message_rx_feed(&rx, 7, 0, 33, rsv, 2, &o) == 2 && o.kind == MESSAGE_RX_ERROR);
        CHECK(message_rx_feed(&rx, 7, 0, 33, good, gl, &o) == gl && o.kind == MESSAGE_RX_ERROR &&
              strcmp(o.reason, "protocol_error:reserved_bits_set") == 0);
    }
    return check_done("test_message");
}
