/* The two RFC 6455 codecs of the kit against each other: competition/common
 * (ws_frame, ws_utf8, ws_close_code_valid, ws_accept_key: what the
 * contestants are built on) and the judge's own, client/src/wsc_* (what
 * the load client, verify and the conformance harness use). They were
 * written apart so that a bug in one is not shared by the other; this
 * target aborts on any input where they disagree, in every role they share:
 *   - a stream of frame headers, fed in pieces whose sizes come from the
 *     input (common: the caller keeps the bytes and calls again; wsc: its
 *     incremental reader): the same headers at the same offsets, the same
 *     point where a 64-bit length with its top bit set stops the stream;
 *   - each header's rule checks, as a client receiving a server's frame
 *     (ws_frame_check(h, false) against wsc_check_server_frame) and with
 *     the masking rule left out (the rules both roles share): the same
 *     verdict, and the rule common names is one wsc says is broken;
 *   - writing that header again and masking its payload at an offset:
 *     the same bytes;
 *   - UTF-8 over the whole input, fed in the same pieces: the same verdict,
 *     the same first bad byte (common's found byte by byte), the same
 *     verdict on a character cut short at the end;
 *   - a close payload (the input's first bytes): code validity and reason;
 *   - the Sec-WebSocket-Accept of a 24-character key.
 * Every close code from 0 to 70,000 is compared once at start-up.
 *
 * Input: bytes 0-1 seed the piece sizes (1..32 bytes), byte 2 the masking
 * offset and whether to compare accept keys; the rest is the stream. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
/* common's headers by their path in competition/common, the client's by
 * theirs in client/src (the Makefile puts both on the include path). */
#include "ws_accept_key.h"
#include "ws_frame.h"
#include "ws_utf8.h"
#include "wsc_accept.h"
#include "wsc_close.h"
#include "wsc_frame.h"
#include "wsc_utf8.h"

#define MAX_HEADERS 512

/* One header as each codec saw it, in a form both map to. */
struct seen {
    size_t start, end;        /* stream offsets of the header's bytes */
    bool top_bit;             /* 64-bit length with its top bit set */
    bool fin, masked;
    uint8_t rsv, opcode, mask[4];
    uint64_t len;
};

/* Piece sizes from the input's seed: the same sequence for both codecs. */
struct pieces {
    uint32_t x;
};

static size_t next_piece(struct pieces *s)
{
    s->x ^= s->x << 13;
    s->x ^= s->x >> 17;
    s->x ^= s->x << 5;
    return 1 + s->x % 32;
}

static size_t common_headers(const uint8_t *p, size_t n, uint32_t seed, struct seen *out)
{
    struct pieces ps = {seed};
    size_t end = 0, at = 0, count = 0;
    uint64_t skip = 0;
    while (end < n && count < MAX_HEADERS) {
        size_t k = next_piece(&ps);
        end = k < n - end ? end + k : n;
        for (;;) {
            if (skip) {
                uint64_t have = end - at, t = skip < have ? skip : have;
                at += (size_t)t;
                skip -= t;
                if (skip)
                    break;
            }
            struct ws_frame_header h;
            int r = ws_frame_parse_header(p + at, end - at, &h);
            if (r == 0)
                break;
            struct seen *s = &out[count++];
            memset(s, 0, sizeof *s);
            s->start = at;
            if (r < 0) {
                s->top_bit = true;
                return count;   /* the stream cannot go on */
            }
            s->end = at + (size_t)r;
            s->fin = h.fin;
            s->masked = h.masked;
            s->rsv = h.rsv;
            s->opcode = h.opcode;
            memcpy(s->mask, h.mask, 4);
            s->len = h.payload_len;
            FUZZ_CHECK(h.header_len == (size_t)r, "common: header_len %zu, returned %d",
                       h.header_len, r);
            at = s->end;
            skip = h.payload_len;
            if (count == MAX_HEADERS || at >= n)
                return count;
        }
    }
    return count;
}

