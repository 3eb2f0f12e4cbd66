/* ws_frame against the examples of RFC 6455 section 5.7 and hand-built
 * headers, fed whole and one byte at a time. */
#include "check.h"
#include "ws_frame.h"

#include <stdint.h>

/* Feeds the header one byte more at a time: every prefix must ask for more. */
static int parse_bytewise(const uint8_t *p, size_t n, struct ws_frame_header *h)
{
    for (size_t have = 0; have < n; have++)
        if (ws_frame_parse_header(p, have, h) != 0)
            return -2;
    return ws_frame_parse_header(p, n, h);
}

static void test_rfc_examples(void)
{
    /* A single-frame unmasked text message "Hello". */
    const uint8_t hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    struct ws_frame_header h;
    CHECK(parse_bytewise(hello, 2, &h) == 2, "unmasked header length");
    CHECK(h.fin && h.opcode == WS_OP_TEXT && !h.masked && h.payload_len == 5 && h.rsv == 0,
          "unmasked fields");
    CHECK(ws_frame_check(&h, false) == NULL, "valid server frame");
    CHECK(ws_frame_check(&h, true) != NULL, "unmasked frame refused by a server");

    /* A single-frame masked text message "Hello". */
    uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    CHECK(parse_bytewise(masked, 6, &h) == 6, "masked header length");
    CHECK(h.masked && h.payload_len == 5, "masked fields");
    const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    CHECK_BYTES(h.mask, key, 4, "mask key");
    ws_frame_mask(masked + 6, 5, h.mask, 0);
    CHECK_BYTES(masked + 6, "Hello", 5, "unmasked payload");

    /* Unmasking in pieces gives the same bytes as in one go. */
    uint8_t again[] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};
    ws_frame_mask(again, 2, key, 0);
    ws_frame_mask(again + 2, 3, key, 2);
    CHECK_BYTES(again, "Hello", 5, "piecewise unmask");

    /* 256 bytes binary in one unmasked frame; 64 KiB in one unmasked frame. */
    const uint8_t b256[] = {0x82, 0x7E, 0x01, 0x00};
    CHECK(parse_bytewise(b256, 4, &h) == 4 && h.payload_len == 256, "16-bit length");
    const uint8_t b64k[] = {0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
    CHECK(parse_bytewise(b64k, 10, &h) == 10 && h.payload_len == 65536, "64-bit length");
}

static void test_write(void)
{
    uint8_t out[WS_FRAME_MAX_HEADER];
    const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    const uint8_t want_masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d};
    CHECK(ws_frame_write_header(out, true, WS_OP_TEXT, 5, key) == 6, "masked size");
    CHECK_BYTES(out, want_masked, 6, "masked header");

    const uint8_t want125[] = {0x82, 0x7D};
    CHECK(ws_frame_write_header(out, true, WS_OP_BINARY, 125, NULL) == 2, "125 size");
    CHECK_BYTES(out, want125, 2, "125 header");
    const uint8_t want126[] = {0x02, 0x7E, 0x00, 0x7E};
    CHECK(ws_frame_write_header(out, false, WS_OP_BINARY, 126, NULL) == 4, "126 size");
    CHECK_BYTES(out, want126, 4, "126 header, no FIN");
    const uint8_t want65536[] = {0x80, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
    CHECK(ws_frame_write_header(out, true, WS_OP_CONT, 65536, NULL) == 10, "65536 size");
    CHECK_BYTES(out, want65536, 10, "65536 header");
}

static void test_checks(void)
{
    struct ws_frame_header h;
    const uint8_t rsv[] = {0xC1, 0x80, 1, 2, 3, 4};
    ws_frame_parse_header(rsv, sizeof rsv, &h);
    CHECK(ws_frame_check(&h, true) != NULL, "RSV1 refused");
    const uint8_t op3[] = {0x83, 0x80, 1, 2, 3, 4};
    ws_frame_parse_header(op3, sizeof op3, &h);
    CHECK(ws_frame_check(&h, true) != NULL, "opcode 3 refused");
    const uint8_t frag_ping[] = {0x09, 0x80, 1, 2, 3, 4};
    ws_frame_parse_header(frag_ping, sizeof frag_ping, &h);
    CHECK(ws_frame_check(&h, true) != NULL, "fragmented ping refused");
    const uint8_t big_ping[] = {0x89, 0xFE, 0x00, 0x7E, 1, 2, 3, 4};
    ws_frame_parse_header(big_ping, sizeof big_ping, &h);
    CHECK(ws_frame_check(&h, true) != NULL, "126-byte ping refused");
    const uint8_t ping125[] = {0x89, 0xFD, 1, 2, 3, 4};
    ws_frame_parse_header(ping125, sizeof ping125, &h);
    CHECK(ws_frame_check(&h, true) == NULL, "125-byte ping accepted");
    const uint8_t close1[] = {0x88, 0x81, 1, 2, 3, 4};
    ws_frame_parse_header(close1, sizeof close1, &h);
    CHECK(ws_frame_check(&h, true) != NULL, "1-byte close refused");
    const uint8_t huge[] = {0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0};
    CHECK(ws_frame_parse_header(huge, sizeof huge, &h) == -1, "63-bit length overflow refused");

    CHECK(ws_close_code_valid(1000) && ws_close_code_valid(1011) && ws_close_code_valid(3000) &&
          ws_close_code_valid(4999), "valid close codes");
    CHECK(!ws_close_code_valid(0) && !ws_close_code_valid(999) && !ws_close_code_valid(1004) &&
          !ws_close_code_valid(1005) && !ws_close_code_valid(1006) && !ws_close_code_valid(1015) &&
          !ws_close_code_valid(2999) && !ws_close_code_valid(5000), "invalid close codes");
}

static void test_mask_long(void)
{
    /* The word-at-a-time path must agree with a byte-at-a-time reference at
     * every length and offset. */
    uint8_t buf[100], ref[100];
    const uint8_t key[4] = {0xA1, 0xB2, 0xC3, 0xD4};
    int bad = 0;
    for (size_t off = 0; off < 4; off++) {
        for (size_t n = 0; n <= sizeof buf; n++) {
            for (size_t i = 0; i < n; i++)
                buf[i] = ref[i] = (uint8_t)(i * 7);
            for (size_t i = 0; i < n; i++)
                ref[i] ^= key[(off + i) & 3];
            ws_frame_mask(buf, n, key, off);
            bad += memcmp(buf, ref, n) != 0;
        }
    }
    CHECK(bad == 0, "%d length/offset pairs differ", bad);
}

int main(void)
{
    test_rfc_examples();
    test_write();
    test_checks();
    test_mask_long();
    return check_done("test_frame");
}
