/* The closing handshake (7.x): close frames with every kind of payload,
 * frames after a close, and the TCP close that must follow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "wsc_frame.h"

#define CODE_VALID 1u
#define CODE_REGISTERED 2u   /* valid by the IANA registry, not by RFC 6455 alone */
#define CODE_INVALID 4u

/* Sends close(c->n) and judges the reply: a valid code is echoed (or
 * answered with 1000), an invalid one fails the connection with 1002. */
static void close_code_case(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    unsigned code = (unsigned)c->n;
    run_close_frame(r, (int)code, NULL, 0);
    run_send(r, 0, 0);
    struct run_event ev;
    run_next_event(r, &ev, RUN_IDLE_MS);
    if (ev.kind == EV_BAD)
        return;
    char got[64];
    run_describe(&ev, got, sizeof got);
    if (ev.kind == EV_TIMEOUT) {
        run_fail(r, "timeout: no close reply after %d ms", RUN_IDLE_MS);
        return;
    }
    if (c->flags & CODE_INVALID) {
        if (ev.kind == EV_EOF) {
            run_nonstrict(r, "TCP close without a close frame, expected close 1002");
            return;
        }
        if (ev.kind != EV_CLOSE) {
            run_fail(r, "got %s, expected close 1002", got);
            return;
        }
        if (ev.close_code < 0 || ev.close_code == (int)code || ev.close_code == 1000) {
            run_fail(r, "accepted invalid close code %u: replied %s", code, got);
            return;
        }
        if (ev.close_code != 1002)
            run_nonstrict(r, "%s, expected close 1002", got);
    } else {
        if (ev.kind != EV_CLOSE) {
            run_fail(r, "got %s, expected a close reply", got);
            return;
        }
        if (ev.close_code < 0)
            run_nonstrict(r, "close reply without status code");
        else if (ev.close_code == 1002 && (c->flags & CODE_REGISTERED))
            run_nonstrict(r, "close 1002: treats IANA-registered code %u as invalid", code);
        else if (ev.close_code != (int)code && ev.close_code != 1000)
            run_fail(r, "%s in reply to valid close code %u", got, code);
    }
    run_expect_tcp_close(r);
}

#define CODE(id_, code_, fl, what) \
    { .id = id_, .desc = "close with code " #code_ " " what, .fn = close_code_case, \
      .n = code_, .flags = fl }
#define VALID_CODE(id_, code_) CODE(id_, code_, CODE_VALID, "(valid) -> echoed or 1000")
#define REGISTERED_CODE(id_, code_, name) \
    CODE(id_, code_, CODE_VALID | CODE_REGISTERED, "(IANA: " name ") -> echoed or 1000")
#define INVALID_CODE(id_, code_) CODE(id_, code_, CODE_INVALID, "(invalid) -> close 1002")



#define CLOSE_OP WSC_OP_CLOSE

static void reason_case(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    uint8_t *reason = run_pattern(c->n, true);
    run_close_frame(r, 1000, reason, c->n);
    free(reason);
    run_send(r, 0, 0);
    if (c->n <= 123)
        run_expect_close_reply(r);
    else
        run_expect_fail_close(r, 1002);
}

/* The echo of a message sent before the close is still due; the ping after
 * it must be ignored. */
static void big_then_close_case(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    uint8_t *p = run_pattern(c->n, true);
    run_frame(r, true, 0, WSC_OP_TEXT, p, c->n);
    run_close_frame(r, 1000, NULL, 0);
    run_frame(r, true, 0, WSC_OP_PING, "after close", 11);
    run_send(r, 0, 0);
    struct run_event ev;
    if (!run_failed(r))
        run_next_event(r, &ev, RUN_IDLE_MS);
    if (!run_failed(r) && ev.kind == EV_CLOSE) {
        /* RFC 6455 7.1.2 lets a server drop data it has not sent yet. */
        run_nonstrict(r, "close reply without the echo of the message sent before the close");
        run_judge_close_reply(r, &ev);
    } else if (!run_failed(r)) {
        run_judge_message(r, &ev, WSC_OP_TEXT, p, c->n);
        run_expect_close_reply(r);
    }
    free(p);
}

