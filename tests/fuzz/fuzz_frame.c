/* ws_frame_parse_header, ws_frame_check, ws_frame_write_header and
 * ws_frame_mask. Every field is decoded again here by hand from RFC 6455
 * section 5.2, every shorter prefix must ask for more bytes, a written
 * header must parse back to the same frame in its shortest form, and
 * masking in pieces must equal masking at once. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "ws_frame.h"

static const char *expected_check(const struct ws_frame_header *h, bool expect_masked)
{
    bool control = h->opcode >= 0x8;
    if (h->rsv)
        return "rsv";
    if (h->masked != expect_masked)
        return "mask";
    if (h->opcode > 0x2 && h->opcode != 0x8 && h->opcode != 0x9 && h->opcode != 0xA)
        return "opcode";
    if (control && (!h->fin || h->payload_len > 125))
        return "control";
    if (h->opcode == 0x8 && h->payload_len == 1)
        return "close-1";
    return NULL;
}

static void check_header(const uint8_t *p, size_t n)
{
    struct ws_frame_header h;
    int r = ws_frame_parse_header(p, n, &h);

    size_t len7 = n >= 2 ? (p[1] & 0x7F) : 0;
    size_t need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (n >= 2 && (p[1] & 0x80) ? 4 : 0);
    if (n < 2 || n < need) {
        FUZZ_CHECK(r == 0, "%zu of %zu header bytes gave %d", n, need, r);
        return;
    }
    if (len7 == 127 && (p[2] & 0x80)) {
        FUZZ_CHECK(r == -1, "64-bit length with top bit set gave %d", r);
        return;
    }
    FUZZ_CHECK(r > 0 && (size_t)r == need && h.header_len == need,
               "returned %d, header_len %zu, expected %zu", r, h.header_len, need);

    uint64_t len = len7;
    if (len7 == 126)
        len = (uint64_t)p[2] << 8 | p[3];
    else if (len7 == 127)
        for (int i = 0; i < 8; i++)
            len = (i ? len << 8 : 0) | p[2 + i];
    FUZZ_CHECK(h.fin == !!(p[0] & 0x80), "fin");
    FUZZ_CHECK(h.rsv == (p[0] & 0x70), "rsv %#x", h.rsv);
    FUZZ_CHECK(h.opcode == (p[0] & 0x0F), "opcode %u", h.opcode);
    FUZZ_CHECK(h.masked == !!(p[1] & 0x80), "masked");
    FUZZ_CHECK(h.payload_len == len, "payload_len %llu != %llu",
               (unsigned long long)h.payload_len, (unsigned long long)len);
    if (h.masked)
        FUZZ_CHECK(memcmp(h.mask, p + need - 4, 4) == 0, "mask key");

    /* Every shorter prefix asks for more. */
    for (size_t k = 0; k < need; k++) {
        struct ws_frame_header t;
        FUZZ_CHECK(ws_frame_parse_header(p, k, &t) == 0, "prefix %zu of %zu", k, need);
    }

    for (int em = 0; em < 2; em++) {
        const char *got = ws_frame_check(&h, em);
        const char *want = expected_check(&h, em);
        FUZZ_CHECK(!got == !want, "check(expect_masked=%d) said %s, expected %s",
                   em, got ? got : "ok", want ? want : "ok");
    }

    /* Write it back: shortest length encoding, RSV dropped. */
    uint8_t out[WS_FRAME_MAX_HEADER];
    size_t w = ws_frame_write_header(out, h.fin, h.opcode, h.payload_len,
                                     h.masked ? h.mask : NULL);
    size_t shortest = 2 + (len < 126 ? 0 : len <= 0xFFFF ? 2 : 8) + (h.masked ? 4 : 0);
    FUZZ_CHECK(w == shortest, "wrote %zu bytes, shortest is %zu", w, shortest);
    struct ws_frame_header back;
    FUZZ_CHECK(ws_frame_parse_header(out, w, &back) == (int)w, "re-parse");
    FUZZ_CHECK(back.fin == h.fin && back.rsv == 0 && back.opcode == h.opcode &&
               back.masked == h.masked && back.payload_len == h.payload_len &&
               memcmp(back.mask, h.mask, 4) == 0, "round trip differs");
    if (w == need && h.rsv == 0)
        FUZZ_CHECK(memcmp(out, p, w) == 0, "shortest-form input not reproduced");
}

static void check_mask(const uint8_t *p, size_t n, const uint8_t mask[4], size_t split)
{
    static uint8_t whole[4096], parts[4096];
    if (n > sizeof whole)
        n = sizeof whole;
    if (split > n)
        split = n;
    memcpy(whole, p, n);
    ws_frame_mask(whole, n, mask, 0);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(whole[i] == (p[i] ^ mask[i % 4]), "byte %zu", i);

    memcpy(parts, p, n);
    ws_frame_mask(parts, split, mask, 0);
    ws_frame_mask(parts + split, n - split, mask, split);
    FUZZ_CHECK(memcmp(parts, whole, n) == 0, "split at %zu differs", split);

    ws_frame_mask(parts, n, mask, 0);
    FUZZ_CHECK(memcmp(parts, p, n) == 0, "masking twice is not the identity");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_header(data, size);
    if (size >= 5)
        check_mask(data + 5, size - 5, data + 1, data[0]);
    return 0;
}
