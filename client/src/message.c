#include "message.h"

#include <stdio.h>
#include <string.h>

size_t message_build_frame(uint8_t *out, const struct message_head *h,
                           size_t size, const uint8_t mask[4])
{
    size_t hl = ws_frame_write_header(out, true, WS_OP_BINARY, size, mask);
    uint8_t *p = out + hl;

    payload_write(p, h, size);
    ws_frame_mask(p, size, mask, 0);
    return hl + size;
}

size_t message_build_control(uint8_t *out, uint8_t opcode, const uint8_t *p,
                             size_t n, const uint8_t mask[4])
{
    size_t hl = ws_frame_write_header(out, true, opcode, n, mask);
    if (n)
        memcpy(out + hl, p, n);
    ws_frame_mask(out + hl, n, mask, 0);
    return hl + n;
}

void message_rx_init(struct message_rx *rx)
{
    memset(rx, 0, sizeof *rx);
}

static size_t fail(struct message_rx *rx, struct message_rx_out *out,
                   const char *kind, const char *what, size_t n)
{
    rx->fail_kind = kind;
    rx->fail_what = what;
    out->kind = MESSAGE_RX_ERROR;
    if (what) {
        int w = snprintf(out->reason, sizeof out->reason, "%s:%s", kind, what);
        /* ws_frame_check's reasons are phrases; exit reasons are one token */
        for (int i = (int)strlen(kind) + 1; i < w && out->reason[i]; i++)
            if (out->reason[i] == ' ')
                out->reason[i] = '_';
    } else {
        snprintf(out->reason, sizeof out->reason, "%s", kind);
    }
    return n;
}

/* A frame's payload is complete: turn it into an event, if it is one. */
static void frame_done(struct message_rx *rx, size_t size,
                       struct message_rx_out *out)
{
    rx->in_frame = false;
    switch (rx->opcode) {
    case WS_OP_PING:
        out->kind = MESSAGE_RX_PING;
        return;
    case WS_OP_PONG:
        out->kind = MESSAGE_RX_PONG;
        return;
    case WS_OP_CLOSE:
        out->kind = MESSAGE_RX_CLOSE;
        out->close_code = rx->ctrl_len >= 2
            ? (unsigned)rx->ctrl[0] << 8 | rx->ctrl[1] : 1005;
        return;
    default:
        rx->msg_off += rx->frame_len;
        if (!rx->fin)
            return;
        rx->in_message = false;
        if (rx->msg_off != size) {
            fail(rx, out, "bad_echo", NULL, 0);
            return;
        }
        out->kind = MESSAGE_RX_ECHO;
        message_head_decode(rx->head, &out->head);
    }
}

size_t message_rx_feed(struct message_rx *rx, uint32_t client,
                       uint32_t expect_seq, size_t size,
                       const uint8_t *p, size_t n, struct message_rx_out *out)
{
    size_t i = 0;

    out->kind = MESSAGE_RX_NONE;
    if (rx->fail_kind)
        return fail(rx, out, rx->fail_kind, rx->fail_what, n);
    while (i < n) {
        if (!rx->in_frame) {
            size_t take = sizeof rx->hdr - rx->hdr_have;
            if (take > n - i)
                take = n - i;
            memcpy(rx->hdr + rx->hdr_have, p + i, take);
            struct ws_frame_header h;
            int r = ws_frame_parse_header(rx->hdr, rx->hdr_have + take, &h);
            if (r < 0)
                return fail(rx, out, "protocol_error", "bad length", n);
            if (r == 0) {
                rx->hdr_have += (uint8_t)take;
                i += take;
                continue;
            }
            i += (size_t)r - rx->hdr_have;
            rx->hdr_have = 0;
            const char *bad = ws_frame_check(&h, false);
            if (bad)
                return fail(rx, out, "protocol_error", bad, n);
            bool data = h.opcode < WS_OP_CLOSE;
            if (h.opcode == WS_OP_CONT && !rx->in_message)
                return fail(rx, out, "protocol_error", "unexpected continuation", n);
            if ((h.opcode == WS_OP_TEXT || h.opcode == WS_OP_BINARY) && rx->in_message)
                return fail(rx, out, "protocol_error", "expected continuation", n);
            if (h.opcode == WS_OP_TEXT)
                return fail(rx, out, "bad_echo", NULL, n);
            if (h.opcode == WS_OP_BINARY) {
                rx->in_message = true;
                rx->msg_off = 0;
            }
            if (data && h.payload_len > size - rx->msg_off)
                return fail(rx, out, "bad_echo", NULL, n);
            rx->in_frame = true;
            rx->opcode = h.opcode;
            rx->fin = h.fin;
            rx->frame_len = h.payload_len;
            rx->frame_off = 0;
            if (!data && h.opcode != WS_OP_PONG)
                rx->ctrl_len = 0;
        } else {
            uint64_t left = rx->frame_len - rx->frame_off;
            size_t take = left < n - i ? (size_t)left : n - i;
            if (rx->opcode == WS_OP_PONG) {
                /* unused; keeps a ping's payload for its pong */
            } else if (rx->opcode >= WS_OP_CLOSE) {
                memcpy(rx->ctrl + rx->frame_off, p + i, take);
                rx->ctrl_len = (uint8_t)(rx->frame_off + take);
            } else {
                if (!payload_check(rx->head, client, expect_seq,
                                   rx->msg_off + rx->frame_off, p + i, take))
                    return fail(rx, out, "bad_echo", NULL, n);
            }
            rx->frame_off += take;
            i += take;
        }
        if (rx->in_frame && rx->frame_off == rx->frame_len) {
            frame_done(rx, size, out);
            if (out->kind != MESSAGE_RX_NONE)
                return i;
        }
    }
    return i;
}
