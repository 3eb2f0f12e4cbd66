#include "wsc_frame.h"

#include <string.h>

size_t wsc_header_write(uint8_t out[WSC_HEADER_MAX], bool fin, uint8_t opcode,
                        uint64_t len, const uint8_t *mask)
{
    size_t at = 2;

    out[0] = (uint8_t)((fin ? WSC_FIN : 0) | (opcode & 0x0F));
    out[1] = mask ? 0x80 : 0;
    if (len <= 125) {
        out[1] |= (uint8_t)len;
    } else if (len <= 0xFFFF) {
        out[1] |= 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        at = 4;
    } else {
        out[1] |= 127;
        for (int i = 0; i < 8; i++)
            out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
        at = 10;
    }
    if (mask) {
        memcpy(out + at, mask, 4);
        at += 4;
    }
    return at;
}

size_t wsc_frame_write(uint8_t *out, bool fin, uint8_t opcode, const void *p,
                       size_t n, const uint8_t *mask)
{
    size_t hl = wsc_header_write(out, fin, opcode, n, mask);

    if (n) {
        memcpy(out + hl, p, n);
        if (mask)
            wsc_mask(out + hl, n, mask, 0);
    }
    return hl + n;
}

void wsc_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t off)
{
    /* j = i MOD 4 of 5.3, counted from the payload's first byte. */
    unsigned j = (unsigned)(off & 3);

    for (size_t i = 0; i < n; i++) {
        p[i] ^= mask[j];
        j = (j + 1) & 3;
    }
}

size_t wsc_header_parse(const uint8_t *p, size_t n, struct wsc_header *h)
{
    if (n < 2)
        return 0;
    unsigned len7 = p[1] & 0x7F;
    size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    bool masked = (p[1] & 0x80) != 0;
    size_t total = 2 + ext + (masked ? 4 : 0);
    if (n < total)
        return 0;

    h->fin = (p[0] & WSC_FIN) != 0;
    h->rsv = p[0] & WSC_RSV_BITS;
    h->opcode = p[0] & 0x0F;
    h->masked = masked;
    h->len = len7;
    if (ext) {
        h->len = 0;
        for (size_t i = 0; i < ext; i++)
            h->len = h->len << 8 | p[2 + i];
    }
    memset(h->mask, 0, sizeof h->mask);
    if (masked)
        memcpy(h->mask, p + 2 + ext, 4);
    h->header_len = (uint8_t)total;
    return total;
}

bool wsc_reader_feed(struct wsc_reader *r, const uint8_t *p, size_t n,
                     struct wsc_header *h, size_t *used)
{
    /* Copy only as far as the header can reach, then give back what lay
     * beyond its end: the first two bytes say how long it is. */
    size_t take = sizeof r->buf - r->have;
    if (take > n)
        take = n;
    memcpy(r->buf + r->have, p, take);
    size_t hl = wsc_header_parse(r->buf, r->have + take, h);
    if (hl == 0) {
        r->have = (uint8_t)(r->have + take);
        *used = take;
        return false;
    }
    *used = hl - r->have;
    r->have = 0;
    return true;
}

unsigned wsc_header_violations(const struct wsc_header *h)
{
    unsigned v = 0;
    bool control = wsc_is_control(h->opcode);

    if (h->len >> 63)
        v |= WSC_BIT(WSC_ERR_LENGTH_MSB);
    if (h->rsv)
        v |= WSC_BIT(WSC_ERR_RSV);
    if ((h->opcode >= 0x3 && h->opcode <= 0x7) || h->opcode >= 0xB)
        v |= WSC_BIT(WSC_ERR_OPCODE);
    if (h->masked)
        v |= WSC_BIT(WSC_ERR_MASKED);
    if (control && !h->fin)
        v |= WSC_BIT(WSC_ERR_CONTROL_FRAGMENTED);
    if (control && h->len > WSC_CONTROL_MAX)
        v |= WSC_BIT(WSC_ERR_CONTROL_LENGTH);
    if (h->opcode == WSC_OP_CLOSE && h->len == 1)
        v |= WSC_BIT(WSC_ERR_CLOSE_LENGTH);
    return v;
}

enum wsc_error wsc_check_server_frame(const struct wsc_header *h)
{
    unsigned v = wsc_header_violations(h);

    for (int e = 1; e < WSC_ERR_COUNT; e++)
        if (v & WSC_BIT(e))
            return (enum wsc_error)e;
    return WSC_OK;
}

enum wsc_error wsc_sequence_next(bool *in_message, const struct wsc_header *h)
{
    switch (h->opcode) {
    case WSC_OP_CONT:
        if (!*in_message)
            return WSC_ERR_UNEXPECTED_CONT;
        break;
    case WSC_OP_TEXT:
    case WSC_OP_BINARY:
        if (*in_message)
            return WSC_ERR_EXPECTED_CONT;
        break;
    default:
        return WSC_OK;   /* control frames (and reserved ones) leave it be */
    }
    *in_message = !h->fin;
    return WSC_OK;
}

static const char *const names[WSC_ERR_COUNT][2] = {
    [WSC_OK] = {"ok", "no error"},
    /* "bad_length" is the exit reason runtest has always recorded for it. */
    [WSC_ERR_LENGTH_MSB] = {"bad_length", "64-bit length with its top bit set"},
    [WSC_ERR_RSV] = {"reserved_bits_set", "reserved bits set"},
    [WSC_ERR_OPCODE] = {"reserved_opcode", "reserved opcode"},
    [WSC_ERR_MASKED] = {"masked_server_frame", "masked frame from the server"},
    [WSC_ERR_CONTROL_FRAGMENTED] = {"fragmented_control_frame", "fragmented control frame"},
    [WSC_ERR_CONTROL_LENGTH] = {"control_frame_over_125_bytes", "control frame over 125 bytes"},
    [WSC_ERR_CLOSE_LENGTH] = {"close_payload_of_1_byte", "close frame with a 1-byte payload"},
    [WSC_ERR_UNEXPECTED_CONT] = {"unexpected_continuation",
                                 "continuation frame with no message started"},
    [WSC_ERR_EXPECTED_CONT] = {"expected_continuation",
                               "new message started inside a fragmented one"},
};

const char *wsc_error_name(enum wsc_error e)
{
    return (unsigned)e < WSC_ERR_COUNT ? names[e][0] : "unknown_error";
}

const char *wsc_error_text(enum wsc_error e)
{
    return (unsigned)e < WSC_ERR_COUNT ? names[e][1] : "unknown error";
}
