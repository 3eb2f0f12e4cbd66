/* Limits (9.x): a message one byte over the kit's default 16 MiB limit,
 * and many small messages pipelined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "wsc_frame.h"

#define LIMIT ((size_t)16 << 20)   /* ws_args default --max-message */
#define SMALL_MESSAGES 1000

/* 16 MiB + 1 in c->chop fragments (0: one frame). The server may stop
 * reading as soon as the length shows the message is too big. */
static void over_limit_case(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    size_t n = LIMIT + 1;
    bool text = c->flags != 0;
    uint8_t op = text ? WSC_OP_TEXT : WSC_OP_BINARY;
    uint8_t *p = run_pattern(n, text);
    size_t frag = c->chop ? c->chop : n;
    for (size_t at = 0; at < n; at += frag) {
        size_t k = n - at < frag ? n - at : frag;
        run_frame(r, at + k == n, 0, at == 0 ? op : WSC_OP_CONT, p + at, k);
    }
    free(p);
    run_send(r, 65536, 0);
    run_expect_fail_close(r, 1009);
}

/* SMALL_MESSAGES one-byte messages in one stream: all echoed, in order. */
static void many_small_case(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    bool text = c->flags != 0;
    uint8_t op = text ? WSC_OP_TEXT : WSC_OP_BINARY;
    for (int i = 0; i < SMALL_MESSAGES; i++) {
        uint8_t b = text ? (uint8_t)('a' + i % 26) : (uint8_t)i;
        run_frame(r, true, 0, op, &b, 1);
    }
    run_send(r, c->chop, 0);
    for (int i = 0; i < SMALL_MESSAGES && !run_failed(r); i++) {
        uint8_t b = text ? (uint8_t)('a' + i % 26) : (uint8_t)i;
        run_expect_message(r, op, &b, 1);
        if (run_failed(r)) {
            char why[sizeof r->reason];
            memcpy(why, r->reason, sizeof why);
            /* %.200s: room for the prefix in the same buffer. */
            snprintf(r->reason, sizeof r->reason, "message %d of %d: %.200s",
                     i + 1, SMALL_MESSAGES, why);
        }
    }
    run_close_handshake(r);
}

const struct cf_case cases_limits[] = {
    { .id = "9.1.1", .desc = "text of 16 MiB + 1 byte, one frame -> close 1009",
      .fn = over_limit_case, .flags = 1, .budget_ms = CASES_BIG_BUDGET_MS },
    { .id = "9.1.2", .desc = "binary of 16 MiB + 1 byte in 4 MiB fragments -> close 1009",
      .fn = over_limit_case, .chop = (size_t)4 << 20, .budget_ms = CASES_BIG_BUDGET_MS },
    { .id = "9.2.1", .desc = "1000 one-byte text messages in one write -> 1000 echoes in order",
      .fn = many_small_case, .flags = 1 },
    { .id = "9.2.2", .desc = "1000 one-byte binary messages in 7-byte writes -> 1000 echoes in order",
      .fn = many_small_case, .chop = 7 },
};
const size_t cases_limits_count = sizeof cases_limits / sizeof cases_limits[0];