const struct cf_case cases_close[] = {
    { .id = "7.1.1", .desc = "text echo, then close 1000 -> close reply and TCP close",
      SCRIPT(FRAME(true, 0, WSC_OP_TEXT, "Hello World!"), SEND_ALL,
             EXPECT_MSG(WSC_OP_TEXT, "Hello World!"), CLOSE_HANDSHAKE) },
    { .id = "7.1.2", .desc = "close sent twice -> one close reply, second ignored",
      SCRIPT(FRAME(true, 0, CLOSE_OP, "\x03\xe8"), FRAME(true, 0, CLOSE_OP, "\x03\xe8"),
             SEND_ALL, EXPECT_CLOSE_REPLY) },
    { .id = "7.1.3", .desc = "ping after close -> close reply, no pong",
      SCRIPT(FRAME(true, 0, CLOSE_OP, "\x03\xe8"), FRAME(true, 0, WSC_OP_PING, "after close"),
             SEND_ALL, EXPECT_CLOSE_REPLY) },
    { .id = "7.1.4", .desc = "text after close -> close reply, no echo",
      SCRIPT(FRAME(true, 0, CLOSE_OP, "\x03\xe8"), FRAME(true, 0, WSC_OP_TEXT, "after close"),
             SEND_ALL, EXPECT_CLOSE_REPLY) },
    { .id = "7.1.5", .desc = "close between the fragments of a text -> close reply, no echo",
      SCRIPT(FRAME(false, 0, WSC_OP_TEXT, "fragment1"), FRAME(true, 0, CLOSE_OP, "\x03\xe8"),
             FRAME(true, 0, WSC_OP_CONT, "fragment2"), SEND_ALL, EXPECT_CLOSE_REPLY) },
    { .id = "7.1.6", .desc = "256 KiB text, close, ping, one write -> echo, close reply",
      .fn = big_then_close_case, .n = 256 << 10 },
    { .id = "7.3.1", .desc = "close without payload -> close reply",
      SCRIPT(FRAME(true, 0, CLOSE_OP, ""), SEND_ALL, EXPECT_CLOSE_REPLY) },
    { .id = "7.3.2", .desc = "close with a 1-byte payload -> close 1002",
      SCRIPT(FRAME(true, 0, CLOSE_OP, "\x03"), SEND_ALL, EXPECT_FAIL(1002)) },
    { .id = "7.3.3", .desc = "close 1000 without reason -> close reply",
      SCRIPT(FRAME(true, 0, CLOSE_OP, "\x03\xe8"), SEND_ALL, EXPECT_CLOSE_REPLY) },
    { .id = "7.3.4", .desc = "close 1000 with a 123-byte reason (125-byte payload) -> close reply",
      .fn = reason_case, .n = 123 },
    { .id = "7.3.5", .desc = "close 1000 with a 124-byte reason (126-byte payload) -> close 1002",
      .fn = reason_case, .n = 124 },
    { .id = "7.5.1", .desc = "close 1000 with an invalid UTF-8 reason -> close 1007",
      SCRIPT(FRAME(true, 0, CLOSE_OP, "\x03\xe8" "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80" "edited"),
             SEND_ALL, EXPECT_FAIL(1007)) },
    { .id = "7.5.2", .desc = "close 1000 with a valid UTF-8 reason -> close reply",
      SCRIPT(FRAME(true, 0, CLOSE_OP, "\x03\xe8" "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"),
             SEND_ALL, EXPECT_CLOSE_REPLY) },
    VALID_CODE("7.7.1", 1000), VALID_CODE("7.7.2", 1001), VALID_CODE("7.7.3", 1002),
    VALID_CODE("7.7.4", 1003), VALID_CODE("7.7.5", 1007), VALID_CODE("7.7.6", 1008),
    VALID_CODE("7.7.7", 1009), VALID_CODE("7.7.8", 1010), VALID_CODE("7.7.9", 1011),
    VALID_CODE("7.7.10", 3000), VALID_CODE("7.7.11", 3999), VALID_CODE("7.7.12", 4000),
    VALID_CODE("7.7.13", 4999),
    REGISTERED_CODE("7.7.14", 1012, "Service Restart"),
    REGISTERED_CODE("7.7.15", 1013, "Try Again Later"),
    REGISTERED_CODE("7.7.16", 1014, "Bad Gateway"),
    INVALID_CODE("7.9.1", 0), INVALID_CODE("7.9.2", 999), INVALID_CODE("7.9.3", 1004),
    INVALID_CODE("7.9.4", 1005), INVALID_CODE("7.9.5", 1006), INVALID_CODE("7.9.6", 1015),
    INVALID_CODE("7.9.7", 1016), INVALID_CODE("7.9.8", 1100), INVALID_CODE("7.9.9", 2000),
    INVALID_CODE("7.9.10", 2999), INVALID_CODE("7.9.11", 5000), INVALID_CODE("7.9.12", 65535),
};
const size_t cases_close_count = sizeof cases_close / sizeof cases_close[0];