static size_t wsc_headers(const uint8_t *p, size_t n, uint32_t seed, struct seen *out,
                          struct wsc_header *hs)
{
    struct pieces ps = {seed};
    struct wsc_reader r = {0};
    size_t end = 0, at = 0, count = 0;
    uint64_t skip = 0;
    while (end < n && count < MAX_HEADERS) {
        size_t k = next_piece(&ps);
        end = k < n - end ? end + k : n;
        while (at < end) {
            if (skip) {
                uint64_t have = end - at, t = skip < have ? skip : have;
                at += (size_t)t;
                skip -= t;
                continue;
            }
            struct wsc_header h;
            size_t used;
            bool whole = wsc_reader_feed(&r, p + at, end - at, &h, &used);
            FUZZ_CHECK(used <= end - at && (whole || used == end - at),
                       "wsc: reader took %zu of %zu", used, end - at);
            at += used;
            if (!whole)
                break;
            struct seen *s = &out[count];
            hs[count++] = h;
            memset(s, 0, sizeof *s);
            s->end = at;
            s->start = at - h.header_len;
            if (h.len >> 63) {
                s->top_bit = true;
                s->end = 0;
                return count;
            }
            s->fin = h.fin;
            s->masked = h.masked;
            s->rsv = h.rsv;
            s->opcode = h.opcode;
            memcpy(s->mask, h.mask, 4);
            s->len = h.len;
            skip = h.len;
            if (count == MAX_HEADERS || at >= n)
                return count;
        }
    }
    return count;
}

/* The wsc rule that a reason of ws_frame_check names. */
static enum wsc_error rule_of(const char *reason)
{
    static const struct { const char *reason; enum wsc_error e; } map[] = {
        {"reserved bits set", WSC_ERR_RSV},
        {"masked server frame", WSC_ERR_MASKED},
        {"unmasked client frame", WSC_ERR_MASKED},   /* the mask rule, other role */
        {"reserved opcode", WSC_ERR_OPCODE},
        {"fragmented control frame", WSC_ERR_CONTROL_FRAGMENTED},
        {"control frame over 125 bytes", WSC_ERR_CONTROL_LENGTH},
        {"close frame with a 1-byte payload", WSC_ERR_CLOSE_LENGTH},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(reason, map[i].reason) == 0)
            return map[i].e;
    FUZZ_CHECK(0, "ws_frame_check gave a reason this target does not know: \"%s\"", reason);
    return WSC_OK;
}

static void compare_rules(const struct seen *s, const struct wsc_header *h)
{
    struct ws_frame_header ch = {.fin = s->fin, .rsv = s->rsv, .opcode = s->opcode,
                                 .masked = s->masked, .payload_len = s->len};
    unsigned v = wsc_header_violations(h);

    /* A client receiving a server's frame. */
    const char *bad = ws_frame_check(&ch, false);
    enum wsc_error e = wsc_check_server_frame(h);
    FUZZ_CHECK((bad == NULL) == (e == WSC_OK),
               "server frame at %zu: common says \"%s\", wsc says %s", s->start,
               bad ? bad : "ok", wsc_error_name(e));
    if (bad)
        FUZZ_CHECK(v & WSC_BIT(rule_of(bad)), "server frame at %zu: common's \"%s\" "
                   "is not among wsc's violations 0x%x", s->start, bad, v);

    /* The rules both roles share: common told to expect the mask it got. */
    const char *bad2 = ws_frame_check(&ch, s->masked);
    unsigned shared = v & ~WSC_BIT(WSC_ERR_MASKED);
    FUZZ_CHECK((bad2 == NULL) == (shared == 0),
               "frame at %zu, masking aside: common says \"%s\", wsc 0x%x", s->start,
               bad2 ? bad2 : "ok", shared);
    if (bad2)
        FUZZ_CHECK(shared & WSC_BIT(rule_of(bad2)), "frame at %zu: common's \"%s\" is "
                   "not among wsc's violations 0x%x", s->start, bad2, shared);
}

