/* The judge's RFC 6455 frame codec, client side (section 5): building
 * masked frames, decoding frame headers fed in pieces of any size, and the
 * rules a client applies to the frames a server sends. Written from the
 * RFC for the load client, verify and the conformance harness; it shares no
 * code with competition/common, which the contestants are built on, so a
 * bug in one is not hidden by the same bug in the other
 * (tests/fuzz/fuzz_codec_diff.c compares the two). No I/O, no allocation. */
#ifndef WSC_FRAME_H
#define WSC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opcodes (5.2, 11.8). 3-7 and 0xB-0xF are reserved. */
enum {
    WSC_OP_CONT = 0x0,
    WSC_OP_TEXT = 0x1,
    WSC_OP_BINARY = 0x2,
    WSC_OP_CLOSE = 0x8,
    WSC_OP_PING = 0x9,
    WSC_OP_PONG = 0xA,
};

#define WSC_HEADER_MAX 14        /* 2 + 8 (64-bit length) + 4 (mask) */
#define WSC_CONTROL_MAX 125      /* control payloads (5.5) */

/* Byte 0's bits. */
#define WSC_FIN 0x80
#define WSC_RSV_BITS 0x70        /* RSV1 0x40, RSV2 0x20, RSV3 0x10 */

static inline bool wsc_is_control(uint8_t opcode)
{
    return (opcode & 0x08) != 0;
}

/* One decoded frame header, exactly as on the wire. */
struct wsc_header {
    bool fin;
    uint8_t rsv;          /* byte 0 & WSC_RSV_BITS */
    uint8_t opcode;       /* 0..15, reserved values included */
    bool masked;
    uint8_t mask[4];      /* zero when not masked */
    uint64_t len;         /* payload length, any value the encoding holds */
    uint8_t header_len;   /* 2..14 */
};

/* Writes a header (FIN as given, RSV clear, the shortest length encoding,
 * masked when mask is not NULL) into out; returns its length. opcode's low
 * four bits are written as they are, reserved values included. */
size_t wsc_header_write(uint8_t out[WSC_HEADER_MAX], bool fin, uint8_t opcode,
                        uint64_t len, const uint8_t *mask);

/* Writes a whole frame with payload p[0..n) (p may be NULL when n is 0),
 * masked with mask when it is not NULL, into out (WSC_HEADER_MAX + n bytes
 * at least); returns its length. */
size_t wsc_frame_write(uint8_t *out, bool fin, uint8_t opcode, const void *p,
                       size_t n, const uint8_t *mask);

/* XORs p[0..n) with the masking key (5.3), starting at payload offset off,
 * so a payload can be (un)masked in pieces. Applying it twice restores p. */
void wsc_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t off);

/* Decodes the header at p[0..n). Returns its length when complete, 0 when
 * more bytes are needed. Any header decodes; wsc_check_server_frame says
 * whether a client may accept it. */
size_t wsc_header_parse(const uint8_t *p, size_t n, struct wsc_header *h);

/* A header arriving in pieces: keep one per stream, zeroed (or
 * wsc_reader_reset) before the first byte of each header. */
struct wsc_reader {
    uint8_t buf[WSC_HEADER_MAX];
    uint8_t have;
};

static inline void wsc_reader_reset(struct wsc_reader *r)
{
    r->have = 0;
}

/* Takes bytes of p[0..n) up to the end of the header and stores in *used
 * how many it took. Returns true with *h filled when the header is
 * complete (the reader is then reset for the next one), false when all of
 * p was taken and more is needed. */
bool wsc_reader_feed(struct wsc_reader *r, const uint8_t *p, size_t n,
                     struct wsc_header *h, size_t *used);

/* Why a frame from a server must fail the connection (7.1.7). Each one is
 * a rule of RFC 6455 a server breaks; 0 is none. */
enum wsc_error {
    WSC_OK = 0,
    WSC_ERR_LENGTH_MSB,          /* 64-bit length with its top bit set (5.2) */
    WSC_ERR_RSV,                 /* RSV bit without a negotiated extension (5.2) */
    WSC_ERR_OPCODE,              /* reserved opcode (5.2) */
    WSC_ERR_MASKED,              /* a server masks no frame (5.1) */
    WSC_ERR_CONTROL_FRAGMENTED,  /* control frame with FIN clear (5.5) */
    WSC_ERR_CONTROL_LENGTH,      /* control payload over 125 bytes (5.5) */
    WSC_ERR_CLOSE_LENGTH,        /* close payload of 1 byte (5.5.1) */
    WSC_ERR_UNEXPECTED_CONT,     /* continuation with no message started (5.4) */
    WSC_ERR_EXPECTED_CONT,       /* text/binary inside a fragmented message (5.4) */
    WSC_ERR_COUNT
};

/* Bit e set for every rule of WSC_ERR_LENGTH_MSB..WSC_ERR_CLOSE_LENGTH the
 * header breaks, as a frame a client receives: all of them, so a
 * comparison need not depend on which one a codec names first. */
unsigned wsc_header_violations(const struct wsc_header *h);
#define WSC_BIT(e) (1u << (e))

/* The first rule h breaks as a server's frame, in the order of the enum;
 * WSC_OK when none. The per-frame rules only: see wsc_sequence_next. */
enum wsc_error wsc_check_server_frame(const struct wsc_header *h);

/* Data-frame order across frames (5.4): *in_message is whether a
 * fragmented text or binary message is open. Updates it for the frame h
 * (any opcode; control frames may come between fragments) and returns the
 * rule broken, or WSC_OK. */
enum wsc_error wsc_sequence_next(bool *in_message, const struct wsc_header *h);

/* One token for an exit reason, e.g. "masked_server_frame". */
const char *wsc_error_name(enum wsc_error e);
/* A phrase for people, e.g. "masked frame from the server". */
const char *wsc_error_text(enum wsc_error e);

#endif
