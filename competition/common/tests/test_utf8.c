/* ws_utf8 on valid and invalid sequences, whole and split at every byte. */
#include "check.h"
#include "ws_utf8.h"

struct sample {
    const char *bytes;
    int valid;      /* 1 valid, 0 invalid, -1 valid so far but incomplete */
    const char *what;
};

static const struct sample samples[] = {
    {"Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!", 1, "Latin-1 supplement"},
    {"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", 1, "Greek kosme"},
    {"\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF", 1, "U+10000 and U+10FFFF"},
    {"\xEF\xBF\xBF\xEE\x80\x80", 1, "U+FFFF and U+E000"},
    {"\xC0\xAF", 0, "overlong slash (C0)"},
    {"\xE0\x80\xAF", 0, "overlong 3-byte"},
    {"\xF0\x80\x80\xAF", 0, "overlong 4-byte"},
    {"\xED\xA0\x80", 0, "surrogate U+D800"},
    {"\xED\xBF\xBF", 0, "surrogate U+DFFF"},
    {"\xF4\x90\x80\x80", 0, "above U+10FFFF"},
    {"\xF5\x80\x80\x80", 0, "F5 lead byte"},
    {"\x80", 0, "stray continuation"},
    {"\xFE", 0, "FE"},
    {"\xCE\xBA\xE1\xBD", -1, "truncated 3-byte sequence"},
    {"abc\xC3", -1, "truncated 2-byte sequence"},
    {"abcdefghijklmnop\xC3(", 0, "bad continuation after an ASCII run"},
};

static uint8_t feed_split(const char *s, size_t n, size_t cut)
{
    uint8_t st = WS_UTF8_ACCEPT;
    ws_utf8_feed(&st, (const uint8_t *)s, cut);
    return ws_utf8_feed(&st, (const uint8_t *)s + cut, n - cut);
}

int main(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        const struct sample *s = &samples[i];
        size_t n = strlen(s->bytes);
        for (size_t cut = 0; cut <= n; cut++) {
            uint8_t st = feed_split(s->bytes, n, cut);
            if (s->valid == 1)
                CHECK(st == WS_UTF8_ACCEPT, "%s split at %zu: state %d", s->what, cut, st);
            else if (s->valid == 0)
                CHECK(st == WS_UTF8_REJECT, "%s split at %zu: state %d", s->what, cut, st);
            else
                CHECK(st != WS_UTF8_ACCEPT && st != WS_UTF8_REJECT, "%s split at %zu: state %d",
                      s->what, cut, st);
        }
    }
    /* Fail fast: the invalid byte is reported before the rest is fed. */
    uint8_t st = WS_UTF8_ACCEPT;
    CHECK(ws_utf8_feed(&st, (const uint8_t *)"ok\xFF", 3) == WS_UTF8_REJECT, "reject at 0xFF");
    CHECK(ws_utf8_feed(&st, (const uint8_t *)"fine", 4) == WS_UTF8_REJECT, "reject is sticky");
    return check_done("test_utf8");
}
