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
 * and we push the bytes to the glue. What wslay sends during one push is
 * gathered and written with one send(2) on the socket's descriptor, as
 * h2o_socket_write() itself first tries, but without its condition that
 * the bytes stay valid until a deferred callback; only what a full socket
 * does not take is copied, and h2o_socket_notify_write() wakes us. */
#include "conn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "h2o/http1.h"
#include "ws_log.h"
#include "ws_wslay.h"
#include "split.h"

struct conn {
    h2o_socket_t *sock;
    struct ws_wslay_conn ws;
    struct split split;
    uint8_t *tail;            /* output the socket did not take: sent first */
    size_t tail_len;
    bool shutdown_due;        /* half-close once the tail is out */
};

static h2o_context_t *ctx;
static h2o_timeout_t tick_timeout;
static h2o_timeout_entry_t tick_entry;
static unsigned long long upgrade_failures;

/* Output of one call into the glue, written with one send when it returns
 * (flush_batch from after()): a read holding 16 pipelined messages costs
 * one system call, as in h2o's own write path, not one per frame, and a
 * frame header leaves with its payload. One connection at a time. */
static uint8_t batch[64 << 10];
static size_t batch_len;

static void on_read(h2o_socket_t *sock, const char *err);
static void on_writable(h2o_socket_t *sock, const char *err);

static ssize_t send_some(struct conn *c, const uint8_t *p, size_t n)
{
    ssize_t w;
    do
        w = send(h2o_socket_get_fd(c->sock), p, n, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    return w;
}

/* Writes the batch; what the socket does not take becomes c's tail (a
 * copy: the batch is shared). Returns 0, or -1 with errno on a write error
 * or no memory. Leaves the batch empty. */
static int flush_batch(struct conn *c)
{
    size_t n = batch_len;
    batch_len = 0;
    if (n == 0)
        return 0;
    ssize_t w = send_some(c, batch, n);
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        w = 0;
    }
    if ((size_t)w == n)
        return 0;
    c->tail = malloc(n - (size_t)w);
    if (c->tail == NULL) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(c->tail, batch + w, n - (size_t)w);
    c->tail_len = n - (size_t)w;
    return 0;
}

/* Writes the tail; 0 once it is all out or the socket is full, -1 with
 * errno on a write error. */
static int flush_tail(struct conn *c)
{
    ssize_t w = send_some(c, c->tail, c->tail_len);
    if (w < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    c->tail_len -= (size_t)w;
    if (c->tail_len > 0) {
        memmove(c->tail, c->tail + w, c->tail_len);
        return 0;
    }
    free(c->tail);
    c->tail = NULL;
    if (c->shutdown_due && shutdown(h2o_socket_get_fd(c->sock), SHUT_WR) < 0 && errno != ENOTCONN)
        ws_log("shutdown: %s", strerror(errno));
    return 0;
}

/* wslay's send callback (through the glue): into the batch. A big payload
 * with nothing ahead of it goes to the socket directly, uncopied. While a
 * tail waits, nothing is taken: wslay keeps it queued. */
static ssize_t io_send(void *user, const uint8_t *buf, size_t len, bool more)
{
    struct conn *c = user;
    (void)more;
    if (c->tail == NULL && batch_len == sizeof batch && flush_batch(c) != 0)
        return -1;
    if (c->tail != NULL) {
        errno = EAGAIN;
        return -1;
    }
    if (batch_len == 0 && len >= sizeof batch / 2)
        return send_some(c, buf, len);
    size_t n = len < sizeof batch - batch_len ? len : sizeof batch - batch_len;
    memcpy(batch + batch_len, buf, n);
    batch_len += n;
    return (ssize_t)n;
}

/* The glue's lingering close: after the close frame, which may still be
 * in the batch or the tail. */
static void io_shutdown(void *user)
{
    struct conn *c = user;
    if (flush_batch(c) != 0)
        return; /* the socket is failing: the linger deadline closes it */
    if (c->tail != NULL)
        c->shutdown_due = true;
    else if (shutdown(h2o_socket_get_fd(c->sock), SHUT_WR) < 0 && errno != ENOTCONN)
        ws_log("shutdown: %s", strerror(errno));
}

static const struct ws_wslay_io io = {NULL, io_send, io_shutdown};

static void conn_close(struct conn *c)
{
    batch_len = 0; /* only c's output can be in it */
    free(c->tail);
    ws_wslay_release(&c->ws);
    h2o_socket_close(c->sock);
    free(c);
}

/* After every call into the glue: writes its output, then follows it:
 * reading stops while too much output is queued or input is held (see
 * push_input), and a write notification is asked for while output waits
 * for the socket. */
static void after(struct conn *c, int r)
{
    if (r == WS_WSLAY_OK && flush_batch(c) != 0) {
        ws_wslay_failed(&c->ws, errno);
        r = WS_WSLAY_CLOSE;
    }
    if (r != WS_WSLAY_OK) {
        conn_close(c);
        return;
    }
    bool want_read = ws_wslay_want_read(&c->ws) && c->sock->input->size == 0;
    if (want_read && !h2o_socket_is_reading(c->sock))
        h2o_socket_read_start(c->sock, on_read);
    else if (!want_read && h2o_socket_is_reading(c->sock))
        h2o_socket_read_stop(c->sock);
    if ((ws_wslay_want_write(&c->ws) || c->tail != NULL) && !h2o_socket_is_writing(c->sock))
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
    while ((*in)->size > 0 && !ws_wslay_want_write(&c->ws) && c->tail == NULL) {
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
    if (err != NULL || (c->tail != NULL && flush_tail(c) != 0)) {
        ws_wslay_failed(&c->ws, err != NULL ? EPIPE : errno);
        conn_close(c);
        return;
    }
    if (c->tail != NULL) {
        after(c, WS_WSLAY_OK);
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
    c->tail = NULL;
    c->tail_len = 0;
    c->shutdown_due = false;
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
