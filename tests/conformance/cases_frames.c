/* Framing and echo (1.x), ping/pong (2.x), reserved bits (3.x), reserved
 * opcodes (4.x) and fragmentation (5.x). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "wsc_frame.h"

#define TEXT WSC_OP_TEXT
#define BIN WSC_OP_BINARY
#define CONT WSC_OP_CONT
#define PING WSC_OP_PING
#define PONG WSC_OP_PONG
#define CLOSE WSC_OP_CLOSE
#define RSV1 0x40
#define RSV2 0x20
#define RSV3 0x10

#define ECHO_TEXT 1u
#define ECHO_HEAD_BYTEWISE 2u   /* header and first bytes one write each */

/* Pause between one-byte writes, so the server's reads see them apart. */
#define BYTEWISE_US 50

static void echo_case(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    bool text = c->flags & ECHO_TEXT;
    uint8_t op = text ? TEXT : BIN;
    uint8_t *p = run_pattern(c->n, text);
    run_frame(r, true, 0, op, p, c->n);
    if (c->flags & ECHO_HEAD_BYTEWISE) {
        size_t head = r->wire.len < 20 ? r->wire.len : 20;
        run_send_raw(r, r->wire.p, head, 1, BYTEWISE_US);
        run_send_raw(r, r->wire.p + head, r->wire.len - head, 0, 0);
        r->wire.len = 0;
    } else {
        run_send(r, c->chop, c->chop == 1 ? BYTEWISE_US : 0);
    }
    run_expect_message(r, op, p, c->n);
    run_close_handshake(r);
    free(p);
}

/* RFC 6455 5.5.3 lets a server answer only the latest of several pings it
 * has not answered yet, so skipped pongs are non-strict, not a failure. */
static void pings_case(struct run *r, const struct cf_case *c)
{
    enum { NPINGS = 10 };
    if (!run_open(r))
        return;
    char payload[32];
    for (int i = 0; i < NPINGS; i++) {
        int n = snprintf(payload, sizeof payload, "ping payload %d", i);
        run_frame(r, true, 0, PING, payload, (size_t)n);
    }
    run_send(r, c->chop, c->chop == 1 ? BYTEWISE_US : 0);
    int next = 0, skipped = 0;
    while (next < NPINGS && !run_failed(r)) {
        struct run_event ev;
        run_next_event(r, &ev, RUN_IDLE_MS);
        int j = -1, used = 0;
        if (ev.kind == EV_PONG && ev.len < sizeof payload) {
            memcpy(payload, ev.data, ev.len);
            payload[ev.len] = '\0';
            if (sscanf(payload, "ping payload %d%n", &j, &used) != 1 || (size_t)used != ev.len)
                j = -1;
        }
        if (ev.kind == EV_BAD)
            return;
        if (ev.kind == EV_TIMEOUT) {
            run_fail(r, "timeout: no pong %d of %d after %d ms", next + 1, NPINGS, RUN_IDLE_MS);
            return;
        }
        if (j < next) {
            char got[64];
            run_describe(&ev, got, sizeof got);
            run_fail(r, "expected pong %d of %d, got %s", next + 1, NPINGS, got);
            return;
        }
        skipped += j - next;
        next = j + 1;
    }
    if (skipped)
        run_nonstrict(r, "answered only %d of %d pings (allowed by RFC 6455 5.5.3)",
                      NPINGS - skipped, NPINGS);
    run_close_handshake(r);
}

static void fragments_case(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    uint8_t *p = run_pattern(c->n, false);
    for (size_t i = 0; i < c->n; i++)
        run_frame(r, i + 1 == c->n, 0, i == 0 ? BIN : CONT, p + i, 1);
    run_send(r, 0, 0);
    run_expect_message(r, BIN, p, c->n);
    run_close_handshake(r);
    free(p);
}

