#include "frames.h"

#include <string.h>

int frame_parse_header(const uint8_t *p, size_t n, struct frame_header *h)
{
    if (n < 2)
        return 0;
    memset(h, 0, sizeof *h);
    h->fin = p[0] & 0x80;
    h->opcode = p[0] & 0x0f;
    h->masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7f;
    size_t hl = 2;
    if (len == 126) {
        if (n < 4)
            return 0;
        len = (uint64_t)p[2] << 8 | p[3];
        hl = 4;
    } else if (len == 127) {
        if (n < 10)
            return 0;
        len = 0;
        for (int i = 0; i < 8; i++)
            len = len << 8 | p[2 + i];
        if (len >> 63)
            return -1;
        hl = 10;
    }
    if (h->masked) {
        if (n < hl + 4)
            return 0;
        memcpy(h->mask, p + hl, 4);
        hl += 4;
    }
    h->len = len;
    h->header_len = hl;
    return 1;
}

long frame_rx_feed(struct frame_rx *rx, const uint8_t *p, size_t n,
                   bool *done, struct frame_done *out)
{
    size_t i = 0;
    *done = false;
    while (i < n) {
        if (!rx->in_frame) {
            size_t take = sizeof rx->hdr - rx->hdr_have;
            if (take > n - i)
                take = n - i;
            memcpy(rx->hdr + rx->hdr_have, p + i, take);
            int r = frame_parse_header(rx->hdr, rx->hdr_have + take, &rx->h);
            if (r < 0)
                return -1;
            if (r == 0) {
                rx->hdr_have = (uint8_t)(rx->hdr_have + take);
                i += take;
                continue;
            }
            i += rx->h.header_len - rx->hdr_have;
            rx->hdr_have = 0;
            rx->in_frame = true;
            rx->off = 0;
            rx->filler_bad = false;
            memset(rx->head, 0, sizeof rx->head);
        } else {
            uint64_t left = rx->h.len - rx->off;
            size_t take = left < n - i ? (size_t)left : n - i;
            for (size_t k = 0; k < take; k++) {
                uint64_t o = rx->off + k;
                uint8_t b = p[i + k];
                if (rx->h.masked)
                    b ^= rx->h.mask[o & 3];
                if (o < HEAD_LEN) {
                    rx->head[o] = b;
                    if (o == HEAD_LEN - 1)
                        head_decode(rx->head, &rx->cur);
                } else if (b != head_filler(rx->cur.client, rx->cur.seq, o)) {
                    rx->filler_bad = true;
                }
            }
            rx->off += take;
            i += take;
        }
        if (rx->in_frame && rx->off == rx->h.len) {
            rx->in_frame = false;
            out->opcode = rx->h.opcode;
            out->fin = rx->h.fin;
            out->len = rx->h.len;
            memcpy(out->head, rx->head, HEAD_LEN);
            out->filler_bad = rx->filler_bad;
            *done = true;
            return (long)i;
        }
    }
    return (long)i;
}
