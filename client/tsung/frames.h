/* The WebSocket frames in Tsung's dump: the masked frames it sent (one per
 * Send record) and the server's frames, which arrive split across or
 * coalesced within TCP reads. Only what the importer needs: lengths,
 * opcodes and the first HEAD_LEN payload bytes; the rest of an echo is
 * checked against the filler as it streams by. */
#ifndef TSUNG_FRAMES_H
#define TSUNG_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "head.h"

#define FRAME_MAX_HEADER 14

struct frame_header {
    bool fin, masked;
    uint8_t opcode;
    uint64_t len;
    uint8_t mask[4];
    size_t header_len;
};

/* Parses a frame header from p[0..n): 1 when complete, 0 when more bytes
 * are needed, -1 when malformed (a 64-bit length with the top bit set). */
int frame_parse_header(const uint8_t *p, size_t n, struct frame_header *h);

/* Receive side of one connection, fed the bytes of each read in turn. */
struct frame_rx {
    uint8_t hdr[FRAME_MAX_HEADER];
    uint8_t hdr_have;
    bool in_frame;
    struct frame_header h;
    uint64_t off;               /* payload bytes of this frame seen */
    uint8_t head[HEAD_LEN];
    bool filler_bad;            /* a filler byte was not the one its head implies */
    struct head cur;            /* decoded once HEAD_LEN bytes are in */
};

struct frame_done {
    uint8_t opcode;
    bool fin;
    uint64_t len;
    uint8_t head[HEAD_LEN];     /* first payload bytes (len may be shorter) */
    bool filler_bad;
};

/* Consumes p[0..n) up to and including the end of the next complete frame
 * and returns how many bytes it took; *done says whether a frame ended
 * (filled in out). -1 on a malformed header. The filler is checked
 * against the client and seq of the frame's own head. */
long frame_rx_feed(struct frame_rx *rx, const uint8_t *p, size_t n,
                   bool *done, struct frame_done *out);

#endif
