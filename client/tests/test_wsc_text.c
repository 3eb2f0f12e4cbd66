/* The judge's UTF-8 validator and close rules (src/wsc_utf8.c,
 * src/wsc_close.c): each row of RFC 3629's table at its edges, the byte
 * where a bad text fails, fed whole and split at every point, and the
 * close codes of RFC 6455 7.4 one by one. */
#include <string.h>

#include "check.h"
#include "wsc_close.h"
#include "wsc_utf8.h"

struct text {
    const char *what;
    const char *bytes;
    size_t n;
    long bad_at;   /* -1: valid */
};

static const struct text texts[] = {
    {"empty", "", 0, -1},
    {"ASCII", "Hello", 5, -1},
    {"U+0080 and U+07FF", "\xc2\x80\xdf\xbf", 4, -1},
    {"U+0800 and U+0FFF", "\xe0\xa0\x80\xe0\xbf\xbf", 6, -1},
    {"U+D7FF, last before the surrogates", "\xed\x9f\xbf", 3, -1},
    {"U+E000 and U+FFFF", "\xee\x80\x80\xef\xbf\xbf", 6, -1},
    {"U+10000 and U+10FFFF", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8, -1},
    {"kosme (Autobahn 6.2)", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, -1},
    {"stray continuation", "a\x80", 2, 1},
    {"overlong C0 80", "\xc0\x80", 2, 0},
    {"overlong C1 BF", "\xc1\xbf", 2, 0},
    {"overlong E0 9F BF", "\xe0\x9f\xbf", 3, 1},
    {"surrogate U+D800", "\xed\xa0\x80", 3, 1},
    {"surrogate U+DFFF", "\xed\xbf\xbf", 3, 1},
    {"overlong F0 8F BF BF", "\xf0\x8f\xbf\xbf", 4, 1},
    {"U+110000", "\xf4\x90\x80\x80", 4, 1},
    {"F5", "\xf5\x80\x80\x80", 4, 0},
    {"FF", "ab\xff", 3, 2},
    {"ASCII inside a character", "\xe1\x80" "a", 3, 2},
    {"cut short after 1 of 2", "ab\xc2", 3, 3},
    {"cut short after 3 of 4", "\xf0\x90\x80", 3, 3},
};

static void test_utf8(void)
{
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const struct text *t = &texts[i];
        const uint8_t *p = (const uint8_t *)t->bytes;
        uint64_t at = 12345;
        bool ok = wsc_utf8_valid(p, t->n, &at);
        CHECK(ok == (t->bad_at < 0), "%s: verdict", t->what);
        if (t->bad_at >= 0)
            CHECK(at == (uint64_t)t->bad_at, "%s: failed at %llu", t->what,
                  (unsigned long long)at);

        /* Split at every point, and fed one byte at a time: same answer. */
        for (size_t s = 0; s <= t->n; s++) {
            struct wsc_utf8 u;
            wsc_utf8_init(&u);
            wsc_utf8_feed(&u, p, s);
            bool whole = wsc_utf8_feed(&u, p + s, t->n - s) && wsc_utf8_finish(&u);
            CHECK(whole == ok && (ok || u.error_at == at), "%s: split at %zu", t->what, s);
        }
        struct wsc_utf8 u;
        wsc_utf8_init(&u);
        for (size_t k = 0; k < t->n; k++)
            wsc_utf8_feed(&u, p + k, 1);
        CHECK(wsc_utf8_finish(&u) == ok && (ok || u.error_at == at), "%s: bytewise", t->what);
    }

    /* After a failure nothing changes, good bytes or not. */
    struct wsc_utf8 u;
    wsc_utf8_init(&u);
    CHECK(!wsc_utf8_feed(&u, (const uint8_t *)"ab\xff", 3) && u.error_at == 2);
    CHECK(!wsc_utf8_feed(&u, (const uint8_t *)"cd", 2) && u.error_at == 2);
    CHECK(!wsc_utf8_finish(&u) && u.error_at == 2);
}

static void test_close_codes(void)
{
    /* RFC 6455 7.4.1 and 7.4.2, IANA's 1012-1014. */
    static const unsigned good[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010,
                                    1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};
    static const unsigned bad[] = {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 2000,
                                   2999, 5000, 65535};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(wsc_close_code_valid(good[i]), "code %u", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(!wsc_close_code_valid(bad[i]), "code %u", bad[i]);
}

static void test_close_parse(void)
{
    unsigned code = 0;
    uint64_t at = 0;

    CHECK(wsc_close_parse(NULL, 0, &code, &at) == WSC_CLOSE_OK && code == WSC_CLOSE_NO_STATUS);
    CHECK(wsc_close_parse((const uint8_t *)"\x03", 1, &code, &at) == WSC_CLOSE_ONE_BYTE);
    CHECK(wsc_close_parse((const uint8_t *)"\x03\xe8", 2, &code, &at) == WSC_CLOSE_OK &&
          code == 1000);
    CHECK(wsc_close_parse((const uint8_t *)"\x0f\xa0" "bye", 5, &code, &at) == WSC_CLOSE_OK &&
          code == 4000);
    CHECK(wsc_close_parse((const uint8_t *)"\x03\xed", 2, &code, &at) == WSC_CLOSE_BAD_CODE &&
          code == 1005);
    CHECK(wsc_close_parse((const uint8_t *)"\x03\xe8" "ok\xc0\x80", 6, &code, &at) ==
          WSC_CLOSE_BAD_REASON && code == 1000 && at == 2);
}

int main(void)
{
    test_utf8();
    test_close_codes();
    test_close_parse();
    return check_done("test_wsc_text");
}
