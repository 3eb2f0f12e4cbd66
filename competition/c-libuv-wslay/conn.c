/* libuv pushes what it reads (into one shared buffer: an idle connection
 * owns none) and we hand it to the glue. Writes go out with uv_try_write
 * first; only what the socket does not take is copied into a uv_write
 * request, at most WRITE_CHUNK bytes and one request per connection, and
 * wslay waits for its callback. So the memory a slow reader costs is
 * bounded by the glue's queue bound plus one chunk. */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ws_frame.h"
#include "ws_log.h"
#include "ws_wslay.h"
#include "ws_wslay_pool.h"

#define WRITE_CHUNK (64u << 10)

struct pending_write {
    uv_write_t req;
    struct conn *c;
    uint8_t data[];
};

struct conn {
    uv_tcp_t tcp;
    struct ws_wslay_conn ws;
    struct pending_write *pending; /* a uv_write in flight, or NULL */
    uint8_t hold[WS_FRAME_MAX_HEADER];  /* a frame header waiting for its payload */
    uint8_t hold_len;
    bool reading, closing;
};

static uv_loop_t *loop;
static char rbuf[64 << 10];

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void on_written(uv_write_t *req, int status);

static void on_closed(uv_handle_t *h)
{
    ws_wslay_pool_free(h->data);
}

static void conn_close(struct conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    ws_wslay_release(&c->ws);
    /* A write in flight gets UV_ECANCELED first, then on_closed frees c. */
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static ssize_t io_send(void *user, const uint8_t *buf, size_t len, bool more)
{
    struct conn *c = user;
    if (c->pending) {
        errno = EAGAIN;
        return -1;
    }
    /* Hold a header so header and payload leave in one write (one segment
     * for a small echo despite TCP_NODELAY). */
    if (more && len <= sizeof c->hold - c->hold_len) {
        memcpy(c->hold + c->hold_len, buf, len);
        c->hold_len = (uint8_t)(c->hold_len + len);
        return (ssize_t)len;
    }
    uv_buf_t bufs[2];
    unsigned n = 0;
    if (c->hold_len)
        bufs[n++] = uv_buf_init((char *)c->hold, c->hold_len);
    bufs[n++] = uv_buf_init((char *)buf, (unsigned)(len < UINT32_MAX ? len : UINT32_MAX));
    int w = uv_try_write((uv_stream_t *)&c->tcp, bufs, n);
    if (w == UV_EAGAIN) {
        w = 0;
    } else if (w < 0) {
        c->hold_len = 0;
        errno = -w;
        return -1;
    }
    size_t from_hold = (size_t)w < c->hold_len ? (size_t)w : c->hold_len;
    size_t held = c->hold_len - from_hold;
    size_t done = (size_t)w - from_hold;
    c->hold_len = 0;
    if (done == len && held == 0)
        return (ssize_t)len;
    /* The socket is full: copy one chunk for libuv to finish. */
    size_t take = len - done < WRITE_CHUNK ? len - done : WRITE_CHUNK;
    struct pending_write *p = malloc(sizeof *p + held + take);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(p->data, c->hold + from_hold, held);
    memcpy(p->data + held, buf + done, take);
    p->c = c;
    uv_buf_t b = uv_buf_init((char *)p->data, (unsigned)(held + take));
    int r = uv_write(&p->req, (uv_stream_t *)&c->tcp, &b, 1, on_written);
    if (r < 0) {
        free(p);
        errno = -r;
        return -1;
    }
    c->pending = p;
    if (done + take == 0) { /* cannot happen: len > 0; keeps wslay's contract */
        errno = EAGAIN;
        return -1;
    }
    return (ssize_t)(done + take);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status; /* ENOTCONN, ECANCELED: the peer or we closed first */
    free(req);
}

static void io_shutdown(void *user)
{
    struct conn *c = user;
    uv_shutdown_t *req = malloc(sizeof *req);
    if (!req)
        return; /* the linger deadline still closes it */
    int r = uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown);
    if (r < 0)
        free(req);
}

static const struct ws_wslay_io io = {NULL, io_send, io_shutdown};

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h, (void)suggested;
    *buf = uv_buf_init(rbuf, sizeof rbuf);
}

/* Reading follows the glue: it stops while too much output is queued. */
static void update(struct conn *c)
{
    bool want = ws_wslay_want_read(&c->ws);
    if (want == c->reading)
        return;
    int r = want ? uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read)
                 : uv_read_stop((uv_stream_t *)&c->tcp);
    if (r < 0) {
        ws_wslay_failed(&c->ws, -r);
        conn_close(c);
        return;
    }
    c->reading = want;
}

static void after(struct conn *c, int r)
{
    if (r != WS_WSLAY_OK)
        conn_close(c);
    else
        update(c);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    if (nread == 0)
        return; /* EAGAIN */
    if (nread == UV_EOF) {
        after(c, ws_wslay_input(&c->ws, NULL, 0)); /* buf->base may be NULL */
    } else if (nread < 0) {
        ws_wslay_failed(&c->ws, (int)-nread);
        conn_close(c);
    } else {
        after(c, ws_wslay_input(&c->ws, (const uint8_t *)buf->base, (size_t)nread));
    }
}

static void on_written(uv_write_t *req, int status)
{
    struct pending_write *p = (struct pending_write *)req;
    struct conn *c = p->c;
    free(p);
    if (status == UV_ECANCELED)
        return; /* closing: c goes in on_closed */
    c->pending = NULL;
    if (status < 0) {
        ws_wslay_failed(&c->ws, -status);
        conn_close(c);
        return;
    }
    after(c, ws_wslay_output(&c->ws));
}

void conn_setup(uv_loop_t *l, const struct ws_args *a)
{
    loop = l;
    ws_wslay_setup(&io, a);
}

void conn_accept(uv_stream_t *server)
{
    /* Out of the malloc heap, where wslay's contexts come and go (see
     * ws_wslay_pool.h). */
    struct conn *c = ws_wslay_pool_zalloc(sizeof *c);
    if (!c || uv_tcp_init(loop, &c->tcp) < 0) {
        /* libuv stops watching the listener until this one is accepted:
         * accepting stalls until memory is back. Should never happen. */
        ws_log("out of memory for a new connection");
        ws_wslay_pool_free(c);
        return;
    }
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        c->closing = true;
        uv_close((uv_handle_t *)&c->tcp, on_closed);
        return;
    }
    /* Echo replies are small and must not wait for Nagle. */
    uv_tcp_nodelay(&c->tcp, 1);
    ws_wslay_open(&c->ws, c);
    update(c);
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
