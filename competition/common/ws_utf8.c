#include "ws_utf8.h"

/* States: 0 accept; 1..3 continuation bytes still needed (any 80..BF);
 * 4..7 the second byte of a sequence whose lead byte narrows it, the
 * values after which are forbidden as overlong, surrogate or > U+10FFFF. */
enum { NEED1 = 1, NEED2, NEED3, AFTER_E0, AFTER_ED, AFTER_F0, AFTER_F4 };

static uint8_t step(uint8_t s, uint8_t b)
{
    switch (s) {
    case WS_UTF8_ACCEPT:
        if (b < 0x80) return WS_UTF8_ACCEPT;
        if (b < 0xC2) return WS_UTF8_REJECT;  /* stray continuation or overlong C0/C1 */
        if (b < 0xE0) return NEED1;
        if (b == 0xE0) return AFTER_E0;
        if (b == 0xED) return AFTER_ED;
        if (b < 0xF0) return NEED2;
        if (b == 0xF0) return AFTER_F0;
        if (b < 0xF4) return NEED3;
        if (b == 0xF4) return AFTER_F4;
        return WS_UTF8_REJECT;
    case NEED1: case NEED2: case NEED3:
        return (b & 0xC0) == 0x80 ? (uint8_t)(s - 1) : WS_UTF8_REJECT;
    case AFTER_E0: return b >= 0xA0 && b <= 0xBF ? NEED1 : WS_UTF8_REJECT;
    case AFTER_ED: return b >= 0x80 && b <= 0x9F ? NEED1 : WS_UTF8_REJECT;
    case AFTER_F0: return b >= 0x90 && b <= 0xBF ? NEED2 : WS_UTF8_REJECT;
    case AFTER_F4: return b >= 0x80 && b <= 0x8F ? NEED2 : WS_UTF8_REJECT;
    default: return WS_UTF8_REJECT;
    }
}

uint8_t ws_utf8_feed(uint8_t *state, const uint8_t *p, size_t n)
{
    uint8_t s = *state;
    size_t i = 0;
    while (i < n && s != WS_UTF8_REJECT) {
        /* ASCII runs are the common case: skip them eight bytes at a time. */
        if (s == WS_UTF8_ACCEPT) {
            while (i + 8 <= n) {
                uint64_t w = 0;
                for (int k = 0; k < 8; k++)
                    w |= (uint64_t)p[i + k] << (8 * k);
                if (w & 0x8080808080808080ULL)
                    break;
                i += 8;
            }
            if (i == n)
                break;
        }
        s = step(s, p[i++]);
    }
    *state = s;
    return s;
}
