/* ws_utf8_feed against a reference written differently: the reference
 * decodes each sequence by value and rejects at the first byte after which
 * no completion can be a valid scalar value (overlong, surrogate, above
 * U+10FFFF), which is the fail-fast rule ws_utf8.h promises. The library is
 * fed byte by byte (the reject position must match exactly) and in chunks
 * whose sizes come from the input (the final verdict must match). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "ws_utf8.h"

/* Whether some scalar value of a `len`-byte sequence lies in [lo, hi]. */
static bool viable(int len, uint32_t lo, uint32_t hi)
{
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    static const uint32_t max_cp[5] = {0, 0x7F, 0x7FF, 0xFFFF, 0x10FFFF};
    if (lo < min_cp[len])
        lo = min_cp[len];
    if (hi > max_cp[len])
        hi = max_cp[len];
    if (lo > hi)
        return false;
    if (len == 3 && lo >= 0xD800 && hi <= 0xDFFF)
        return false; /* only surrogates left */
    return true;
}

/* Index of the first byte that makes p invalid, or n if none; *complete
 * tells whether p ends between code points. */
static size_t ref_first_bad(const uint8_t *p, size_t n, bool *complete)
{
    size_t i = 0;
    *complete = false;
    while (i < n) {
        uint8_t b = p[i];
        int len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 :
                  (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0)
            return i;
        uint32_t lead = len == 1 ? b : len == 2 ? (b & 0x1F) :
                        len == 3 ? (b & 0x0F) : (b & 0x07);
        for (int k = 0; k < len; k++) {
            if (k > 0) {
                if (i + (size_t)k >= n)
                    return n; /* incomplete, still viable */
                if ((p[i + k] & 0xC0) != 0x80)
                    return i + (size_t)k;
            }
            /* Smallest and largest values the sequence can still take. */
            uint32_t lo = lead, hi = lead;
            for (int j = 1; j < len; j++) {
                uint32_t bits = j <= k ? (p[i + j] & 0x3Fu) : 0;
                lo = lo << 6 | bits;
                hi = hi << 6 | (j <= k ? bits : 0x3Fu);
            }
            if (!viable(len, lo, hi))
                return i + (size_t)k;
        }
        i += (size_t)len;
    }
    *complete = true;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool complete;
    size_t bad = ref_first_bad(data, size, &complete);

    /* Byte at a time: REJECT must appear exactly at `bad`. */
    uint8_t s = WS_UTF8_ACCEPT;
    for (size_t i = 0; i < size; i++) {
        uint8_t r = ws_utf8_feed(&s, data + i, 1);
        FUZZ_CHECK(r == s, "return %u != state %u", r, s);
        if (i < bad)
            FUZZ_CHECK(s != WS_UTF8_REJECT, "rejected at %zu, reference at %zu", i, bad);
        else
            FUZZ_CHECK(s == WS_UTF8_REJECT, "accepted byte %zu, reference rejects there", i);
    }
    if (bad == size)
        FUZZ_CHECK((s == WS_UTF8_ACCEPT) == complete,
                   "final state %u, reference complete=%d", s, complete);

    /* Chunked: sizes cycle through the bytes of the input itself. */
    uint8_t c = WS_UTF8_ACCEPT;
    size_t at = 0, k = 0;
    while (at < size) {
        size_t n = 1 + (size_t)data[k++ % size] % 23;
        if (n > size - at)
            n = size - at;
        ws_utf8_feed(&c, data + at, n);
        at += n;
    }
    FUZZ_CHECK(c == s, "chunked state %u, byte-at-a-time state %u", c, s);

    /* Whole buffer in one call. */
    uint8_t w = WS_UTF8_ACCEPT;
    ws_utf8_feed(&w, data, size);
    FUZZ_CHECK(w == s, "one-call state %u, byte-at-a-time state %u", w, s);
    return 0;
}
