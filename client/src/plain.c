#include "plain.h"

#include <stdio.h>
#include <string.h>

void plain_rx_init(struct plain_rx *rx)
{
    memset(rx, 0, sizeof *rx);
}

static size_t bad_echo(struct plain_rx *rx, struct message_rx_out *out, size_t n)
{
    rx->failed = true;
    out->kind = MESSAGE_RX_ERROR;
    snprintf(out->reason, sizeof out->reason, "bad_echo");
    return n;
}

size_t plain_rx_feed(struct plain_rx *rx, uint32_t client, uint32_t expect_seq,
                     size_t size, const uint8_t *p, size_t n,
                     struct message_rx_out *out)
{
    out->kind = MESSAGE_RX_NONE;
    if (rx->failed)
        return bad_echo(rx, out, n);
    size_t take = size - rx->off < n ? (size_t)(size - rx->off) : n;
    if (!payload_check(rx->head, client, expect_seq, rx->off, p, take))
        return bad_echo(rx, out, n);
    rx->off += take;
    if (rx->off == size) {
        rx->off = 0;
        out->kind = MESSAGE_RX_ECHO;
        message_head_decode(rx->head, &out->head);
    }
    return take;
}
