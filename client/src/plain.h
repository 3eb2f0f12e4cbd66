/* The load client's messages in plain-TCP mode (--tcp, for the tcp-echo
 * reference): no framing, each message is its payload (payload.h), and the
 * echo must be the same bytes in the same order. */
#ifndef PLAIN_H
#define PLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "message.h"

/* Receive-side state of one plain-TCP connection. */
struct plain_rx {
    uint64_t off;          /* offset in the message being echoed */
    uint8_t head[MESSAGE_HEAD_LEN];
    bool failed;
};

void plain_rx_init(struct plain_rx *rx);

/* Consumes bytes of p[0..n) up to and including the end of the next echo
 * and returns how many it consumed; callers loop until all input is
 * consumed. The echo must be message expect_seq of client, size bytes;
 * out->kind is MESSAGE_RX_ECHO (out->head says which), MESSAGE_RX_NONE
 * (need more) or MESSAGE_RX_ERROR with out->reason "bad_echo", which every
 * later call repeats. */
size_t plain_rx_feed(struct plain_rx *rx, uint32_t client, uint32_t expect_seq,
                     size_t size, const uint8_t *p, size_t n,
                     struct message_rx_out *out);

#endif
