/* The frame guard on hand-built client streams, fed whole, byte at a time
 * and in every two-piece split: where it stops and why must not depend on
 * how the bytes arrive. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ws_wslay_guard.h"

struct verdict {
    size_t passed;       /* bytes passed on in total */
    const char *reason;  /* NULL: all accepted */
    unsigned code;       /* the close code the guard chose */
};

/* Feeds s[0..n) in pieces of `step` bytes (0: one piece, then a split at
 * `split`), stopping at the first refusal as the server does. */
static struct verdict feed(const uint8_t *s, size_t n, size_t step, size_t split)
{
    struct ws_wslay_guard g;
    ws_wslay_guard_init(&g);
    struct verdict v = {0, NULL, 0};
    size_t at = 0;
    while (at < n) {
        size_t len = step ? step : (at < split ? split - at : n - at);
        if (len > n - at)
            len = n - at;
        const char *reason;
        size_t ok = ws_wslay_guard_scan(&g, s + at, len, &reason);
        v.passed += ok;
        if (reason) {
            v.reason = reason;
            v.code = g.code;
            return v;
        }
        CHECK(ok == len, "passed %zu of %zu with no reason", ok, len);
        if (ok != len)
            return v;
        at += len;
    }
    return v;
}

/* A refused frame starts at refused_at and its header is complete with the
 * byte at detect_at. Whole, the stream passes exactly refused_at bytes; in
 * pieces, a piece that ended inside the refused header was already passed. */
static void check_code(const char *name, const uint8_t *s, size_t n, size_t refused_at,
                       size_t detect_at, const char *want_reason, unsigned want_code)
{
    for (size_t mode = 0; mode <= n + 1; mode++) {
        size_t split = mode - 1;
        struct verdict v = mode == 0 ? feed(s, n, 0, n)
                         : mode == 1 ? feed(s, n, 1, 0)
                                     : feed(s, n, 0, split);
        size_t want_passed = n;
        if (want_reason) {
            want_passed = refused_at;
            if (mode == 1)
                want_passed = detect_at;
            else if (mode > 1 && split > refused_at && split <= detect_at)
                want_passed = split;
        }
        bool reason_ok = want_reason ? v.reason && strcmp(v.reason, want_reason) == 0
                                     : v.reason == NULL;
        bool ok = reason_ok && v.passed == want_passed && (!want_reason || v.code == want_code);
        CHECK(ok, "%s (mode %zu): passed %zu (want %zu), reason %s, code %u", name, mode,
              v.passed, want_passed, v.reason ? v.reason : "(none)", v.code);
        if (!ok)
            return;
    }
}

static void check_1002(const char *name, const uint8_t *s, size_t n, size_t refused_at,
                  size_t detect_at, const char *want_reason)
{
    check_code(name, s, n, refused_at, detect_at, want_reason, 1002);
}

#define M 0x80, 0x01, 0x02, 0x03, 0x04 /* mask bit on a 0-length, plus key */

int main(void)
{
    /* Text "Hi" (masked), then a ping of 0 bytes: all fine. */
    static const uint8_t good[] = {0x81, 0x82, 1, 2, 3, 4, 'H' ^ 1, 'i' ^ 2, 0x89, M};
    check_1002("text then ping", good, sizeof good, 0, 0, NULL);

    /* A 126-byte ping after a 1-byte binary frame: refused at byte 8. */
    static const uint8_t big_ping[] = {0x82, 0x81, 1, 2, 3, 4, 'x', 0x89, 0xFE, 0x00, 0x7E, 1, 2, 3, 4};
    check_1002("ping over 125", big_ping, sizeof big_ping, 7, 14, "control frame over 125 bytes");

    /* A fragmented close (FIN clear) as the first frame. */
    static const uint8_t frag_close[] = {0x08, M};
    check_1002("fragmented close", frag_close, sizeof frag_close, 0, 5, "fragmented control frame");

    /* 64-bit length with the top bit set after a 16-bit-length frame. */
    uint8_t huge[4 + 4 + 126 + 14];
    size_t n = 0;
    huge[n++] = 0x82; huge[n++] = 0xFE; huge[n++] = 0x00; huge[n++] = 0x7E;
    memset(huge + n, 0, 4 + 126); n += 4 + 126;
    huge[n++] = 0x82; huge[n++] = 0xFF; huge[n++] = 0x80;
    memset(huge + n, 0, 7 + 4); n += 7 + 4;
    check_1002("64-bit length top bit", huge, n, 134, 147, "64-bit payload length with the top bit set");

    /* Close with a 1-byte payload. */
    static const uint8_t close1[] = {0x88, 0x81, 1, 2, 3, 4, 0x00};
    check_1002("1-byte close", close1, sizeof close1, 0, 5, "close frame with a 1-byte payload");

    /* Unmasked client frame, after a good empty pong. */
    static const uint8_t unmasked[] = {0x8A, M, 0x81, 0x00};
    check_1002("unmasked", unmasked, sizeof unmasked, 6, 7, "unmasked client frame");

    /* RSV1 set. */
    static const uint8_t rsv[] = {0xC1, M};
    check_1002("rsv1", rsv, sizeof rsv, 0, 5, "reserved bits set");

    /* Payload bytes that look like bad headers must be skipped. */
    static const uint8_t tricky[] = {0x82, 0x83, 0, 0, 0, 0, 0x89, 0xFF, 0xFF, 0x88, 0x80, 9, 9, 9, 9};
    check_1002("payload looks like headers", tricky, sizeof tricky, 0, 0, NULL);

    /* Close 1012 "ok" (mask 1 2 3 4): wslay would answer 1002; the guard
     * takes it from the frame's first byte, once all 4 payload bytes are in. */
    static const uint8_t close1012[] = {0x81, 0x80, 0, 0, 0, 0, 0x88, 0x84, 1, 2, 3, 4,
                                        0x03 ^ 1, 0xF4 ^ 2, 'o' ^ 3, 'k' ^ 4};
    check_code("close 1012", close1012, sizeof close1012, 6, 15,
               "close code registered after RFC 6455", 1012);

    /* Close 1014 with a reason that is not UTF-8: 1007. */
    static const uint8_t close1014[] = {0x88, 0x83, 0, 0, 0, 0, 0x03, 0xF6, 0xC0};
    check_code("close 1014 bad reason", close1014, sizeof close1014, 0, 8,
               "invalid UTF-8 in a close reason", 1007);

    /* A 16-bit length for 5 bytes: wslay's frame layer would fail. */
    static const uint8_t long16[] = {0x82, 0xFE, 0x00, 0x05, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
    check_1002("non-minimal length", long16, sizeof long16, 0, 7,
               "payload length not in its shortest form");

    /* Codes wslay handles right are left to it, valid or not. */
    static const uint8_t close1000[] = {0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8, 0x81, 0x80, 0, 0, 0, 0};
    check_1002("close 1000 passes", close1000, sizeof close1000, 0, 0, NULL);
    static const uint8_t close1005[] = {0x88, 0x82, 0, 0, 0, 0, 0x03, 0xED};
    check_1002("close 1005 passes (wslay answers 1002)", close1005, sizeof close1005, 0, 0, NULL);

    return check_done("test_ws_wslay_guard");
}
