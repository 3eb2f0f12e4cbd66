#include "echo.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "h2o/websocket.h"
#include "ws_wslay_guard.h"
#include "ws_frame.h"
#include "ws_log.h"

/* Queued echo bytes above which the connection stops reading: a client that
 * sends without reading its replies must not make us buffer without bound.
 * One message may exceed it (up to --max-message); we then wait for it. */
#define QUEUE_LIMIT (1u << 20)
/* An output buffer larger than this is freed once written, so a connection
 * that once echoed a big message does not keep its buffer while idle. */
#define OUT_KEEP 4096

struct out_buf {
    uint8_t *p;
    size_t len, cap;
};

struct echo_conn {
    h2o_websocket_conn_t *ws;
    struct ws_wslay_guard guard;
    const char *refused;         /* guard verdict, acted on at the next read */
    struct out_buf out;          /* frames h2o is writing */
    struct out_buf pending;      /* frames wslay handed over since */
    bool pending_partial;        /* pending ends in a header whose payload follows */
    h2o_timeout_entry_t check;   /* deferred back-pressure check */
    h2o_timeout_entry_t linger;  /* deadline of a lingering close */
    bool write_failed, lingering;
    h2o_linklist_t link;         /* in live_conns */
};

static h2o_context_t *echo_ctx;
static uint64_t echo_max_message;
static h2o_linklist_t live_conns;

static struct {
    unsigned long long opened, closed, code_1002, code_1007, code_1009,
        guard_verdicts, throttled, lingered, out_of_memory;
} stats;

#define CONN_OF(entry, member) \
    ((struct echo_conn *)((char *)(entry) - offsetof(struct echo_conn, member)))

static void finish(struct echo_conn *c)
{
    if (h2o_timeout_is_linked(&c->check))
        h2o_timeout_unlink(&c->check);
    if (h2o_timeout_is_linked(&c->linger))
        h2o_timeout_unlink(&c->linger);
    h2o_linklist_unlink(&c->link);
    switch (wslay_event_get_status_code_sent(c->ws->ws_ctx)) {
    case WS_CLOSE_PROTOCOL: stats.code_1002++; break;
    case WS_CLOSE_INVALID_DATA: stats.code_1007++; break;
    case WS_CLOSE_TOO_BIG: stats.code_1009++; break;
    default: break;
    }
    stats.closed++;
    h2o_websocket_close(c->ws);
    free(c->out.p);
    free(c->pending.p);
    free(c);
}

/* Runs from the zero timeout, after h2o_websocket_proceed() has finished and
 * (re)started reading, but before the loop polls again. */
static void on_check(h2o_timeout_entry_t *entry)
{
    struct echo_conn *c = CONN_OF(entry, check);
    if (c->lingering || c->ws->sock == NULL)
        return;
    size_t queued = wslay_event_get_queued_msg_length(c->ws->ws_ctx) + c->out.len + c->pending.len;
    if (queued > QUEUE_LIMIT &&
        h2o_socket_is_reading(c->ws->sock)) {
        h2o_socket_read_stop(c->ws->sock);
        stats.throttled++;
    }
}

static void arm_check(struct echo_conn *c)
{
    if (!h2o_timeout_is_linked(&c->check))
        h2o_timeout_link(echo_ctx->loop, &echo_ctx->zero_timeout, &c->check);
}

static void on_linger_read(h2o_socket_t *sock, const char *err)
{
    h2o_websocket_conn_t *ws = sock->data;
    if (err != NULL) {
        finish(ws->data);
        return;
    }
    h2o_buffer_consume(&sock->input, sock->input->size);
}

static void on_linger_timeout(h2o_timeout_entry_t *entry)
{
    finish(CONN_OF(entry, linger));
}

/* wslay's close handshake is over (or the socket failed). */
static void on_closed(struct echo_conn *c)
{
    wslay_event_context_ptr ctx = c->ws->ws_ctx;
    if (c->ws->sock != NULL && !c->write_failed && !c->lingering &&
        wslay_event_get_close_sent(ctx) && !wslay_event_get_close_received(ctx)) {
        /* We closed first (1002/1007/1009). Closing the socket with the
         * client's later bytes unread would send a RST that can destroy our
         * close frame in flight, so send FIN and drain for up to a second.
         * If even the FIN fails the peer is gone: just close. */
        if (shutdown(h2o_socket_get_fd(c->ws->sock), SHUT_WR) != 0) {
            finish(c);
            return;
        }
        c->lingering = true;
        stats.lingered++;
        if (h2o_timeout_is_linked(&c->check))
            h2o_timeout_unlink(&c->check);
        h2o_buffer_consume(&c->ws->sock->input, c->ws->sock->input->size);
        h2o_socket_read_start(c->ws->sock, on_linger_read);
        h2o_timeout_link(echo_ctx->loop, &echo_ctx->one_sec_timeout, &c->linger);
        return;
    }
    finish(c);
}

/* The guard's verdict: wslay never sees the frame; we close instead. */
static void take_over(wslay_event_context_ptr ctx, struct echo_conn *c)
{
    stats.guard_verdicts++;
    wslay_event_queue_close(ctx, c->guard.code, NULL, 0);
    wslay_event_shutdown_read(ctx);
}

