#include "ws_frame.h"

#include <string.h>

int ws_frame_parse_header(const uint8_t *p, size_t n, struct ws_frame_header *h)
{
    if (n < 2)
        return 0;
    h->fin = p[0] & 0x80;
    h->rsv = p[0] & 0x70;
    h->opcode = p[0] & 0x0F;
    h->masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7F;
    size_t need = 2 + (len == 126 ? 2 : len == 127 ? 8 : 0) + (h->masked ? 4 : 0);
    if (n < need)
        return 0;
    size_t at = 2;
    if (len == 126) {
        len = (uint64_t)p[2] << 8 | p[3];
        at = 4;
    } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++)
            len = len << 8 | p[2 + i];
        at = 10;
        if (len >> 63)
            return -1;
    }
    if (h->masked)
        memcpy(h->mask, p + at, 4);
    else
        memset(h->mask, 0, 4);
    h->payload_len = len;
    h->header_len = need;
    return (int)need;
}

const char *ws_frame_check(const struct ws_frame_header *h, bool expect_masked)
{
    if (h->rsv)
        return "reserved bits set";
    if (h->masked != expect_masked)
        return expect_masked ? "unmasked client frame" : "masked server frame";
    switch (h->opcode) {
    case WS_OP_CONT: case WS_OP_TEXT: case WS_OP_BINARY:
        return NULL;
    case WS_OP_CLOSE: case WS_OP_PING: case WS_OP_PONG:
        if (!h->fin)
            return "fragmented control frame";
        if (h->payload_len > WS_CONTROL_MAX_PAYLOAD)
            return "control frame over 125 bytes";
        if (h->opcode == WS_OP_CLOSE && h->payload_len == 1)
            return "close frame with a 1-byte payload";
        return NULL;
    default:
        return "reserved opcode";
    }
}

size_t ws_frame_write_header(uint8_t *out, bool fin, uint8_t opcode,
                             uint64_t payload_len, const uint8_t mask[4])
{
    size_t at = 2;
    out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0F));
    uint8_t mask_bit = mask ? 0x80 : 0;
    if (payload_len < 126) {
        out[1] = (uint8_t)(mask_bit | payload_len);
    } else if (payload_len <= 0xFFFF) {
        out[1] = mask_bit | 126;
        out[2] = (uint8_t)(payload_len >> 8);
        out[3] = (uint8_t)payload_len;
        at = 4;
    } else {
        out[1] = mask_bit | 127;
        for (int i = 0; i < 8; i++)
            out[2 + i] = (uint8_t)(payload_len >> (56 - 8 * i));
        at = 10;
    }
    if (mask) {
        memcpy(out + at, mask, 4);
        at += 4;
    }
    return at;
}

void ws_frame_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset)
{
    uint8_t m[4];
    for (int i = 0; i < 4; i++)
        m[i] = mask[(offset + i) & 3];
    size_t i = 0;
    /* Word at a time: masking is the one per-byte cost on the echo path. */
    if (n >= 16) {
        uint64_t m64;
        memcpy(&m64, (uint8_t[8]){m[0], m[1], m[2], m[3], m[0], m[1], m[2], m[3]}, 8);
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            w ^= m64;
            memcpy(p + i, &w, 8);
        }
    }
    for (; i < n; i++)
        p[i] ^= m[i & 3];
}

bool ws_close_code_valid(unsigned code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    switch (code) {
    case 1000: case 1001: case 1002: case 1003:
    case 1007: case 1008: case 1009: case 1010: case 1011:
    case 1012: case 1013: case 1014: /* registered with IANA since RFC 6455 */
        return true;
    default:
        return false;
    }
}
