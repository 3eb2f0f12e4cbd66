/* UTF-8 handling of text messages (6.x): valid sequences must be echoed
 * byte for byte however they are fragmented, invalid ones must fail the
 * connection with 1007, and as soon as the invalid byte arrives. */
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "wsc_frame.h"

#define VALID 1u
#define INVALID 2u
#define SINGLE_FRAME 4u    /* fail-fast: one frame sent in parts */

/* How long a fail-fast server has to close before the message ends. */
#define FAILFAST_MS 500
#define FAILFAST_TAIL 65536

#define KOSME "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"   /* 11 bytes */
#define HELLO_UTF8 "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!"

/* Sends c->data as one text frame (chop 0) or in fragments of chop bytes,
 * all in one write. */
static void utf8_case(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    if (c->chop == 0) {
        run_frame(r, true, 0, WSC_OP_TEXT, c->data, c->data_len);
    } else {
        for (size_t at = 0; at < c->data_len; at += c->chop) {
            size_t n = c->data_len - at < c->chop ? c->data_len - at : c->chop;
            run_frame(r, at + n == c->data_len, 0, at == 0 ? WSC_OP_TEXT : WSC_OP_CONT,
                      c->data + at, n);
        }
    }
    run_send(r, 0, 0);
    if (c->flags & VALID) {
        run_expect_message(r, WSC_OP_TEXT, c->data, c->data_len);
        run_close_handshake(r);
    } else {
        run_expect_fail_close(r, 1007);
    }
}

/* c->data is a valid prefix ending in an invalid sequence. It goes out in
 * two parts split at c->n (fragments, or writes of one frame), the server
 * gets FAILFAST_MS to close, and only then does a long valid tail end the
 * message. Closing only after the tail is Autobahn's NON-STRICT. */
static void failfast_case(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    uint8_t *tail = run_pattern(FAILFAST_TAIL, true);
    size_t head = c->data_len;
    if (c->flags & SINGLE_FRAME) {
        uint8_t *all = util_xmalloc(head + FAILFAST_TAIL);
        memcpy(all, c->data, head);
        memcpy(all + head, tail, FAILFAST_TAIL);
        run_frame(r, true, 0, WSC_OP_TEXT, all, head + FAILFAST_TAIL);
        free(all);
        size_t hl = r->wire.len - head - FAILFAST_TAIL;
        run_send_raw(r, r->wire.p, hl + c->n, 0, 0);
        run_send_raw(r, r->wire.p + hl + c->n, head - c->n, 0, 0);
        memmove(r->wire.p, r->wire.p + hl + head, FAILFAST_TAIL);
        r->wire.len = FAILFAST_TAIL;
    } else {
        run_frame(r, false, 0, WSC_OP_TEXT, c->data, c->n);
        run_send(r, 0, 0);
        run_frame(r, false, 0, WSC_OP_CONT, c->data + c->n, head - c->n);
        run_send(r, 0, 0);
        run_frame(r, true, 0, WSC_OP_CONT, tail, FAILFAST_TAIL);
    }
    free(tail);
    if (run_failed(r))
        return;
    struct run_event ev;
    run_next_event(r, &ev, FAILFAST_MS);
    if (ev.kind != EV_TIMEOUT) {
        r->wire.len = 0;
        run_judge_fail_close(r, &ev, 1007, NULL);
        return;
    }
    run_send(r, 0, 0);
    run_next_event(r, &ev, RUN_IDLE_MS);
    run_judge_fail_close(r, &ev, 1007, "after the message ended (not fail-fast)");
}

#define V(id_, desc_, s, chop_) { .id = id_, .desc = desc_, .fn = utf8_case, DATA(s), .chop = chop_, .flags = VALID }
#define X(id_, desc_, s, chop_) { .id = id_, .desc = desc_, .fn = utf8_case, DATA(s), .chop = chop_, .flags = INVALID }
#define FF(id_, desc_, s, split, fl) { .id = id_, .desc = desc_, .fn = failfast_case, DATA(s), .n = split, .flags = fl }

