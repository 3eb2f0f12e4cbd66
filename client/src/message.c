#include "message.h"

#include <stdio.h>
#include <string.h>

size_t message_build_frame(uint8_t *out, const struct message_head *h,
                           size_t size, const uint8_t mask[4])
{
    size_t hl = wsc_header_write(out, true, WSC_OP_BINARY, size, mask);
    uint8_t *p = out + hl;

    payload_write(p, h, size);
    wsc_mask(p, size, mask, 0);
    return hl + size;
}

size_t message_build_control(uint8_t *out, uint8_t opcode, const uint8_t *p,
                             size_t n, const uint8_t mask[4])
{
    return wsc_frame_write(out, true, opcode, p, n, mask);
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
    if (what)
        snprintf(out->reason, sizeof out->reason, "%s:%s", kind, what);
    else
        snprintf(out->reason, sizeof out->reason, "%s", kind);
    return n;
}

/* A frame's payload is complete: turn it into an event, if it is one. */
static void frame_done(struct message_rx *rx, size_t size,
                       struct message_rx_out *out)
{
    rx->in_frame = false;
    switch (rx->opcode) {
    case WSC_OP_PING:
        out->kind = MESSAGE_RX_PING;
        return;
    case WSC_OP_PONG:
        out->kind = MESSAGE_RX_PONG;
        return;
    case WSC_OP_CLOSE:
        out->kind = MESSAGE_RX_CLOSE;
        out->close_code = rx->ctrl_len >= 2
            ? (unsigned)rx->ctrl[0] << 8 | rx->ctrl[1] : 1005;
        return;
    default:
        rx->msg_off += rx->frame_len;
        if (!rx->fin)
            return;
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
            struct wsc_header h;
            size_t used;
            bool whole = wsc_reader_feed(&rx->hdr, p + i, n - i, &h, &used);
            i += used;
            if (!whole)
                continue;
            enum wsc_error bad = wsc_check_server_frame(&h);
            if (bad == WSC_OK)
                bad = wsc_sequence_next(&rx->in_message, &h);
            if (bad != WSC_OK)
                return fail(rx, out, "protocol_error", wsc_error_name(bad), n);
            bool data = !wsc_is_control(h.opcode);
            if (h.opcode == WSC_OP_TEXT)
                return fail(rx, out, "bad_echo", NULL, n);
            if (h.opcode == WSC_OP_BINARY)
                rx->msg_off = 0;
            if (data && h.len > size - rx->msg_off)
                return fail(rx, out, "bad_echo", NULL, n);
            rx->in_frame = true;
            rx->opcode = h.opcode;
            rx->fin = h.fin;
            rx->frame_len = h.len;
            rx->frame_off = 0;
            if (!data && h.opcode != WSC_OP_PONG)
                rx->ctrl_len = 0;
        } else {
            uint64_t left = rx->frame_len - rx->frame_off;
            size_t take = left < n - i ? (size_t)left : n - i;
            if (rx->opcode == WSC_OP_PONG) {
                /* unused; keeps a ping's payload for its pong */
            } else if (wsc_is_control(rx->opcode)) {
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
