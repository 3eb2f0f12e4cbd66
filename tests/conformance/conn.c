#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Stop reading once this much is buffered: a runaway server cannot eat the
 * machine, and the case times out instead. */
#define CONN_RX_LIMIT ((size_t)CONN_FRAME_MAX + (1u << 20))

int conn_resolve(const char *host, int port, struct conn_addr *a,
                 char *err, size_t errlen)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    /* Servers here listen on IPv4: "localhost" must not pick ::1 first. */
    struct addrinfo *pick = res;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        if (ai->ai_family == AF_INET) {
            pick = ai;
            break;
        }
    memcpy(&a->ss, pick->ai_addr, pick->ai_addrlen);
    a->len = pick->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int64_t deadline_after(const struct conn *c, int ms)
{
    int64_t d = util_now_ms() + ms;
    return d < c->hard_deadline ? d : c->hard_deadline;
}

/* poll() on one fd until deadline. Returns revents, 0 on timeout, -1 on
 * error (errno set). */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - util_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = { .fd = fd, .events = events };
        int n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n > 0)
            return p.revents ? p.revents : events;
    }
}

int conn_open(struct conn *c, const struct conn_addr *a, int timeout_ms,
              int64_t hard_deadline)
{
    memset(c, 0, sizeof *c);
    c->hard_deadline = hard_deadline;
    c->fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        snprintf(c->err, sizeof c->err, "socket: %s", strerror(errno));
        return -1;
    }
    /* Small chopped writes must leave as separate segments. */
    int one = 1;
    if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        snprintf(c->err, sizeof c->err, "TCP_NODELAY: %s", strerror(errno));
        goto fail;
    }
    if (connect(c->fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            snprintf(c->err, sizeof c->err, "connect: %s", strerror(errno));
            goto fail;
        }
        int ev = wait_fd(c->fd, POLLOUT, deadline_after(c, timeout_ms));
        if (ev < 0) {
            snprintf(c->err, sizeof c->err, "poll: %s", strerror(errno));
            goto fail;
        }
        if (ev == 0) {
            snprintf(c->err, sizeof c->err, "connect: timeout after %d ms", timeout_ms);
            goto fail;
        }
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
            soerr = errno;
        if (soerr) {
            snprintf(c->err, sizeof c->err, "connect: %s", strerror(soerr));
            goto fail;
        }
    }
    return 0;
fail:
    close(c->fd);
    c->fd = -1;
    return -1;
}

void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->rx);
    c->rx = NULL;
    c->rx_off = c->rx_len = c->rx_cap = 0;
}

void conn_consume(struct conn *c, size_t n)
{
    c->rx_off += n;
    if (c->rx_off == c->rx_len)
        c->rx_off = c->rx_len = 0;
}

/* One non-blocking read into rx. Returns 1 on data, 0 when there is
 * nothing to read now, -1 on EOF or reset (c->eof set). */
static int read_some(struct conn *c)
{
    if (c->rx_off > 0 && c->rx_cap - c->rx_len < 65536) {
        memmove(c->rx, c->rx + c->rx_off, c->rx_len - c->rx_off);
        c->rx_len -= c->rx_off;
        c->rx_off = 0;
    }
    if (c->rx_cap - c->rx_len < 65536) {
        size_t cap = c->rx_cap ? c->rx_cap * 2 : 262144;
        c->rx = util_xrealloc(c->rx, cap);
        c->rx_cap = cap;
    }
    for (;;) {
        ssize_t n = read(c->fd, c->rx + c->rx_len, c->rx_cap - c->rx_len);
        if (n > 0) {
            c->rx_len += (size_t)n;
            return 1;
        }
        if (n == 0) {
            c->eof = true;
            return -1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        /* ECONNRESET and friends: the server is gone either way. */
        c->eof = true;
        c->reset = true;
        snprintf(c->err, sizeof c->err, "read: %s", strerror(errno));
        return -1;
    }
}

enum conn_status conn_fill(struct conn *c, int idle_ms)
{
    if (c->eof)
        return CONN_EOF;
    int64_t deadline = deadline_after(c, idle_ms);
    for (;;) {
        int r = read_some(c);
        if (r > 0)
            return CONN_OK;
        if (r < 0)
            return CONN_EOF;
        if (c->rx_len - c->rx_off >= CONN_RX_LIMIT)
            return CONN_TIMEOUT;
        int ev = wait_fd(c->fd, POLLIN, deadline);
        if (ev == 0)
            return CONN_TIMEOUT;
        if (ev < 0) {
            snprintf(c->err, sizeof c->err, "poll: %s", strerror(errno));
            c->eof = true;
            return CONN_EOF;
        }
    }
}

enum conn_status conn_send(struct conn *c, const void *p, size_t n,
                           size_t chop, unsigned delay_us, int idle_ms)
{
    const uint8_t *b = p;
    size_t off = 0;
    if (chop == 0)
        chop = n;
    int64_t deadline = deadline_after(c, idle_ms);
    while (off < n) {
        if (c->tx_closed)
            return CONN_EOF;
        bool want_in = !c->eof && c->rx_len - c->rx_off < CONN_RX_LIMIT;
        int ev = wait_fd(c->fd, (short)(POLLOUT | (want_in ? POLLIN : 0)), deadline);
        if (ev == 0)
            return CONN_TIMEOUT;
        if (ev < 0) {
            snprintf(c->err, sizeof c->err, "poll: %s", strerror(errno));
            c->tx_closed = true;
            return CONN_EOF;
        }
        if (want_in && (ev & (POLLIN | POLLHUP | POLLERR))) {
            int r;
            while ((r = read_some(c)) > 0)
                if (c->rx_len - c->rx_off >= CONN_RX_LIMIT)
                    break;
            deadline = deadline_after(c, idle_ms);
        }
        if (!(ev & (POLLOUT | POLLHUP | POLLERR)))
            continue;
        size_t want = n - off < chop ? n - off : chop;
        ssize_t w = send(c->fd, b + off, want, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            snprintf(c->err, sizeof c->err, "write: %s", strerror(errno));
            c->tx_closed = true;
            return CONN_EOF;
        }
        off += (size_t)w;
        deadline = deadline_after(c, idle_ms);
        if (delay_us && off < n)
            util_sleep_us(delay_us);
    }
    return CONN_OK;
}

enum conn_status conn_next_frame(struct conn *c, struct conn_frame *f,
                                 int idle_ms)
{
    for (;;) {
        size_t avail = c->rx_len - c->rx_off;
        size_t hl = wsc_header_parse(c->rx + c->rx_off, avail, &f->h);
        if (hl > 0 && f->h.len >> 63) {
            snprintf(c->err, sizeof c->err, "server frame with a 64-bit length over 2^63");
            return CONN_BAD;
        }
        if (hl > 0) {
            if (f->h.len > CONN_FRAME_MAX) {
                snprintf(c->err, sizeof c->err,
                         "server frame of %llu bytes is over the harness limit",
                         (unsigned long long)f->h.len);
                return CONN_BAD;
            }
            if (avail >= hl + f->h.len) {
                f->payload = c->rx + c->rx_off + hl;
                if (f->h.masked)  /* reported by the caller; unmask to show it */
                    wsc_mask((uint8_t *)f->payload, f->h.len, f->h.mask, 0);
                conn_consume(c, hl + f->h.len);
                return CONN_OK;
            }
        }
        enum conn_status s = conn_fill(c, idle_ms);
        if (s != CONN_OK)
            return s;
    }
}