static void compare_writing(const struct seen *s, const uint8_t *payload, size_t have,
                            unsigned off)
{
    uint8_t a[WS_FRAME_MAX_HEADER], b[WSC_HEADER_MAX];
    const uint8_t *mask = s->masked ? s->mask : NULL;
    size_t la = ws_frame_write_header(a, s->fin, s->opcode, s->len, mask);
    size_t lb = wsc_header_write(b, s->fin, s->opcode, s->len, mask);
    FUZZ_CHECK(la == lb && memcmp(a, b, la) == 0,
               "header at %zu written again: %zu vs %zu bytes, or bytes differ", s->start,
               la, lb);

    /* The payload bytes the input holds, masked at an offset (common masks
     * eight bytes at a time from 16 bytes on). */
    static uint8_t x[1 << 16], y[1 << 16];
    if (have > sizeof x)
        have = sizeof x;
    static const uint8_t fixed[4] = {0x37, 0xfa, 0x21, 0x3d};
    const uint8_t *key = mask ? mask : fixed;
    memcpy(x, payload, have);
    memcpy(y, payload, have);
    ws_frame_mask(x, have, key, off);
    wsc_mask(y, have, key, off);
    FUZZ_CHECK(memcmp(x, y, have) == 0, "payload at %zu (%zu bytes) masked from offset %u "
               "differs", s->start, have, off);
}

static void compare_frames(const uint8_t *p, size_t n, uint32_t seed, unsigned off)
{
    static struct seen a[MAX_HEADERS], b[MAX_HEADERS];
    static struct wsc_header hs[MAX_HEADERS];
    size_t na = common_headers(p, n, seed, a);
    size_t nb = wsc_headers(p, n, seed, b, hs);
    FUZZ_CHECK(na == nb, "common saw %zu headers, wsc %zu", na, nb);
    for (size_t i = 0; i < na; i++) {
        const struct seen *s = &a[i], *t = &b[i];
        FUZZ_CHECK(s->start == t->start && s->top_bit == t->top_bit, "header %zu: common at "
                   "%zu top bit %d, wsc at %zu top bit %d", i, s->start, s->top_bit,
                   t->start, t->top_bit);
        if (s->top_bit)
            break;
        FUZZ_CHECK(s->end == t->end && s->fin == t->fin && s->masked == t->masked &&
                   s->rsv == t->rsv && s->opcode == t->opcode && s->len == t->len &&
                   memcmp(s->mask, t->mask, 4) == 0,
                   "header %zu at %zu: fields differ (len %llu vs %llu, op %u vs %u)", i,
                   s->start, (unsigned long long)s->len, (unsigned long long)t->len,
                   s->opcode, t->opcode);
        compare_rules(s, &hs[i]);
        size_t left = n - s->end;
        compare_writing(s, p + s->end, s->len < left ? (size_t)s->len : left, off);
    }
}

/* common's first bad byte: fed byte by byte until the state is REJECT. */
static long common_bad_at(const uint8_t *p, size_t n, uint8_t *final)
{
    uint8_t st = WS_UTF8_ACCEPT;
    for (size_t i = 0; i < n; i++)
        if (ws_utf8_feed(&st, p + i, 1) == WS_UTF8_REJECT) {
            *final = st;
            return (long)i;
        }
    *final = st;
    return -1;
}