#define ECHO(id_, desc_, n_, chop_, fl) \
    { .id = id_, .desc = desc_, .fn = echo_case, .n = n_, .chop = chop_, .flags = fl, \
      .budget_ms = (n_) > (1u << 20) ? CASES_BIG_BUDGET_MS : 0 }

#define KIB(x) ((size_t)(x) << 10)
#define MIB(x) ((size_t)(x) << 20)

static const char p125[] =
    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefg";
static const char p126[] =
    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefgh";
_Static_assert(sizeof p125 - 1 == 125 && sizeof p126 - 1 == 126, "control payload sizes");

const struct cf_case cases_frames[] = {
    ECHO("1.1.1", "text, 0 bytes", 0, 0, ECHO_TEXT),
    ECHO("1.1.2", "text, 125 bytes (longest 7-bit length)", 125, 0, ECHO_TEXT),
    ECHO("1.1.3", "text, 126 bytes (shortest 16-bit length)", 126, 0, ECHO_TEXT),
    ECHO("1.1.4", "text, 127 bytes", 127, 0, ECHO_TEXT),
    ECHO("1.1.5", "text, 128 bytes", 128, 0, ECHO_TEXT),
    ECHO("1.1.6", "text, 65535 bytes (longest 16-bit length)", 65535, 0, ECHO_TEXT),
    ECHO("1.1.7", "text, 65536 bytes (shortest 64-bit length)", 65536, 0, ECHO_TEXT),
    ECHO("1.1.8", "text, 65536 bytes in 997-byte writes", 65536, 997, ECHO_TEXT),
    ECHO("1.1.9", "text, 1 MiB in 4093-byte writes", MIB(1), 4093, ECHO_TEXT),
    ECHO("1.1.10", "text, 16 MiB (the default limit) in 64 KiB writes", MIB(16), KIB(64), ECHO_TEXT),
    ECHO("1.1.11", "text, 0 bytes, one byte per write", 0, 1, ECHO_TEXT),
    ECHO("1.1.12", "text, 125 bytes, one byte per write", 125, 1, ECHO_TEXT),
    ECHO("1.1.13", "text, 126 bytes, one byte per write", 126, 1, ECHO_TEXT),
    ECHO("1.1.14", "text, 127 bytes, one byte per write", 127, 1, ECHO_TEXT),
    ECHO("1.1.15", "text, 65536 bytes, 64-bit length header one byte per write",
         65536, 0, ECHO_TEXT | ECHO_HEAD_BYTEWISE),
    ECHO("1.2.1", "binary, 0 bytes", 0, 0, 0),
    ECHO("1.2.2", "binary, 125 bytes", 125, 0, 0),
    ECHO("1.2.3", "binary, 126 bytes", 126, 0, 0),
    ECHO("1.2.4", "binary, 127 bytes", 127, 0, 0),
    ECHO("1.2.5", "binary, 128 bytes", 128, 0, 0),
    ECHO("1.2.6", "binary, 65535 bytes", 65535, 0, 0),
    ECHO("1.2.7", "binary, 65536 bytes", 65536, 0, 0),
    ECHO("1.2.8", "binary, 65536 bytes in 997-byte writes", 65536, 997, 0),
    ECHO("1.2.9", "binary, 1 MiB in 4093-byte writes", MIB(1), 4093, 0),
    ECHO("1.2.10", "binary, 16 MiB (the default limit) in 64 KiB writes", MIB(16), KIB(64), 0),
    ECHO("1.2.11", "binary, 0 bytes, one byte per write", 0, 1, 0),
    ECHO("1.2.12", "binary, 125 bytes, one byte per write", 125, 1, 0),
    ECHO("1.2.13", "binary, 126 bytes, one byte per write", 126, 1, 0),
    ECHO("1.2.14", "binary, 127 bytes, one byte per write", 127, 1, 0),
    ECHO("1.2.15", "binary, 65536 bytes, 64-bit length header one byte per write",
         65536, 0, ECHO_HEAD_BYTEWISE),
    { .id = "1.3.1", .desc = "unmasked text frame from the client -> close 1002",
      SCRIPT(RAW("\x81\x05Hello"), SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "1.3.2", .desc = "64-bit length with its top bit set -> close 1002",
      SCRIPT(RAW("\x82\xff\x80\0\0\0\0\0\0\x05" "abcd" "Hello"), SEND_ALL, EXPECT_FAIL(1002)) },

    { .id = "2.1", .desc = "ping without payload -> empty pong",
      SCRIPT(FRAME(true, 0, PING, ""), SEND_ALL, EXPECT_PONG(""), CLOSE_HANDSHAKE) },
    { .id = "2.2", .desc = "ping with a text payload -> pong with the same payload",
      SCRIPT(FRAME(true, 0, PING, "Hello, world!"), SEND_ALL,
             EXPECT_PONG("Hello, world!"), CLOSE_HANDSHAKE) },
    { .id = "2.3", .desc = "ping with a binary payload -> pong with the same payload",
      SCRIPT(FRAME(true, 0, PING, "\x00\xff\xfe\xfd\xfc\xfb\x00\xff"), SEND_ALL,
             EXPECT_PONG("\x00\xff\xfe\xfd\xfc\xfb\x00\xff"), CLOSE_HANDSHAKE) },
    { .id = "2.4", .desc = "ping with a 125-byte payload -> pong",
      SCRIPT({ 'F', true, 0, PING, p125, 125, 0 }, SEND_ALL,
             { 'P', 0, 0, 0, p125, 125, 0 }, CLOSE_HANDSHAKE) },
    { .id = "2.5", .desc = "ping with a 126-byte payload -> close 1002",
      SCRIPT({ 'F', true, 0, PING, p126, 126, 0 }, SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "2.6", .desc = "ping with a 125-byte payload, one byte per write -> pong",
      SCRIPT({ 'F', true, 0, PING, p125, 125, 0 }, SEND_CHOP(1, BYTEWISE_US),
             { 'P', 0, 0, 0, p125, 125, 0 }, CLOSE_HANDSHAKE) },
    { .id = "2.7", .desc = "unsolicited empty pong -> ignored",
      SCRIPT(FRAME(true, 0, PONG, ""), SEND_ALL, CLOSE_HANDSHAKE) },
    { .id = "2.8", .desc = "unsolicited pong with payload -> ignored",
      SCRIPT(FRAME(true, 0, PONG, "unsolicited pong payload"), SEND_ALL, CLOSE_HANDSHAKE) },
    { .id = "2.9", .desc = "unsolicited pong, then ping -> only the ping's pong",
      SCRIPT(FRAME(true, 0, PONG, "unsolicited pong payload"),
             FRAME(true, 0, PING, "ping payload"), SEND_ALL,
             EXPECT_PONG("ping payload"), CLOSE_HANDSHAKE) },
    { .id = "2.10", .desc = "10 pings in one write -> 10 pongs in order",
      .fn = pings_case, .chop = 0 },
    { .id = "2.11", .desc = "10 pings, one byte per write -> 10 pongs in order",
      .fn = pings_case, .chop = 1 },

    { .id = "3.1", .desc = "text with RSV1 set -> close 1002",
      SCRIPT(FRAME(true, RSV1, TEXT, "Hello, world!"), SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "3.2", .desc = "text, text with RSV2 set, ping -> echo, then close 1002",
      SCRIPT(FRAME(true, 0, TEXT, "Hello, world!"), FRAME(true, RSV2, TEXT, "Hello, world!"),
             FRAME(true, 0, PING, ""), SEND_ALL,
             EXPECT_MSG_BEFORE_FAIL(TEXT, "Hello, world!"), EXPECT_FAIL(1002)) },
    { .id = "3.3", .desc = "as 3.2 with RSV1+RSV2, one write per frame",
      SCRIPT(FRAME(true, 0, TEXT, "Hello, world!"), SEND_ALL,
             FRAME(true, RSV1 | RSV2, TEXT, "Hello, world!"), SEND_ALL,
             FRAME(true, 0, PING, ""), SEND_ALL,
             EXPECT_MSG_BEFORE_FAIL(TEXT, "Hello, world!"), EXPECT_FAIL(1002)) },
    { .id = "3.4", .desc = "as 3.2 with RSV3, one byte per write",
      SCRIPT(FRAME(true, 0, TEXT, "Hello, world!"), FRAME(true, RSV3, TEXT, "Hello, world!"),
             FRAME(true, 0, PING, ""), SEND_CHOP(1, BYTEWISE_US),
             EXPECT_MSG_BEFORE_FAIL(TEXT, "Hello, world!"), EXPECT_FAIL(1002)) },
    { .id = "3.5", .desc = "binary with RSV1+RSV3 set -> close 1002",
      SCRIPT(FRAME(true, RSV1 | RSV3, BIN, "\x00\x01\x02\x03\xfd\xfe\xff"), SEND_ALL,
             EXPECT_FAIL(1002)) },
    { .id = "3.6", .desc = "ping with RSV2+RSV3 set -> close 1002 (no pong)",
      SCRIPT(FRAME(true, RSV2 | RSV3, PING, "Hello, world!"), SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "3.7", .desc = "close with all RSV bits set -> close 1002",
      SCRIPT(FRAME(true, RSV1 | RSV2 | RSV3, CLOSE, "\x03\xe8"), SEND_ALL, EXPECT_FAIL(1002)) },

    { .id = "4.1.1", .desc = "reserved opcode 3, empty -> close 1002",
      SCRIPT(FRAME(true, 0, 3, ""), SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "4.1.2", .desc = "reserved opcode 4 with payload -> close 1002",
      SCRIPT(FRAME(true, 0, 4, "reserved opcode"), SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "4.1.3", .desc = "text, reserved opcode 5, ping -> echo, then close 1002",
      SCRIPT(FRAME(true, 0, TEXT, "Hello, world!"), FRAME(true, 0, 5, ""),
             FRAME(true, 0, PING, ""), SEND_ALL,
             EXPECT_MSG_BEFORE_FAIL(TEXT, "Hello, world!"), EXPECT_FAIL(1002)) },
    { .id = "4.1.4", .desc = "text, reserved opcode 6 with payload, ping -> echo, close 1002",
      SCRIPT(FRAME(true, 0, TEXT, "Hello, world!"), FRAME(true, 0, 6, "reserved opcode"),
             FRAME(true, 0, PING, ""), SEND_ALL,
             EXPECT_MSG_BEFORE_FAIL(TEXT, "Hello, world!"), EXPECT_FAIL(1002)) },
    { .id = "4.1.5", .desc = "as 4.1.4 with opcode 7, one byte per write",
      SCRIPT(FRAME(true, 0, TEXT, "Hello, world!"), FRAME(true, 0, 7, "reserved opcode"),
             FRAME(true, 0, PING, ""), SEND_CHOP(1, BYTEWISE_US),
             EXPECT_MSG_BEFORE_FAIL(TEXT, "Hello, world!"), EXPECT_FAIL(1002)) },
    { .id = "4.2.1", .desc = "reserved control opcode 0xB, empty -> close 1002",
      SCRIPT(FRAME(true, 0, 0xB, ""), SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "4.2.2", .desc = "reserved control opcode 0xC with payload -> close 1002",
      SCRIPT(FRAME(true, 0, 0xC, "reserved opcode"), SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "4.2.3", .desc = "text, reserved opcode 0xD, ping -> echo, then close 1002",
      SCRIPT(FRAME(true, 0, TEXT, "Hello, world!"), FRAME(true, 0, 0xD, ""),
             FRAME(true, 0, PING, ""), SEND_ALL,
             EXPECT_MSG_BEFORE_FAIL(TEXT, "Hello, world!"), EXPECT_FAIL(1002)) },
    { .id = "4.2.4", .desc = "text, reserved opcode 0xE with payload, ping -> echo, close 1002",
      SCRIPT(FRAME(true, 0, TEXT, "Hello, world!"), FRAME(true, 0, 0xE, "reserved opcode"),
             FRAME(true, 0, PING, ""), SEND_ALL,
             EXPECT_MSG_BEFORE_FAIL(TEXT, "Hello, world!"), EXPECT_FAIL(1002)) },
    { .id = "4.2.5", .desc = "as 4.2.4 with opcode 0xF, one byte per write",
      SCRIPT(FRAME(true, 0, TEXT, "Hello, world!"), FRAME(true, 0, 0xF, "reserved opcode"),
             FRAME(true, 0, PING, ""), SEND_CHOP(1, BYTEWISE_US),
             EXPECT_MSG_BEFORE_FAIL(TEXT, "Hello, world!"), EXPECT_FAIL(1002)) },

    { .id = "5.1", .desc = "ping in 2 fragments -> close 1002",
      SCRIPT(FRAME(false, 0, PING, "fragment1"), FRAME(true, 0, CONT, "fragment2"),
             SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "5.2", .desc = "pong in 2 fragments -> close 1002",
      SCRIPT(FRAME(false, 0, PONG, "fragment1"), FRAME(true, 0, CONT, "fragment2"),
             SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "5.3", .desc = "text in 2 fragments -> one echo",
      SCRIPT(FRAME(false, 0, TEXT, "fragment1"), FRAME(true, 0, CONT, "fragment2"),
             SEND_ALL, EXPECT_MSG(TEXT, "fragment1fragment2"), CLOSE_HANDSHAKE) },
    { .id = "5.4", .desc = "text in 2 fragments, 100 ms apart -> one echo",
      SCRIPT(FRAME(false, 0, TEXT, "fragment1"), SEND_ALL, WAIT(100),
             FRAME(true, 0, CONT, "fragment2"), SEND_ALL,
             EXPECT_MSG(TEXT, "fragment1fragment2"), CLOSE_HANDSHAKE) },
    { .id = "5.5", .desc = "text in 2 fragments, one byte per write -> one echo",
      SCRIPT(FRAME(false, 0, TEXT, "fragment1"), FRAME(true, 0, CONT, "fragment2"),
             SEND_CHOP(1, BYTEWISE_US), EXPECT_MSG(TEXT, "fragment1fragment2"), CLOSE_HANDSHAKE) },
    { .id = "5.6", .desc = "text in 2 fragments with a ping between -> pong, then echo",
      SCRIPT(FRAME(false, 0, TEXT, "fragment1"), FRAME(true, 0, PING, "ping payload"),
             FRAME(true, 0, CONT, "fragment2"), SEND_ALL,
             EXPECT_PONG("ping payload"), EXPECT_MSG(TEXT, "fragment1fragment2"),
             CLOSE_HANDSHAKE) },
    { .id = "5.7", .desc = "as 5.6, one write per frame, 50 ms apart",
      SCRIPT(FRAME(false, 0, TEXT, "fragment1"), SEND_ALL, WAIT(50),
             FRAME(true, 0, PING, "ping payload"), SEND_ALL, WAIT(50),
             FRAME(true, 0, CONT, "fragment2"), SEND_ALL,
             EXPECT_PONG("ping payload"), EXPECT_MSG(TEXT, "fragment1fragment2"),
             CLOSE_HANDSHAKE) },
    { .id = "5.8", .desc = "as 5.6, one byte per write",
      SCRIPT(FRAME(false, 0, TEXT, "fragment1"), FRAME(true, 0, PING, "ping payload"),
             FRAME(true, 0, CONT, "fragment2"), SEND_CHOP(1, BYTEWISE_US),
             EXPECT_PONG("ping payload"), EXPECT_MSG(TEXT, "fragment1fragment2"),
             CLOSE_HANDSHAKE) },
    { .id = "5.9", .desc = "final continuation with nothing to continue, then text -> close 1002",
      SCRIPT(FRAME(true, 0, CONT, "non-continuation payload"), FRAME(true, 0, TEXT, "Hello, world!"),
             SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "5.10", .desc = "as 5.9, one byte per write",
      SCRIPT(FRAME(true, 0, CONT, "non-continuation payload"), FRAME(true, 0, TEXT, "Hello, world!"),
             SEND_CHOP(1, BYTEWISE_US), EXPECT_FAIL(1002)) },
    { .id = "5.12", .desc = "non-final continuation with nothing to continue, then text -> close 1002",
      SCRIPT(FRAME(false, 0, CONT, "non-continuation payload"), FRAME(true, 0, TEXT, "Hello, world!"),
             SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "5.15", .desc = "text in 2 fragments, then continuation and text starting nothing -> echo, close 1002",
      SCRIPT(FRAME(false, 0, TEXT, "fragment1"), FRAME(true, 0, CONT, "fragment2"),
             FRAME(false, 0, CONT, "fragment3"), FRAME(true, 0, TEXT, "fragment4"), SEND_ALL,
             EXPECT_MSG_BEFORE_FAIL(TEXT, "fragment1fragment2"), EXPECT_FAIL(1002)) },
    { .id = "5.18", .desc = "new text start inside a fragmented text -> close 1002",
      SCRIPT(FRAME(false, 0, TEXT, "fragment1"), FRAME(true, 0, TEXT, "fragment2"),
             SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "5.19", .desc = "text in 5 fragments with 2 pings between, 20 ms apart -> 2 pongs, echo",
      SCRIPT(FRAME(false, 0, TEXT, "fragment1"), SEND_ALL, WAIT(20),
             FRAME(false, 0, CONT, "fragment2"), SEND_ALL, WAIT(20),
             FRAME(true, 0, PING, "pongme 1!"), SEND_ALL, WAIT(20),
             FRAME(false, 0, CONT, "fragment3"), SEND_ALL, WAIT(20),
             FRAME(false, 0, CONT, "fragment4"), SEND_ALL, WAIT(20),
             FRAME(true, 0, PING, "pongme 2!"), SEND_ALL, WAIT(20),
             FRAME(true, 0, CONT, "fragment5"), SEND_ALL,
             EXPECT_PONG("pongme 1!"), EXPECT_PONG("pongme 2!"),
             EXPECT_MSG(TEXT, "fragment1fragment2fragment3fragment4fragment5"),
             CLOSE_HANDSHAKE) },
    { .id = "5.20", .desc = "as 5.19, binary, all in one write",
      SCRIPT(FRAME(false, 0, BIN, "fragment1"), FRAME(false, 0, CONT, "fragment2"),
             FRAME(true, 0, PING, "pongme 1!"), FRAME(false, 0, CONT, "fragment3"),
             FRAME(false, 0, CONT, "fragment4"), FRAME(true, 0, PING, "pongme 2!"),
             FRAME(true, 0, CONT, "fragment5"), SEND_ALL,
             EXPECT_PONG("pongme 1!"), EXPECT_PONG("pongme 2!"),
             EXPECT_MSG(BIN, "fragment1fragment2fragment3fragment4fragment5"),
             CLOSE_HANDSHAKE) },
    { .id = "5.21", .desc = "close in 2 fragments -> close 1002",
      SCRIPT(FRAME(false, 0, CLOSE, "\x03"), FRAME(true, 0, CONT, "\xe8"),
             SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "5.22", .desc = "binary in 100 one-byte fragments -> one echo",
      .fn = fragments_case, .n = 100 },
};
const size_t cases_frames_count = sizeof cases_frames / sizeof cases_frames[0];