const struct cf_case cases_utf8[] = {
    { .id = "6.1.1", .desc = "empty text message -> empty echo",
      SCRIPT(FRAME(true, 0, WSC_OP_TEXT, ""), SEND_ALL, EXPECT_MSG(WSC_OP_TEXT, ""), CLOSE_HANDSHAKE) },
    { .id = "6.1.2", .desc = "text in 3 empty fragments -> empty echo",
      SCRIPT(FRAME(false, 0, WSC_OP_TEXT, ""), FRAME(false, 0, WSC_OP_CONT, ""),
             FRAME(true, 0, WSC_OP_CONT, ""), SEND_ALL, EXPECT_MSG(WSC_OP_TEXT, ""), CLOSE_HANDSHAKE) },
    { .id = "6.1.3", .desc = "empty first and last fragments around \"middle\" -> echo",
      SCRIPT(FRAME(false, 0, WSC_OP_TEXT, ""), FRAME(false, 0, WSC_OP_CONT, "middle"),
             FRAME(true, 0, WSC_OP_CONT, ""), SEND_ALL, EXPECT_MSG(WSC_OP_TEXT, "middle"),
             CLOSE_HANDSHAKE) },
    V("6.2.1", "valid \"Hello-U+00B5@U+00DF...-UTF-8!!\", one frame", HELLO_UTF8, 0),
    V("6.2.2", "same, fragments split at code point boundaries", HELLO_UTF8, 13),
    V("6.2.3", "same, one fragment per byte (splits inside code points)", HELLO_UTF8, 1),
    V("6.2.4", "valid Greek \"kosme\", one fragment per byte", KOSME, 1),
    X("6.3.1", "\"kosme\" + surrogate U+D800 + \"edited\", one frame -> 1007", KOSME "\xed\xa0\x80" "edited", 0),
    X("6.3.2", "same, one fragment per byte -> 1007", KOSME "\xed\xa0\x80" "edited", 1),
    FF("6.4.1", "fail-fast: fragment 2 of 3 is > U+10FFFF, long last fragment held back",
       KOSME "\xf4\x90\x80\x80", 11, 0),
    FF("6.4.2", "fail-fast: invalid sequence split across fragments 1 and 2",
       KOSME "\xf4\x90\x80\x80", 12, 0),
    FF("6.4.3", "fail-fast: one long frame, invalid bytes early, rest held back",
       KOSME "\xf4\x90\x80\x80", 11, SINGLE_FRAME),
    FF("6.4.4", "fail-fast: one long frame, invalid sequence split across writes",
       KOSME "\xf4\x90\x80\x80", 12, SINGLE_FRAME),
    V("6.5.1", "valid U+0080 (first 2-byte)", "\xc2\x80", 0),
    V("6.5.2", "valid U+07FF (last 2-byte)", "\xdf\xbf", 0),
    V("6.5.3", "valid U+0800 (first 3-byte)", "\xe0\xa0\x80", 0),
    V("6.5.4", "valid U+D7FF (last before surrogates)", "\xed\x9f\xbf", 0),
    V("6.5.5", "valid U+E000 (first after surrogates)", "\xee\x80\x80", 0),
    V("6.5.6", "valid U+FFFD", "\xef\xbf\xbd", 0),
    V("6.5.7", "valid noncharacters U+FFFE U+FFFF", "\xef\xbf\xbe\xef\xbf\xbf", 0),
    V("6.5.8", "valid U+10000 (first 4-byte)", "\xf0\x90\x80\x80", 0),
    V("6.5.9", "valid U+1F600 (emoji)", "\xf0\x9f\x98\x80", 0),
    V("6.5.10", "valid U+10FFFF (last code point)", "\xf4\x8f\xbf\xbf", 0),
    V("6.5.11", "valid mix: BOM, ASCII, 2-, 3- and 4-byte", "\xef\xbb\xbfHi \xf0\x9f\x8c\x8d " KOSME " \xe2\x9c\x93", 0),
    V("6.5.12", "valid U+0000 inside text", "a\x00" "b", 0),
    V("6.6.1", "valid 4-byte code point split 2|2 across fragments", "\xf0\x9f\x98\x80", 2),
    V("6.6.2", "valid 4-byte code point split 3|1 across fragments", "\xf0\x9f\x98\x80", 3),
    V("6.6.3", "valid 4-byte code point split 1|2|1 across fragments", "a\xf0\x9f\x98\x80", 2),
    V("6.6.4", "valid 3-byte U+20AC split 2|1 across fragments", "\xe2\x82\xac", 2),
    V("6.6.5", "valid 2-byte code points, one fragment per byte", "\xc2\xb5\xc2\xb5", 1),
    X("6.7.1", "lone continuation byte 0x80 -> 1007", "\x80", 0),
    X("6.7.2", "continuation byte 0xBF after ASCII -> 1007", "ab\xbf", 0),
    X("6.7.3", "byte 0xFE -> 1007", "\xfe", 0),
    X("6.7.4", "byte 0xFF -> 1007", "\xff", 0),
    X("6.7.5", "overlong 2-byte '/' (C0 AF) -> 1007", "\xc0\xaf", 0),
    X("6.7.6", "overlong 3-byte '/' (E0 80 AF) -> 1007", "\xe0\x80\xaf", 0),
    X("6.7.7", "overlong 4-byte '/' (F0 80 80 AF) -> 1007", "\xf0\x80\x80\xaf", 0),
    X("6.7.8", "overlong U+007F as C1 BF -> 1007", "\xc1\xbf", 0),
    X("6.7.9", "overlong U+07FF as E0 9F BF -> 1007", "\xe0\x9f\xbf", 0),
    X("6.7.10", "overlong U+FFFF as F0 8F BF BF -> 1007", "\xf0\x8f\xbf\xbf", 0),
    X("6.7.11", "surrogate U+D800 -> 1007", "\xed\xa0\x80", 0),
    X("6.7.12", "surrogate U+DFFF -> 1007", "\xed\xbf\xbf", 0),
    X("6.7.13", "surrogate pair U+D83D U+DE00 (CESU-8) -> 1007", "\xed\xa0\xbd\xed\xb8\x80", 0),
    X("6.7.14", "U+110000 (F4 90 80 80) -> 1007", "\xf4\x90\x80\x80", 0),
    X("6.7.15", "lead byte F5 -> 1007", "\xf5\x80\x80\x80", 0),
    X("6.7.16", "5-byte sequence -> 1007", "\xf8\x88\x80\x80\x80", 0),
    X("6.7.17", "6-byte sequence -> 1007", "\xfc\x84\x80\x80\x80\x80", 0),
    X("6.7.18", "truncated 2-byte sequence at message end -> 1007", "\xce\xba\xce", 0),
    X("6.7.19", "truncated 3-byte sequence at message end -> 1007", "\xe2\x82", 0),
    X("6.7.20", "truncated 4-byte sequence at message end -> 1007", "\xf0\x9f\x98", 0),
    X("6.7.21", "2-byte lead followed by ASCII -> 1007", "\xce" "A", 0),
    X("6.7.22", "3-byte sequence cut by ASCII -> 1007", "\xe2\x82" "A", 0),
    X("6.8.1", "fragmented text ending in a truncated 4-byte sequence -> 1007", "ab\xf0\x9f\x98", 3),
    X("6.8.2", "surrogate U+D800 one fragment per byte -> 1007", "\xed\xa0\x80", 1),
    X("6.8.3", "overlong C0 AF one fragment per byte -> 1007", "\xc0\xaf", 1),
    X("6.8.4", "U+110000 split 2|2 across fragments -> 1007", "\xf4\x90\x80\x80", 2),
};
const size_t cases_utf8_count = sizeof cases_utf8 / sizeof cases_utf8[0];
