/* One TCP connection to the server under test: connect, send (optionally
 * chopped into small writes), and read frames, every wait bounded.
 * Everything the server sends is kept in rx until consumed. */
#ifndef CF_CONN_H
#define CF_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wsc_frame.h"

/* Largest frame the harness accepts from a server: 16 MiB echo plus slack. */
#define CONN_FRAME_MAX ((uint64_t)32 << 20)

struct conn_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

struct conn {
    int fd;
    uint8_t *rx;
    size_t rx_off, rx_len, rx_cap;  /* unconsumed bytes are rx[rx_off..rx_len) */
    bool eof;                       /* the server closed or reset the stream */
    bool reset;                     /* ...and it was a reset */
    bool tx_closed;                 /* a write failed: the server is gone */
    int64_t hard_deadline;          /* no wait goes past this (ms, monotonic) */
    char err[160];
};

enum conn_status {
    CONN_OK = 0,
    CONN_EOF,       /* the stream ended */
    CONN_TIMEOUT,   /* nothing arrived in time */
    CONN_BAD,       /* the server sent something unparsable; see err */
};

struct conn_frame {
    struct wsc_header h;
    const uint8_t *payload;  /* valid until the next call on the conn */
};

/* Resolves host:port once for all connections. Returns 0, or -1 with a
 * message in err. */
int conn_resolve(const char *host, int port, struct conn_addr *a,
                 char *err, size_t errlen);

/* Connects within timeout_ms. Returns 0, or -1 with the reason in c->err. */
int conn_open(struct conn *c, const struct conn_addr *a, int timeout_ms,
              int64_t hard_deadline);
void conn_close(struct conn *c);

/* Writes p[0..n) in writes of at most chop bytes (0: no limit), sleeping
 * delay_us between them, reading whatever the server sends meanwhile so
 * neither side can block the other. idle_ms bounds each wait for progress.
 * Returns CONN_OK, CONN_EOF when the server closed its reading side (the
 * rest is dropped), or CONN_TIMEOUT. */
enum conn_status conn_send(struct conn *c, const void *p, size_t n,
                           size_t chop, unsigned delay_us, int idle_ms);

/* Waits up to idle_ms for more bytes (the window restarts on each read).
 * CONN_OK: something arrived; CONN_EOF; CONN_TIMEOUT. */
enum conn_status conn_fill(struct conn *c, int idle_ms);

/* Returns the next complete frame in f, waiting while bytes keep coming
 * within idle_ms of each other. CONN_BAD for a length no server may send. */
enum conn_status conn_next_frame(struct conn *c, struct conn_frame *f,
                                 int idle_ms);

/* Unconsumed received bytes. */
static inline size_t conn_pending(const struct conn *c)
{
    return c->rx_len - c->rx_off;
}

/* Drops the first n unconsumed bytes. */
void conn_consume(struct conn *c, size_t n);

#endif
