/* wslay glue for the wslay contestants (c-libuv-wslay, c-libevent-*): the
 * opening handshake through ws_upgrade, then a wslay event context that
 * echoes text and binary messages. The framework owns the socket and its
 * events and talks to it through struct ws_wslay_io; everything between the
 * bytes read and the bytes written happens here.
 *
 * Memory: an idle connection holds only its struct ws_wslay_conn. The wslay
 * context (about 8.8 KB, mostly its two 4 KB buffers) is created when frame
 * bytes arrive and released by ws_wslay_tick() once the connection has been
 * quiet for two to three seconds at a message boundary with nothing queued
 * (longer than the C10K workload's one-second message interval, so a
 * connection talking every second is never rebuilt).
 *
 * One process, one thread: state shared between connections (the read
 * buffer, the connection lists) is per process. */
#ifndef WS_WSLAY_H
#define WS_WSLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ws_args.h"

struct wslay_event_context;

/* The socket as the framework exposes it; user is the framework's
 * connection. Results follow read(2)/write(2): -1 with errno set. */
struct ws_wslay_io {
    /* Reads up to len bytes: >0, 0 at EOF, -1 (EAGAIN when nothing is
     * pending). NULL when the framework pushes what it read instead. */
    ssize_t (*recv)(void *user, uint8_t *buf, size_t len);
    /* Writes up to len bytes: >0, or -1 (EAGAIN when the socket is full).
     * more: another write follows at once (a frame header before its
     * payload), so the bytes may be held back to share a packet. */
    ssize_t (*send)(void *user, const uint8_t *buf, size_t len, bool more);
    /* Half-closes the write side once what was sent has left. */
    void (*shutdown)(void *user);
};

enum ws_wslay_result {
    WS_WSLAY_OK = 0,     /* keep going: re-check want_read / want_write */
    WS_WSLAY_CLOSE = 1,  /* call ws_wslay_release() and close the socket */
};

/* Per-connection state; embed it in the framework's connection. Only the
 * functions below touch it. */
struct ws_wslay_conn {
    void *user;
    struct wslay_event_context *ctx;  /* NULL while idle */
    char *request;                    /* upgrade request, while incomplete */
    struct ws_wslay_conn *prev, *next; /* the list its state puts it on */
    uint64_t payload_left;            /* of the frame being fed to wslay */
    uint64_t msg_len;                 /* of the data message being received */
    uint32_t request_len;
    uint32_t deadline_ms;             /* handshake or linger deadline; open:
                                         when its context may be released */
    uint8_t state;
    uint8_t flags;
    uint8_t close_got;                /* close frame: status bytes seen */
    uint8_t close_code[2];
    uint8_t close_utf8;               /* its reason so far: ws_utf8_feed state */
    uint8_t hdr_len, hdr_fed;         /* next frame header: held, passed on */
    uint8_t hdr[14];
};

/* Counters of per-connection outcomes, per process. */
struct ws_wslay_stats {
    uint64_t opened, upgraded, refused, handshake_timeouts;
    uint64_t messages, closed_clean, closed_1002, closed_1007, closed_1009;
    uint64_t closed_other, eof_abrupt, resets, linger_timeouts, nomem;
};

/* Once per process, before ws_wslay_open(): the I/O functions and the
 * --max-message, --max-header and --handshake-timeout-ms settings. */
void ws_wslay_setup(const struct ws_wslay_io *io, const struct ws_args *a);

/* A new connection: starts its handshake clock. */
void ws_wslay_open(struct ws_wslay_conn *c, void *user);

/* A connection whose opening handshake the framework answered itself (h2o
 * sends the 101): it starts open, holding no wslay context until its first
 * frame byte, with no handshake deadline. Instead of ws_wslay_open(). */
void ws_wslay_open_upgraded(struct ws_wslay_conn *c, void *user);

/* The socket has input. Push mode (io->recv NULL): buf/len are the bytes
 * the framework read, and len 0 (buf NULL or not) means EOF. Pull mode:
 * pass NULL/0 and the glue reads through io->recv until EAGAIN or a
 * fairness budget. Handles the handshake, feeds wslay, queues echoes and
 * writes what the socket takes. */
int ws_wslay_input(struct ws_wslay_conn *c, const uint8_t *buf, size_t len);

/* The socket is writable again: sends queued output. */
int ws_wslay_output(struct ws_wslay_conn *c);

/* Whether to watch the socket for reading: false while the output queued
 * for this connection is over the backpressure bound (a client that does
 * not read must not make us buffer without limit), and once wslay has
 * stopped reading. */
bool ws_wslay_want_read(const struct ws_wslay_conn *c);

/* Whether wslay has output the socket did not take yet. */
bool ws_wslay_want_write(const struct ws_wslay_conn *c);

/* The framework's own read or write on the socket failed with errno err
 * (push mode): counts it; then release and close. */
void ws_wslay_failed(struct ws_wslay_conn *c, int err);

/* Frees what the connection holds; the framework then closes the socket. */
void ws_wslay_release(struct ws_wslay_conn *c);

/* Call periodically (WS_WSLAY_TICK_MS): calls expire(user) for each
 * handshake or lingering close past its deadline (expire must release the
 * connection and close its socket), and releases idle wslay contexts. */
#define WS_WSLAY_TICK_MS 100
void ws_wslay_tick(void (*expire)(void *user));

/* At shutdown: calls close(user) for every connection not yet released
 * (close must release it and close its socket, as expire does). */
void ws_wslay_close_all(void (*close)(void *user));

const struct ws_wslay_stats *ws_wslay_stats(void);
void ws_wslay_log_stats(void);

#endif
