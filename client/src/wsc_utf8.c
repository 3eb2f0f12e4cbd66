#include "wsc_utf8.h"

/* RFC 3629's table of well-formed sequences, by first byte:
 *   00-7F
 *   C2-DF  80-BF
 *   E0     A0-BF 80-BF        (no overlong forms)
 *   E1-EC  80-BF 80-BF
 *   ED     80-9F 80-BF        (no surrogates D800-DFFF)
 *   EE-EF  80-BF 80-BF
 *   F0     90-BF 80-BF 80-BF  (no overlong forms)
 *   F1-F3  80-BF 80-BF 80-BF
 *   F4     80-8F 80-BF 80-BF  (nothing above U+10FFFF)
 * Only the second byte's range depends on the first; the rest are 80-BF. */
static bool start(struct wsc_utf8 *u, uint8_t b)
{
    u->lo = 0x80;
    u->hi = 0xBF;
    if (b <= 0x7F) {
        u->need = 0;
    } else if (b >= 0xC2 && b <= 0xDF) {
        u->need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
        u->need = 2;
        if (b == 0xE0)
            u->lo = 0xA0;
        else if (b == 0xED)
            u->hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        u->need = 3;
        if (b == 0xF0)
            u->lo = 0x90;
        else if (b == 0xF4)
            u->hi = 0x8F;
    } else {
        return false;   /* 80-C1 (stray continuation, overlong), F5-FF */
    }
    return true;
}

static bool fail(struct wsc_utf8 *u, uint64_t at)
{
    u->failed = true;
    u->error_at = at;
    return false;
}

bool wsc_utf8_feed(struct wsc_utf8 *u, const uint8_t *p, size_t n)
{
    if (u->failed)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = p[i];
        if (u->need == 0) {
            if (!start(u, b))
                return fail(u, u->offset + i);
        } else {
            if (b < u->lo || b > u->hi)
                return fail(u, u->offset + i);
            u->need--;
            u->lo = 0x80;
            u->hi = 0xBF;
        }
    }
    u->offset += n;
    return true;
}

bool wsc_utf8_finish(struct wsc_utf8 *u)
{
    if (u->failed)
        return false;
    if (u->need)
        return fail(u, u->offset);
    return true;
}

bool wsc_utf8_valid(const uint8_t *p, size_t n, uint64_t *error_at)
{
    struct wsc_utf8 u;
    wsc_utf8_init(&u);
    bool ok = wsc_utf8_feed(&u, p, n) && wsc_utf8_finish(&u);
    if (!ok && error_at)
        *error_at = u.error_at;
    return ok;
}