static void compare_utf8(const uint8_t *p, size_t n, uint32_t seed)
{
    /* In pieces, both: same verdict. */
    struct pieces ps = {seed};
    uint8_t st = WS_UTF8_ACCEPT;
    struct wsc_utf8 u;
    wsc_utf8_init(&u);
    for (size_t at = 0; at < n;) {
        size_t k = next_piece(&ps);
        if (k > n - at)
            k = n - at;
        ws_utf8_feed(&st, p + at, k);
        bool ok = wsc_utf8_feed(&u, p + at, k);
        at += k;
        FUZZ_CHECK((st == WS_UTF8_REJECT) == !ok, "UTF-8 after %zu bytes: common state %u, "
                   "wsc %s", at, st, ok ? "ok" : "failed");
    }
    bool whole = wsc_utf8_finish(&u);
    FUZZ_CHECK(whole == (st == WS_UTF8_ACCEPT), "UTF-8 of %zu bytes: common ends in state "
               "%u, wsc says %s", n, st, whole ? "whole" : "not");

    uint8_t fin;
    long bad = common_bad_at(p, n, &fin);
    FUZZ_CHECK(fin == st, "common's state differs fed whole-piecewise (%u) and bytewise (%u)",
               st, fin);
    if (bad >= 0)
        FUZZ_CHECK(u.failed && u.error_at == (uint64_t)bad,
                   "first bad UTF-8 byte: common %ld, wsc %llu", bad,
                   (unsigned long long)u.error_at);
    else if (!whole)
        FUZZ_CHECK(u.error_at == n, "cut short: wsc says byte %llu of %zu",
                   (unsigned long long)u.error_at, n);
}

/* A close payload judged by common's pieces, the way its users combine them. */
static enum wsc_close_verdict common_close(const uint8_t *p, size_t n)
{
    if (n == 0)
        return WSC_CLOSE_OK;
    if (n == 1)
        return WSC_CLOSE_ONE_BYTE;
    if (!ws_close_code_valid((unsigned)p[0] << 8 | p[1]))
        return WSC_CLOSE_BAD_CODE;
    uint8_t st = WS_UTF8_ACCEPT;
    if (ws_utf8_feed(&st, p + 2, n - 2) != WS_UTF8_ACCEPT)
        return WSC_CLOSE_BAD_REASON;
    return WSC_CLOSE_OK;
}

static void compare_close(const uint8_t *p, size_t n)
{
    if (n > WSC_CONTROL_MAX)
        n = WSC_CONTROL_MAX;
    unsigned code;
    uint64_t at;
    enum wsc_close_verdict v = wsc_close_parse(p, n, &code, &at);
    enum wsc_close_verdict w = common_close(p, n);
    FUZZ_CHECK(v == w, "close payload of %zu bytes: common verdict %d, wsc %d", n, w, v);
}

static void compare_accept(const uint8_t *p, size_t n)
{
    /* ws_accept_key refuses a key that is not base64 of 16 bytes; wsc_accept
     * hashes whatever the client sent. Compare on the keys common accepts. */
    if (n > 24)
        n = 24;
    char a[WS_ACCEPT_LEN + 1], b[WSC_ACCEPT_LEN + 1];
    if (ws_accept_key((const char *)p, n, a) != 0)
        return;
    FUZZ_CHECK(wsc_accept((const char *)p, n, b) == 0 && strcmp(a, b) == 0,
               "accept of a %zu-byte key: common %s, wsc %s", n, a, b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (unsigned c = 0; c <= 70000; c++)
        FUZZ_CHECK(ws_close_code_valid(c) == wsc_close_code_valid(c),
                   "close code %u: common %d, wsc %d", c, ws_close_code_valid(c),
                   wsc_close_code_valid(c));
    /* The RFC's example key, which a base64 refusal would otherwise hide. */
    compare_accept((const uint8_t *)"dGhlIHNhbXBsZSBub25jZQ==", 24);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    uint32_t seed = 0x9e3779b9u ^ ((uint32_t)data[0] << 8 | data[1]);
    unsigned off = data[2] & 0x7F;
    const uint8_t *p = data + 3;
    size_t n = size - 3;

    compare_frames(p, n, seed, off);
    compare_utf8(p, n, seed);
    compare_close(p, n);
    if (data[2] & 0x80)
        compare_accept(p, n);
    return 0;
}