/* h2o's own recv callback, with the frame guard in front of wslay. */
static ssize_t on_wslay_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
                             int flags, void *user_data)
{
    (void)flags;
    h2o_websocket_conn_t *ws = user_data;
    struct echo_conn *c = ws->data;
    h2o_buffer_t *in = ws->sock->input;
    if (c->refused) {
        take_over(ctx, c);
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (in->size == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    size_t n = in->size < len ? in->size : len;
    size_t ok = ws_wslay_guard_scan(&c->guard, (const uint8_t *)in->bytes, n, &c->refused);
    if (c->refused && ok == 0) {
        take_over(ctx, c);
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    memcpy(buf, in->bytes, ok);
    h2o_buffer_consume(&ws->sock->input, ok);
    return (ssize_t)ok;
}

static void on_write_complete(h2o_socket_t *sock, const char *err);

/* Hands the pending frames to h2o; the two buffers swap roles. */
static void flush(struct echo_conn *c)
{
    struct out_buf t = c->out;
    c->out = c->pending;
    c->pending = t;
    h2o_iovec_t buf = h2o_iovec_init(c->out.p, c->out.len);
    h2o_socket_write(c->ws->sock, &buf, 1, on_write_complete);
    arm_check(c);
}

static void on_write_complete(h2o_socket_t *sock, const char *err)
{
    h2o_websocket_conn_t *ws = sock->data;
    struct echo_conn *c = ws->data;
    c->out.len = 0;
    if (c->out.cap > OUT_KEEP) {
        free(c->out.p);
        c->out = (struct out_buf){NULL, 0, 0};
    }
    if (err != NULL) {
        c->write_failed = true;
        on_closed(c);
        return;
    }
    if (c->pending.len > 0 && !c->pending_partial)
        flush(c);
    arm_check(c);
    h2o_websocket_proceed(ws);
}

/* Unlike h2o's own send callback this one never answers WOULDBLOCK: frames
 * are appended in the order wslay sends them and go out in one write as
 * soon as the previous write completes. wslay sends control frames ahead of
 * queued messages, so an echo must leave its queue before a close from the
 * same read is queued behind it (see on_ws_message). A frame header comes
 * flagged WSLAY_MSG_MORE and is written together with its payload. */
static ssize_t on_wslay_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
                             int flags, void *user_data)
{
    h2o_websocket_conn_t *ws = user_data;
    struct echo_conn *c = ws->data;
    struct out_buf *b = &c->pending;
    if (b->len + len > b->cap) {
        size_t cap = b->cap * 2 > b->len + len ? b->cap * 2 : b->len + len;
        uint8_t *p = realloc(b->p, cap);
        if (p == NULL) {
            stats.out_of_memory++;
            wslay_event_set_error(ctx, WSLAY_ERR_NOMEM);
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    c->pending_partial = (flags & WSLAY_MSG_MORE) != 0;
    if (!c->pending_partial && !h2o_socket_is_writing(ws->sock))
        flush(c);
    return (ssize_t)len;
}

static void on_ws_message(h2o_websocket_conn_t *ws, const struct wslay_event_on_msg_recv_arg *arg)
{
    struct echo_conn *c = ws->data;
    if (arg == NULL) {
        on_closed(c);
        return;
    }
    /* wslay answers pings, ignores pongs and completes the close itself. */
    if (wslay_is_ctrl_frame(arg->opcode))
        return;
    struct wslay_event_msg msg = {arg->opcode, arg->msg, arg->msg_length};
    int r = wslay_event_queue_msg(ws->ws_ctx, &msg);
    if (r == WSLAY_ERR_NOMEM) {
        stats.out_of_memory++;
        wslay_event_queue_close(ws->ws_ctx, WS_CLOSE_INTERNAL, NULL, 0);
        wslay_event_shutdown_read(ws->ws_ctx);
    }
    /* Send it now, from inside wslay's receive loop: a protocol error or a
     * close later in the same read would otherwise be queued as a control
     * frame, sent first, and end the connection with the echo unsent. */
    wslay_event_send(ws->ws_ctx);
    arm_check(c);
}

void echo_init(h2o_context_t *ctx, size_t max_message)
{
    echo_ctx = ctx;
    echo_max_message = max_message;
    h2o_linklist_init_anchor(&live_conns);
}

int echo_start(h2o_req_t *req, const char *client_key)
{
    struct echo_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        stats.out_of_memory++;
        return -1;
    }
    c->check.cb = on_check;
    c->linger.cb = on_linger_timeout;
    ws_wslay_guard_init(&c->guard);
    c->ws = h2o_upgrade_to_websocket(req, client_key, c, on_ws_message);
    /* The callbacks h2o installed, with our receive and send in place. */
    struct wslay_event_callbacks cbs = c->ws->ws_callbacks;
    cbs.recv_callback = on_wslay_recv;
    cbs.send_callback = on_wslay_send;
    wslay_event_config_set_callbacks(c->ws->ws_ctx, &cbs);
    wslay_event_config_set_max_recv_msg_length(c->ws->ws_ctx, echo_max_message);
    h2o_linklist_insert(&live_conns, &c->link);
    stats.opened++;
    return 0;
}

void echo_close_all(void)
{
    while (!h2o_linklist_is_empty(&live_conns))
        finish(CONN_OF(live_conns.next, link));
}

void echo_log_stats(void)
{
    ws_log("websocket connections: %llu opened, %llu closed; sent close 1002 x%llu, "
           "1007 x%llu, 1009 x%llu; closes sent for the frame guard %llu; throttled %llu "
           "times; lingering closes %llu; out of memory %llu",
           stats.opened, stats.closed, stats.code_1002, stats.code_1007, stats.code_1009,
           stats.guard_verdicts, stats.throttled, stats.lingered, stats.out_of_memory);
}
