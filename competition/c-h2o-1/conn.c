/* h2o's own WebSocket layer (h2o_upgrade_to_websocket, lib/websocket.c)
 * creates wslay's event context, two 4 KiB buffers cleared at creation,
 * for every upgrade and keeps it for the connection's life: 8.8 KB per idle
 * connection, with no way to defer or release it. So we do the upgrade one
 * level lower: h2o_http1_upgrade() writes our 101 and hands over the socket,
 * and the kit's wslay glue runs the echo over it. The glue creates the
 * context on the first frame byte and releases it after a quiet second,
 * like the other wslay servers; an idle connection holds h2o's socket and
 * this struct.
 *
 * h2o reads (into the socket's input buffer, freed once we consume it all)
 * and we push the bytes to the glue. Writes go straight to the socket's
 * descriptor, as h2o_socket_write() itself first tries, but without its
 * condition that the bytes stay valid until a deferred callback, which
 * would cost a copy of every echo; when the socket is full, the glue keeps
 * the rest queued in wslay and h2o_socket_notify_write() wakes us. */
#include "conn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "h2o/http1.h"
#include "ws_frame.h"
#include "ws_log.h"
#include "ws_wslay.h"
#include "split.h"

struct conn {
    h2o_socket_t *sock;
    struct ws_wslay_conn ws;
    struct split split;
    uint8_t hold_len;
    uint8_t hold[WS_FRAME_MAX_HEADER]; /* a frame header waiting for its payload */
};

static h2o_context_t *ctx;
static h2o_timeout_t tick_timeout;
static h2o_timeout_entry_t tick_entry;
static unsigned long long upgrade_failures;

static void on_read(h2o_socket_t *sock, const char *err);
static void on_writable(h2o_socket_t *sock, const char *err);

/* wslay writes a frame header, then its payload. The header is held here
 * and both go in one sendmsg: one system call and one segment per small
 * echo (ws_accept sets TCP_NODELAY). */
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
    ssize_t n = sendmsg(h2o_socket_get_fd(c->sock), &msg, MSG_NOSIGNAL);
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
    if (shutdown(h2o_socket_get_fd(c->sock), SHUT_WR) < 0 && errno != ENOTCONN)
        ws_log("shutdown: %s", strerror(errno));
}

static const struct ws_wslay_io io = {NULL, io_send, io_shutdown};

static void conn_close(struct conn *c)
{
    ws_wslay_release(&c->ws);
    h2o_socket_close(c->sock);
    free(c);
}

/* Follows the glue: reading stops while too much output is queued or
 * input is held (see push_input), and a write notification is asked for
 * while output waits for the socket. */
static void after(struct conn *c, int r)
{
    if (r != WS_WSLAY_OK) {
        conn_close(c);
        return;
    }
    bool want_read = ws_wslay_want_read(&c->ws) && c->sock->input->size == 0;
    if (want_read && !h2o_socket_is_reading(c->sock))
        h2o_socket_read_start(c->sock, on_read);
    else if (!want_read && h2o_socket_is_reading(c->sock))
        h2o_socket_read_stop(c->sock);
    if (ws_wslay_want_write(&c->ws) && !h2o_socket_is_writing(c->sock))
        h2o_socket_notify_write(c->sock, on_writable);
}

/* Hands what h2o has read to the glue one message at a time (split.h), so
 * each echo is written before anything later in the read can make the glue
 * queue a close, which wslay would send first. While an echo waits for the
 * socket the rest stays in h2o's input buffer (no copy) and reading stops;
 * on_writable resumes. */
static int push_input(struct conn *c)
{
    h2o_buffer_t **in = &c->sock->input;
    /* h2o may call with nothing new; never pass len 0: it means EOF. */
    while ((*in)->size > 0 && !ws_wslay_want_write(&c->ws)) {
        const uint8_t *p = (const uint8_t *)(*in)->bytes;
        size_t n = split_next(&c->split, p, (*in)->size);
        int r = ws_wslay_input(&c->ws, p, n);
        if (r != WS_WSLAY_OK)
            return r;
        h2o_buffer_consume(in, n);
    }
    return WS_WSLAY_OK;
}

static void on_read(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    if (err == NULL) {
        after(c, push_input(c));
    } else if (err == h2o_socket_error_closed) {
        after(c, ws_wslay_input(&c->ws, NULL, 0)); /* EOF */
    } else {
        /* h2o calls us right after the failed read(2): errno is its. */
        ws_wslay_failed(&c->ws, errno);
        conn_close(c);
    }
}

static void on_writable(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    if (err != NULL) {
        ws_wslay_failed(&c->ws, EPIPE);
        conn_close(c);
        return;
    }
    int r = ws_wslay_output(&c->ws);
    if (r == WS_WSLAY_OK)
        r = push_input(c);
    after(c, r);
}

/* h2o has written the 101 (or failed to) and freed its HTTP/1 connection. */
static void on_upgraded(void *data, h2o_socket_t *sock, size_t reqsize)
{
    struct conn *c = data;
    if (sock == NULL) {
        /* h2o 2.2 neither closes the socket nor passes it here on a failed
         * write; we kept it from before the upgrade. */
        upgrade_failures++;
        h2o_socket_close(c->sock);
        free(c);
        return;
    }
    c->sock = sock;
    sock->data = c;
    /* The input still starts with the request; what follows it are the
     * first frames, which a client may send without waiting for the 101. */
    h2o_buffer_consume(&sock->input, reqsize);
    ws_wslay_open_upgraded(&c->ws, c);
    after(c, push_input(c));
}

int conn_upgrade(h2o_req_t *req, const char *accept_key)
{
    struct conn *c = malloc(sizeof *c);
    if (c == NULL)
        return -1;
    c->sock = req->conn->callbacks->get_socket(req->conn);
    c->split = (struct split){0};
    c->hold_len = 0;
    req->res.status = 101;
    req->res.reason = "Switching Protocols";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_UPGRADE, NULL, H2O_STRLIT("websocket"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("sec-websocket-accept"), 0,
                          NULL, accept_key, strlen(accept_key));
    /* Adds "Connection: upgrade" and calls on_upgraded once written. */
    h2o_http1_upgrade(req, NULL, 0, on_upgraded, c);
    return 0;
}

static void expire(void *user)
{
    conn_close(user);
}

/* Handshake deadlines are h2o's (req_timeout); the glue's tick runs the
 * lingering-close deadlines and releases idle wslay contexts. */
static void on_tick(h2o_timeout_entry_t *entry)
{
    ws_wslay_tick(expire);
    h2o_timeout_link(ctx->loop, &tick_timeout, entry);
}

void conn_setup(h2o_context_t *c, const struct ws_args *a)
{
    ctx = c;
    ws_wslay_setup(&io, a);
    h2o_timeout_init(ctx->loop, &tick_timeout, WS_WSLAY_TICK_MS);
    tick_entry.cb = on_tick;
    h2o_timeout_link(ctx->loop, &tick_timeout, &tick_entry);
}

void conn_close_all(void)
{
    ws_wslay_close_all(expire);
    if (h2o_timeout_is_linked(&tick_entry))
        h2o_timeout_unlink(&tick_entry);
    h2o_timeout_dispose(ctx->loop, &tick_timeout);
    ws_wslay_log_stats();
    if (upgrade_failures)
        ws_log("%llu upgrades failed writing the 101", upgrade_failures);
}
