/* The load client's messages over WebSocket: building the masked frame that
 * carries one, and checking a server's echo as it arrives, in pieces of any
 * size. The payload (payload.h) is a 16-byte head and filler bytes that are
 * a function of (client, seq, offset), so an echo is checked byte for byte
 * without keeping a copy of what was sent. */
#ifndef MESSAGE_H
#define MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload.h"
#include "wsc_frame.h"

#define MESSAGE_MIN_SIZE MESSAGE_HEAD_LEN
#define MESSAGE_MAX_SIZE (1u << 20)
#define MESSAGE_REASON_MAX 56

/* Writes the masked binary frame for h with a payload of size bytes into
 * out (at least size + WSC_HEADER_MAX bytes); returns its length. */
size_t message_build_frame(uint8_t *out, const struct message_head *h,
                           size_t size, const uint8_t mask[4]);

/* Writes a masked control frame (close, ping, pong) with payload p[0..n),
 * n <= 125, into out (at least 6 + n bytes); returns its length. */
size_t message_build_control(uint8_t *out, uint8_t opcode, const uint8_t *p,
                             size_t n, const uint8_t mask[4]);

/* Receive-side state of one connection: about 200 bytes. */
struct message_rx {
    struct wsc_reader hdr; /* the frame header arriving in pieces */
    bool in_frame;         /* header parsed, payload in progress */
    bool in_message;       /* a binary message began; continuations may follow */
    uint8_t opcode;        /* of the current frame */
    bool fin;
    uint8_t ctrl_len;
    uint64_t frame_len, frame_off;
    uint64_t msg_off;      /* offset in the current message, across fragments */
    uint8_t head[MESSAGE_HEAD_LEN];
    uint8_t ctrl[WSC_CONTROL_MAX];
    /* The first error, repeated by every later call; static strings. */
    const char *fail_kind, *fail_what;
};

enum message_rx_kind {
    MESSAGE_RX_NONE,       /* all input consumed, need more */
    MESSAGE_RX_ECHO,       /* one complete echo; out->head says which */
    MESSAGE_RX_PING,       /* payload in rx->ctrl[0..ctrl_len) */
    MESSAGE_RX_PONG,
    MESSAGE_RX_CLOSE,      /* out->close_code (1005 when none) */
    MESSAGE_RX_ERROR,      /* out->reason: "bad_echo" or "protocol_error:<what>" */
};

struct message_rx_out {
    enum message_rx_kind kind;
    struct message_head head;
    unsigned close_code;
    char reason[MESSAGE_REASON_MAX];
};

void message_rx_init(struct message_rx *rx);

/* Consumes bytes of p[0..n) up to and including the end of the next frame
 * that produces an event, and returns how many it consumed; callers loop
 * until all input is consumed. An echo must be a binary message of exactly
 * size bytes from client carrying sequence number expect_seq (in order, no
 * gaps) with the right filler; anything else is an error, after which
 * every call reports the same error and consumes everything. */
size_t message_rx_feed(struct message_rx *rx, uint32_t client,
                       uint32_t expect_seq, size_t size,
                       const uint8_t *p, size_t n, struct message_rx_out *out);

#endif
