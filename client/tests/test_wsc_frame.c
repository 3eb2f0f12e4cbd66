/* The judge's frame codec (src/wsc_frame.c): exact wire bytes against
 * values worked out by hand from RFC 6455 5.2 and its examples in 5.7;
 * headers decoded whole, from every prefix, byte at a time and coalesced
 * through the reader; every rule a server frame can break, with its name. */
#include <string.h>

#include "check.h"
#include "wsc_frame.h"

static const uint8_t KEY[4] = {0x37, 0xfa, 0x21, 0x3d};   /* RFC 6455 5.7 */

static void test_write(void)
{
    uint8_t out[64];
    size_t n;

    /* 5.7: a single-frame unmasked text message "Hello". */
    n = wsc_frame_write(out, true, WSC_OP_TEXT, "Hello", 5, NULL);
    CHECK(n == 7);
    CHECK_BYTES(out, "\x81\x05\x48\x65\x6c\x6c\x6f", 7, "unmasked Hello");

    /* 5.7: the same, masked with 37 fa 21 3d. */
    n = wsc_frame_write(out, true, WSC_OP_TEXT, "Hello", 5, KEY);
    CHECK(n == 11);
    CHECK_BYTES(out, "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11, "masked Hello");

    /* 5.7: a fragmented unmasked text message, "Hel" then "lo". */
    n = wsc_frame_write(out, false, WSC_OP_TEXT, "Hel", 3, NULL);
    CHECK(n == 5 && memcmp(out, "\x01\x03Hel", 5) == 0);
    n = wsc_frame_write(out, true, WSC_OP_CONT, "lo", 2, NULL);
    CHECK(n == 4 && memcmp(out, "\x80\x02lo", 4) == 0);

    /* 5.7: unmasked ping, masked pong, both "Hello". */
    n = wsc_frame_write(out, true, WSC_OP_PING, "Hello", 5, NULL);
    CHECK(n == 7 && memcmp(out, "\x89\x05Hello", 7) == 0);
    n = wsc_frame_write(out, true, WSC_OP_PONG, "Hello", 5, KEY);
    CHECK_BYTES(out, "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11, "masked pong");

    /* Empty payloads: no payload bytes, the key still sent when masked. */
    n = wsc_frame_write(out, true, WSC_OP_CLOSE, NULL, 0, KEY);
    CHECK(n == 6 && memcmp(out, "\x88\x80\x37\xfa\x21\x3d", 6) == 0);
    n = wsc_frame_write(out, true, WSC_OP_BINARY, NULL, 0, NULL);
    CHECK(n == 2 && memcmp(out, "\x82\x00", 2) == 0);

    /* The edges of the 7-, 16- and 64-bit length encodings (5.7: 256
     * bytes is 7E 01 00, 64 KiB is 7F 00 00 00 00 00 01 00 00). */
    static const struct { uint64_t len; size_t hl; const char *want; } lens[] = {
        {125, 2, "\x82\x7d"},
        {126, 4, "\x82\x7e\x00\x7e"},
        {256, 4, "\x82\x7e\x01\x00"},
        {65535, 4, "\x82\x7e\xff\xff"},
        {65536, 10, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"},
        {0x0102030405060708ull, 10, "\x82\x7f\x01\x02\x03\x04\x05\x06\x07\x08"},
    };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        n = wsc_header_write(out, true, WSC_OP_BINARY, lens[i].len, NULL);
        CHECK(n == lens[i].hl, "length %llu", (unsigned long long)lens[i].len);
        CHECK_BYTES(out, lens[i].want, lens[i].hl, "length encoding");
        n = wsc_header_write(out, true, WSC_OP_BINARY, lens[i].len, KEY);
        CHECK(n == lens[i].hl + 4 && out[1] == (uint8_t)(lens[i].want[1] | 0x80) &&
              memcmp(out + lens[i].hl, KEY, 4) == 0, "masked length %llu",
              (unsigned long long)lens[i].len);
    }

    /* Opcodes go out as given, reserved ones too (the harness sends them). */
    n = wsc_header_write(out, true, 0x0B, 0, NULL);
    CHECK(n == 2 && out[0] == 0x8B && out[1] == 0);
}

static void test_mask(void)
{
    uint8_t p[11] = "Hello World";
    static const uint8_t want[11] = {0x7f, 0x9f, 0x4d, 0x51, 0x58, 0xda, 0x76, 0x52,
                                     0x45, 0x96, 0x45};
    uint8_t q[11];

    /* By hand: 'H'^37 'e'^fa 'l'^21 'l'^3d 'o'^37 ' '^fa 'W'^21 'o'^3d ... */
    memcpy(q, p, sizeof q);
    wsc_mask(q, sizeof q, KEY, 0);
    CHECK_BYTES(q, want, sizeof q, "masked Hello World");
    wsc_mask(q, sizeof q, KEY, 0);
    CHECK_BYTES(q, p, sizeof q, "masking twice restores");

    /* In pieces at every split point: the offset picks up the key's phase. */
    for (size_t a = 0; a <= sizeof p; a++)
        for (size_t b = a; b <= sizeof p; b++) {
            memcpy(q, p, sizeof q);
            wsc_mask(q, a, KEY, 0);
            wsc_mask(q + a, b - a, KEY, a);
            wsc_mask(q + b, sizeof q - b, KEY, b);
            CHECK(memcmp(q, want, sizeof q) == 0, "pieces at %zu and %zu", a, b);
        }
}

static void expect_header(const char *what, const uint8_t *p, size_t hl, bool fin,
                          uint8_t rsv, uint8_t opcode, bool masked, uint64_t len)
{
    struct wsc_header h;

    CHECK(wsc_header_parse(p, hl, &h) == hl, "%s: header length", what);
    CHECK(h.fin == fin && h.rsv == rsv && h.opcode == opcode && h.masked == masked &&
          h.len == len && h.header_len == hl, "%s: fields", what);
    if (masked)
        CHECK(memcmp(h.mask, p + hl - 4, 4) == 0, "%s: key", what);
    for (size_t k = 0; k < hl; k++)
        CHECK(wsc_header_parse(p, k, &h) == 0, "%s: prefix of %zu bytes", what, k);
}

static void test_parse(void)
{
    expect_header("unmasked Hello", (const uint8_t *)"\x81\x05", 2, true, 0, 1, false, 5);
    expect_header("masked Hello", (const uint8_t *)"\x81\x85\x37\xfa\x21\x3d", 6,
                  true, 0, 1, true, 5);
    expect_header("fragment", (const uint8_t *)"\x01\x03", 2, false, 0, 1, false, 3);
    expect_header("256 bytes", (const uint8_t *)"\x82\x7e\x01\x00", 4, true, 0, 2, false, 256);
    expect_header("64 KiB", (const uint8_t *)"\x82\x7f\0\0\0\0\0\x01\0\0", 10,
                  true, 0, 2, false, 65536);
    expect_header("64 KiB masked", (const uint8_t *)"\x82\xff\0\0\0\0\0\x01\0\0\1\2\3\4", 14,
                  true, 0, 2, true, 65536);
    expect_header("RSV1|RSV3 ping", (const uint8_t *)"\xd9\x00", 2, true, 0x50, 9, false, 0);
    expect_header("top bit", (const uint8_t *)"\x82\x7f\x80\0\0\0\0\0\0\x05", 10,
                  true, 0, 2, false, 0x8000000000000005ull);
    /* A longer length encoding than needed decodes, and breaks no rule a
     * receiver must enforce (5.2's "minimal number of bytes" binds the sender). */
    expect_header("5 in 16 bits", (const uint8_t *)"\x82\x7e\x00\x05", 4, true, 0, 2, false, 5);
    expect_header("5 in 64 bits", (const uint8_t *)"\x82\x7f\0\0\0\0\0\0\0\x05", 10,
                  true, 0, 2, false, 5);
    struct wsc_header h;
    wsc_header_parse((const uint8_t *)"\x82\x7f\0\0\0\0\0\0\0\x05", 10, &h);
    CHECK(wsc_check_server_frame(&h) == WSC_OK);
}

/* A stream of three frames (a 16-bit length, a masked one, a 7-bit one),
 * fed through one reader in pieces of every size from 1 to all of it. */
static void test_reader(void)
{
    uint8_t s[512];
    size_t len = 0;
    static uint8_t payload[300];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)i;
    len += wsc_frame_write(s + len, false, WSC_OP_BINARY, payload, 300, NULL);
    len += wsc_frame_write(s + len, true, WSC_OP_PING, "ab", 2, KEY);
    len += wsc_frame_write(s + len, true, WSC_OP_CONT, "xyz", 3, NULL);
    CHECK(len == 304 + 8 + 5);
    static const struct { uint8_t op; uint64_t len; size_t at; } want[3] = {
        {WSC_OP_BINARY, 300, 0}, {WSC_OP_PING, 2, 304}, {WSC_OP_CONT, 3, 312}};

    for (size_t step = 1; step <= len; step++) {
        struct wsc_reader r = {0};
        size_t at = 0, got = 0, skip = 0;
        bool ok = true;
        while (at < len && ok) {
            size_t n = len - at < step ? len - at : step;
            if (skip) {   /* payload: not the reader's */
                size_t k = skip < n ? skip : n;
                skip -= k;
                at += k;
                continue;
            }
            struct wsc_header h;
            size_t used;
            if (wsc_reader_feed(&r, s + at, n, &h, &used)) {
                ok = got < 3 && h.opcode == want[got].op && h.len == want[got].len &&
                     at + used == want[got].at + h.header_len;
                skip = h.len;
                got++;
            } else {
                ok = used == n;
            }
            at += used;
        }
        CHECK(ok && got == 3 && at == len, "pieces of %zu bytes", step);
    }
}

struct bad {
    const char *name;
    const char *bytes;
    size_t n;
    enum wsc_error e;
    const char *token;
};

static void test_rules(void)
{
    static const struct bad bad[] = {
        {"RSV1", "\xc1\x00", 2, WSC_ERR_RSV, "reserved_bits_set"},
        {"RSV2", "\xa1\x00", 2, WSC_ERR_RSV, "reserved_bits_set"},
        {"RSV3", "\x91\x00", 2, WSC_ERR_RSV, "reserved_bits_set"},
        {"opcode 3", "\x83\x00", 2, WSC_ERR_OPCODE, "reserved_opcode"},
        {"opcode 7", "\x87\x00", 2, WSC_ERR_OPCODE, "reserved_opcode"},
        {"opcode B", "\x8b\x00", 2, WSC_ERR_OPCODE, "reserved_opcode"},
        {"opcode F", "\x8f\x00", 2, WSC_ERR_OPCODE, "reserved_opcode"},
        {"masked", "\x82\x81\1\2\3\4", 6, WSC_ERR_MASKED, "masked_server_frame"},
        {"fragmented ping", "\x09\x00", 2, WSC_ERR_CONTROL_FRAGMENTED, "fragmented_control_frame"},
        {"fragmented close", "\x08\x02", 2, WSC_ERR_CONTROL_FRAGMENTED, "fragmented_control_frame"},
        {"126-byte pong", "\x8a\x7e\x00\x7e", 4, WSC_ERR_CONTROL_LENGTH,
         "control_frame_over_125_bytes"},
        {"1-byte close", "\x88\x01", 2, WSC_ERR_CLOSE_LENGTH, "close_payload_of_1_byte"},
        {"top bit", "\x82\x7f\x80\0\0\0\0\0\0\0", 10, WSC_ERR_LENGTH_MSB, "bad_length"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct wsc_header h;
        CHECK(wsc_header_parse((const uint8_t *)bad[i].bytes, bad[i].n, &h) == bad[i].n,
              "%s", bad[i].name);
        enum wsc_error e = wsc_check_server_frame(&h);
        CHECK(e == bad[i].e && wsc_header_violations(&h) == WSC_BIT(bad[i].e),
              "%s: error %d", bad[i].name, e);
        CHECK(strcmp(wsc_error_name(e), bad[i].token) == 0, "%s: %s", bad[i].name,
              wsc_error_name(e));
    }

    /* Frames a server may send. */
    static const char *const good[] = {"\x81\x00", "\x02\x00", "\x00\x00", "\x80\x00",
                                       "\x89\x7d", "\x8a\x00", "\x88\x00", "\x88\x02"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct wsc_header h;
        wsc_header_parse((const uint8_t *)good[i], 2, &h);
        CHECK(wsc_check_server_frame(&h) == WSC_OK && wsc_header_violations(&h) == 0,
              "good frame %zu", i);
    }

    /* Every rule broken at once: all reported, the first in enum order named. */
    struct wsc_header h;
    wsc_header_parse((const uint8_t *)"\x7b\xff\x80\0\0\0\0\0\0\0\1\2\3\4", 14, &h);
    CHECK(wsc_header_violations(&h) == (WSC_BIT(WSC_ERR_LENGTH_MSB) | WSC_BIT(WSC_ERR_RSV) |
                                        WSC_BIT(WSC_ERR_OPCODE) | WSC_BIT(WSC_ERR_MASKED) |
                                        WSC_BIT(WSC_ERR_CONTROL_FRAGMENTED) |
                                        WSC_BIT(WSC_ERR_CONTROL_LENGTH)));
    CHECK(wsc_check_server_frame(&h) == WSC_ERR_LENGTH_MSB);
    /* A fragmented 1-byte close breaks both control rules that can coexist. */
    wsc_header_parse((const uint8_t *)"\x08\x01", 2, &h);
    CHECK(wsc_header_violations(&h) == (WSC_BIT(WSC_ERR_CONTROL_FRAGMENTED) |
                                        WSC_BIT(WSC_ERR_CLOSE_LENGTH)));
    CHECK(strcmp(wsc_error_name(WSC_ERR_COUNT), "unknown_error") == 0);
    CHECK(strcmp(wsc_error_text(WSC_ERR_MASKED), "masked frame from the server") == 0);
}

static enum wsc_error seq(bool *in, const char *two)
{
    struct wsc_header h;
    wsc_header_parse((const uint8_t *)two, 2, &h);
    return wsc_sequence_next(in, &h);
}

static void test_sequence(void)
{
    bool in = false;

    CHECK(seq(&in, "\x00\x00") == WSC_ERR_UNEXPECTED_CONT && !in);
    CHECK(seq(&in, "\x80\x00") == WSC_ERR_UNEXPECTED_CONT);
    CHECK(strcmp(wsc_error_name(WSC_ERR_UNEXPECTED_CONT), "unexpected_continuation") == 0);
    CHECK(seq(&in, "\x81\x00") == WSC_OK && !in);        /* whole text */
    CHECK(seq(&in, "\x02\x00") == WSC_OK && in);         /* binary begins */
    CHECK(seq(&in, "\x89\x00") == WSC_OK && in);         /* ping between fragments */
    CHECK(seq(&in, "\x00\x00") == WSC_OK && in);         /* more */
    CHECK(seq(&in, "\x81\x00") == WSC_ERR_EXPECTED_CONT && in);
    CHECK(seq(&in, "\x02\x00") == WSC_ERR_EXPECTED_CONT);
    CHECK(strcmp(wsc_error_name(WSC_ERR_EXPECTED_CONT), "expected_continuation") == 0);
    CHECK(seq(&in, "\x80\x00") == WSC_OK && !in);        /* last fragment */
    CHECK(seq(&in, "\x88\x00") == WSC_OK && !in);
}

int main(void)
{
    test_write();
    test_mask();
    test_parse();
    test_reader();
    test_rules();
    test_sequence();
    return check_done("test_wsc_frame");
}
