/* Raw events rather than bufferevents: wslay pulls bytes through its recv
 * callback and pushes through its send callback, so it can talk to the
 * socket directly; a bufferevent would add a copy each way and two
 * evbuffers per connection. One struct event per connection, re-armed only
 * when the glue's read/write interest changes. */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event_struct.h>

#include "ws_frame.h"
#include "ws_log.h"
#include "ws_wslay.h"
#include "ws_wslay_pool.h"

struct conn {
    struct event ev;
    struct ws_wslay_conn ws;
    int fd;
    short interest;           /* EV_READ / EV_WRITE the event is armed for */
    uint8_t hold_len;
    uint8_t hold[WS_FRAME_MAX_HEADER]; /* a frame header waiting for its payload */
};

static struct event_base *base;

static ssize_t io_recv(void *user, uint8_t *buf, size_t len)
{
    struct conn *c = user;
    return recv(c->fd, buf, len, 0);
}

/* wslay writes a frame header, then its payload. The header is held here
 * and both go in one sendmsg: one system call and one segment per small
 * echo (TCP_NODELAY is on). */
static ssize_t io_send(void *user, const uint8_t *buf, size_t len, bool more)
{
    struct conn *c = user;
    if (more && len <= sizeof c->hold - c->hold_len) {
        memcpy(c->hold + c->hold_len, buf, len);
        c->hold_len = (uint8_t)(c->hold_len + len);
        return (ssize_t)len;
    }
    struct iovec iov[2] = {{c->hold, c->hold_len}, {(void *)buf, len}};
    struct msghdr msg = {.msg_iov = c->hold_len ? iov : iov + 1,
                         .msg_iovlen = c->hold_len ? 2 : 1};
    ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    if (n < 0 || c->hold_len == 0)
        return n;
    if ((size_t)n < c->hold_len) {
        /* Only part of the held header left: keep the rest, retry later. */
        memmove(c->hold, c->hold + n, c->hold_len - (size_t)n);
        c->hold_len = (uint8_t)(c->hold_len - (size_t)n);
        errno = EAGAIN;
        return -1;
    }
    n -= c->hold_len;
    c->hold_len = 0;
    if (n == 0) {
        errno = EAGAIN;
        return -1;
    }
    return n;
}

static void io_shutdown(void *user)
{
    struct conn *c = user;
    if (shutdown(c->fd, SHUT_WR) < 0 && errno != ENOTCONN)
        ws_log("shutdown: %s", strerror(errno));
}

static const struct ws_wslay_io io = {io_recv, io_send, io_shutdown};

static void on_event(evutil_socket_t fd, short what, void *arg);

static void conn_close(struct conn *c)
{
    event_del(&c->ev);
    ws_wslay_release(&c->ws);
    close(c->fd);
    ws_wslay_pool_free(c);
}

static int arm(struct conn *c, short want)
{
    c->interest = want;
    event_assign(&c->ev, base, c->fd, want | EV_PERSIST, on_event, c);
    return event_add(&c->ev, NULL);
}

/* Follows the glue: reading stops while too much output is queued. */
static void update(struct conn *c)
{
    short want = (short)((ws_wslay_want_read(&c->ws) ? EV_READ : 0) |
                         (ws_wslay_want_write(&c->ws) ? EV_WRITE : 0));
    if (want == c->interest)
        return;
    event_del(&c->ev);
    if (arm(c, want) < 0) {
        ws_log("event_add failed");
        conn_close(c);
    }
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)fd;
    int r = WS_WSLAY_OK;
    if (what & EV_WRITE)
        r = ws_wslay_output(&c->ws);
    if (r == WS_WSLAY_OK && (what & EV_READ))
        r = ws_wslay_input(&c->ws, NULL, 0);
    if (r != WS_WSLAY_OK)
        conn_close(c);
    else
        update(c);
}

void conn_setup(struct event_base *b, const struct ws_args *a)
{
    base = b;
    ws_wslay_setup(&io, a);
}

void conn_accept(int fd)
{
    /* Out of the malloc heap, where wslay's contexts come and go (see
     * ws_wslay_pool.h). */
    struct conn *c = ws_wslay_pool_malloc(sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->fd = fd;
    c->hold_len = 0;
    ws_wslay_open(&c->ws, c);
    if (arm(c, EV_READ) < 0)
        conn_close(c);
}

static void expire(void *user)
{
    conn_close(user);
}

void conn_tick(void)
{
    ws_wslay_tick(expire);
}

void conn_close_all(void)
{
    ws_wslay_close_all(expire);
}
