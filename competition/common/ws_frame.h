/* RFC 6455 frame header codec and masking, shared by c-epoll, the load
 * client and the test harness. Payload bytes never pass through here except
 * to be (un)masked in place. */
#ifndef WS_FRAME_H
#define WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ws_opcode {
    WS_OP_CONT = 0x0, WS_OP_TEXT = 0x1, WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8, WS_OP_PING = 0x9, WS_OP_PONG = 0xA,
};

enum ws_close_code {
    WS_CLOSE_NORMAL = 1000, WS_CLOSE_GOING_AWAY = 1001,
    WS_CLOSE_PROTOCOL = 1002, WS_CLOSE_INVALID_DATA = 1007,
    WS_CLOSE_TOO_BIG = 1009, WS_CLOSE_INTERNAL = 1011,
};

#define WS_FRAME_MAX_HEADER 14
#define WS_CONTROL_MAX_PAYLOAD 125

struct ws_frame_header {
    bool fin;
    uint8_t rsv;          /* the three RSV bits, as 0x70 of byte 0 */
    uint8_t opcode;
    bool masked;
    uint8_t mask[4];
    uint64_t payload_len;
    size_t header_len;    /* 2 to 14 */
};

/* Parses the header at p[0..n). Returns its length once complete, 0 when
 * more bytes are needed, -1 when the length field is malformed (64-bit
 * length with the top bit set). Works on any split: callers keep the bytes
 * they have and call again with more. */
int ws_frame_parse_header(const uint8_t *p, size_t n, struct ws_frame_header *h);

/* Protocol checks a receiver makes on a parsed header: RSV bits (none
 * negotiated), reserved opcodes, control frames fragmented or over 125
 * bytes, and the masking rule (clients mask, servers do not). Returns NULL
 * if the header is acceptable, else a short reason (close with 1002). */
const char *ws_frame_check(const struct ws_frame_header *h, bool expect_masked);

/* Writes a header for a frame of payload_len bytes into out (at least
 * WS_FRAME_MAX_HEADER bytes) and returns its length. mask NULL: unmasked. */
size_t ws_frame_write_header(uint8_t *out, bool fin, uint8_t opcode,
                             uint64_t payload_len, const uint8_t mask[4]);

/* XORs p[0..n) with the mask, starting at byte `offset` of the payload, so
 * a payload can be unmasked piece by piece as it arrives. */
void ws_frame_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset);

/* Whether a close frame may carry this status code (RFC 6455 7.4). */
bool ws_close_code_valid(unsigned code);

#endif
