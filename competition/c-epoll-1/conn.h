/* The per-connection protocol state machine of c-epoll: bytes in, bytes
 * out, no system calls. The event loop (loop.c) owns the sockets; this file
 * owns the handshake, the frame parser, reassembly and the echo. A fuzz
 * target drives it with a zeroed struct conn and no socket at all:
 *
 *     struct conn c = { .state = CONN_HANDSHAKE };   (or CONN_OPEN)
 *     struct conn_out o = { 0 };
 *     conn_feed(&c, data, n, &o, &limits);  ... o.len = 0; ...
 *     conn_release(&c); free(o.buf);
 */
#ifndef CONN_H
#define CONN_H

#include <stddef.h>
#include <stdint.h>

enum conn_state {
    CONN_FREE = 0,      /* slot unused */
    CONN_HANDSHAKE,     /* reading the HTTP upgrade request */
    CONN_OPEN,          /* exchanging frames */
    CONN_CLOSING,       /* close frame or refusal queued; input is ignored */
};

/* What conn_feed reports. Anything but CONN_OK has moved the connection
 * to CONN_CLOSING with the last bytes it should send already queued. */
enum conn_result {
    CONN_OK = 0,
    CONN_CLOSED,        /* the peer sent a close frame; ours is queued */
    CONN_ERR_HANDSHAKE, /* upgrade refused; the HTTP error is queued */
    CONN_ERR_PROTOCOL,  /* 1002 queued */
    CONN_ERR_UTF8,      /* 1007 queued */
    CONN_ERR_TOO_BIG,   /* 1009 queued */
    CONN_ERR_NOMEM,     /* 1011 queued (or nothing, if even that failed) */
    CONN_RESULTS
};

struct conn_limits {
    size_t max_message;  /* largest message echoed */
    size_t max_header;   /* cap on the upgrade request */
};

/* Output of one conn_feed call while the connection had nothing unsent:
 * shared by every connection of a loop so idle connections own no buffer.
 * The caller writes it and keeps only what the socket did not take. */
struct conn_out {
    uint8_t *buf;
    size_t len, cap;
};

/* One slot per connection, kept small: an idle open connection owns no
 * heap memory, only this struct. */
struct conn {
    void *in;            /* HANDSHAKE: partial request; OPEN: partial frame or
                            fragmented message (struct conn_rx); else NULL */
    uint8_t *out;        /* unsent bytes out[out_off..out_len); NULL if none */
    size_t out_off, out_len, out_cap;
    int64_t deadline_ms; /* loop.c: handshake or lingering-close deadline */
    int32_t t_prev, t_next; /* loop.c: timer list links (fds), -1 for none */
    uint8_t state;       /* enum conn_state */
    uint8_t flags;       /* loop.c's */
};

/* Feeds n received bytes. p is scratch: it is unmasked in place. Output
 * goes to c->out if c already has unsent bytes (so order is kept), else
 * to o (or, for a large message when o is empty, the message buffer itself
 * becomes c->out). At most one of o->len and c's unsent bytes is non-zero
 * afterwards. Input fed in CONN_CLOSING is ignored. */
enum conn_result conn_feed(struct conn *c, uint8_t *p, size_t n,
                           struct conn_out *o, const struct conn_limits *lim);

/* Bytes c has queued but not sent. */
static inline size_t conn_unsent(const struct conn *c)
{
    return c->out_len - c->out_off;
}

/* Appends the tail o[off..len) to c->out (the socket took the first off
 * bytes) and empties o. Returns -1 when out of memory. */
int conn_keep_unsent(struct conn *c, struct conn_out *o, size_t off);

/* Frees everything c owns except the slot itself and sets it CONN_FREE. */
void conn_release(struct conn *c);

/* A short name for a result, for counters in logs. */
const char *conn_result_name(enum conn_result r);

#endif
