#include "ws_wslay.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wslay/wslay.h>

#include "ws_frame.h"
#include "ws_log.h"
#include "ws_upgrade.h"
#include "ws_utf8.h"
#include "ws_wslay_fix.h"

enum conn_state { ST_HANDSHAKE, ST_OPEN, ST_LINGER, ST_DONE };

enum conn_flag {
    F_IN_MESSAGE = 2,  /* a fragmented data message is in progress */
    F_IN_FRAME = 4,    /* wslay is inside a frame */
    F_CLOSE_FRAME = 8, /* ... and it is a close frame */
    F_FAIL_PROTO = 16, /* a frame header wslay must not see: close 1002 */
    F_FAIL_BIG = 32,   /* a frame over --max-message: close 1009 */
    F_HDR_READY = 64,  /* c->hdr holds a whole, acceptable header */
    F_CLOSE_HELD = 128, /* a close frame waits in c->request (see on_recv) */
};

/* Stop reading a connection while this much output waits in wslay's queue
 * (which counts a message until its last byte is sent). A client that does
 * not read then costs at most this plus one message (--max-message). */
#define OUT_BOUND (256u << 10)
/* After our close frame we half-close and drain until the peer's FIN, so
 * unread input does not turn our close into a reset that can discard the
 * close frame before the peer reads it. This long at most. */
#define LINGER_MS 2000
/* A wslay context is released once its connection has been quiet this
 * long, checked every SWEEP_MS: longer than the C10K workload's 1 s
 * between messages, so a connection talking every second keeps its
 * context through the jitter of its echoes and of our ticks. Released
 * after one quiet sweep (1.0-1.1 s), as before issue 14, a context was one
 * late echo away from being freed and built again. Released 2-3 s after
 * the last byte. */
#define IDLE_MS 2000
#define SWEEP_MS 1000
#define READ_BUDGET 4 /* reads per readiness event, for fairness */
#define TRIM_AFTER 256 /* contexts freed since the last malloc_trim (2 MB) */

struct conn_list {
    struct ws_wslay_conn *head, *tail;
};

static const struct ws_wslay_io *io;
static size_t max_message = 16u << 20;
static size_t max_header = 8192;
static uint32_t handshake_ms = 5000;
static struct ws_wslay_stats stats;
static struct conn_list handshakes, lingering, with_ctx, without_ctx;
static uint32_t last_sweep_ms;
/* The clock as of the last tick: what the hot path stamps, without reading
 * the clock per message (at most a tick and a loop pass behind). */
static uint32_t tick_ms;
static unsigned freed_untrimmed;

/* Bytes handed to wslay's recv callback during one wslay_event_recv();
 * valid only for that call. */
static const uint8_t *in_p;
static size_t in_n;
static int send_errno;
/* Shared read buffer for io->recv (pull mode). */
static uint8_t rbuf[64 << 10];

static uint32_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* Deadlines wrap every 49 days; compare by difference. */
static bool reached(uint32_t deadline, uint32_t now)
{
    return (int32_t)(deadline - now) <= 0;
}

static void list_append(struct conn_list *l, struct ws_wslay_conn *c)
{
    c->next = NULL;
    c->prev = l->tail;
    if (l->tail)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
}

static void list_remove(struct conn_list *l, struct ws_wslay_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->tail = c->prev;
    c->prev = c->next = NULL;
}

/* Every live connection is on one list, which follows from its state (and,
 * when open, from whether it holds a wslay context): so the deadline queues
 * stay sorted, the sweep sees only contexts, and ws_wslay_close_all() finds
 * them all. Change either only between unlist() and enlist(). */
static struct conn_list *list_of(const struct ws_wslay_conn *c)
{
    switch (c->state) {
    case ST_HANDSHAKE:
        return &handshakes;
    case ST_OPEN:
        return c->ctx ? &with_ctx : &without_ctx;
    case ST_LINGER:
        return &lingering;
    default:
        return NULL;
    }
}

static void unlist(struct ws_wslay_conn *c)
{
    struct conn_list *l = list_of(c);
    if (l)
        list_remove(l, c);
}

static void enlist(struct ws_wslay_conn *c)
{
    struct conn_list *l = list_of(c);
    if (l)
        list_append(l, c);
}

static void set_state(struct ws_wslay_conn *c, enum conn_state state)
{
    unlist(c);
    c->state = state;
    enlist(c);
}

static void free_ctx(struct ws_wslay_conn *c)
{
    unlist(c);
    wslay_event_context_free(c->ctx);
    c->ctx = NULL;
    c->flags = 0;
    enlist(c);
}

/* ---- wslay callbacks ---- */

/* Whether a frame header is one to refuse before wslay sees it: one that
 * ws_wslay_fix_header() refuses, or one that takes the message over
 * --max-message (wslay checks the size only once payload bytes arrive; we
 * fail fast, on the header). */
static int refuse_header(struct ws_wslay_conn *c, const struct ws_frame_header *h)
{
    if (ws_wslay_fix_header(h))
        return F_FAIL_PROTO;
    if (h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY)
        c->msg_len = h->payload_len;
    else if (h->opcode == WS_OP_CONT)
        c->msg_len += h->payload_len; /* under 2^63 + 16 MiB: no overflow */
    else
        return 0;
    return c->msg_len > max_message ? F_FAIL_BIG : 0;
}

/* Hands wslay the pending input, but each frame header only once it is
 * whole and acceptable: it is held in c->hdr meanwhile. Tracking frames
 * here also tells when wslay holds nothing of a frame (see idle()). */
static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
                       int flags, void *user_data)
{
    struct ws_wslay_conn *c = user_data;
    (void)flags;
    size_t out = 0;
    while (out < len) {
        if (c->flags & F_HDR_READY) {
            if (c->hdr_fed == 0 && (c->hdr[0] & 0x0F) == WS_OP_CLOSE) {
                /* wslay queues its close reply ahead of data still queued
                 * and then drops that data: a close in the same read as
                 * messages would cost their echoes. Let wslay process what
                 * precedes the close, then hold it until the echoes are out. */
                if (out > 0)
                    break;
                if (wslay_event_want_write(ctx) &&
                    (c->request = malloc(c->hdr_len + c->payload_left))) {
                    memcpy(c->request, c->hdr, c->hdr_len);
                    c->request_len = c->hdr_len;
                    c->hdr_len = 0;
                    c->flags = (uint8_t)((c->flags | F_CLOSE_HELD) & ~F_HDR_READY);
                    continue;
                }
            }
            size_t n = c->hdr_len - c->hdr_fed;
            n = n < len - out ? n : len - out;
            memcpy(buf + out, c->hdr + c->hdr_fed, n);
            c->hdr_fed = (uint8_t)(c->hdr_fed + n);
            out += n;
            if (c->hdr_fed == c->hdr_len) {
                c->hdr_len = c->hdr_fed = 0;
                c->flags &= (uint8_t)~F_HDR_READY;
            }
        } else if (c->flags & F_CLOSE_HELD) {
            /* Complete the held close frame; drop what follows it. */
            size_t n = in_n < c->payload_left ? in_n : (size_t)c->payload_left;
            memcpy(c->request + c->request_len, in_p, n);
            c->request_len += (uint32_t)n;
            c->payload_left -= n;
            in_p += in_n;
            in_n = 0;
            break;
        } else if (c->payload_left) {
            size_t n = len - out < in_n ? len - out : in_n;
            n = n < c->payload_left ? n : (size_t)c->payload_left;
            if (n == 0)
                break;
            memcpy(buf + out, in_p, n);
            in_p += n;
            in_n -= n;
            c->payload_left -= n;
            out += n;
        } else {
            if (in_n == 0 || (c->flags & (F_FAIL_PROTO | F_FAIL_BIG)))
                break;
            c->hdr[c->hdr_len++] = *in_p++;
            in_n--;
            struct ws_frame_header h;
            int r = ws_frame_parse_header(c->hdr, c->hdr_len, &h);
            if (r == 0)
                continue;
            int refuse = r < 0 ? F_FAIL_PROTO : refuse_header(c, &h);
            if (refuse) {
                c->flags |= (uint8_t)refuse;
                c->hdr_len = 0;
                break;
            }
            c->payload_left = h.payload_len;
            c->flags |= F_HDR_READY;
        }
    }
    if (out == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    return (ssize_t)out;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data,
                       size_t len, int flags, void *user_data)
{
    struct ws_wslay_conn *c = user_data;
    ssize_t n;
    do
        n = io->send(c->user, data, len, flags & WSLAY_MSG_MORE);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        return n;
    if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    } else {
        send_errno = errno;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    }
    return -1;
}

/* Fails the connection with a close frame carrying code; wslay sends it
 * and ignores its own later attempts to queue a close. */
static void fail(wslay_event_context_ptr ctx, uint16_t code)
{
    wslay_event_queue_close(ctx, code, NULL, 0);
    wslay_event_shutdown_read(ctx);
}

static void on_frame_start(wslay_event_context_ptr ctx,
                           const struct wslay_event_on_frame_recv_start_arg *arg,
                           void *user_data)
{
    struct ws_wslay_conn *c = user_data;
    (void)ctx;
    c->flags = (uint8_t)((c->flags | F_IN_FRAME) & ~F_CLOSE_FRAME);
    switch (arg->opcode) {
    case WSLAY_CONTINUATION_FRAME:
    case WSLAY_TEXT_FRAME:
    case WSLAY_BINARY_FRAME:
        if (arg->fin)
            c->flags &= (uint8_t)~F_IN_MESSAGE;
        else
            c->flags |= F_IN_MESSAGE;
        break;
    case WSLAY_CONNECTION_CLOSE:
        c->flags |= F_CLOSE_FRAME;
        c->close_got = 0;
        c->close_utf8 = WS_UTF8_ACCEPT;
        break;
    default:
        break;
    }
}

/* A close frame's code and whether its reason is UTF-8, for on_frame_end. */
static void on_frame_chunk(wslay_event_context_ptr ctx,
                           const struct wslay_event_on_frame_recv_chunk_arg *arg,
                           void *user_data)
{
    struct ws_wslay_conn *c = user_data;
    (void)ctx;
    if (!(c->flags & F_CLOSE_FRAME))
        return;
    size_t i = 0;
    for (; i < arg->data_length && c->close_got < 2; i++)
        c->close_code[c->close_got++] = arg->data[i];
    ws_utf8_feed(&c->close_utf8, arg->data + i, arg->data_length - i);
}

static void on_frame_end(wslay_event_context_ptr ctx, void *user_data)
{
    struct ws_wslay_conn *c = user_data;
    c->flags &= (uint8_t)~F_IN_FRAME;
    if (!(c->flags & F_CLOSE_FRAME) || c->close_got < 2)
        return;
    unsigned code = (unsigned)c->close_code[0] << 8 | c->close_code[1];
    unsigned reply = ws_wslay_fix_close(code, c->close_utf8 == WS_UTF8_ACCEPT);
    /* Queued before wslay processes the close, so wslay's own reply to it
     * is the one ignored. */
    if (reply == WS_CLOSE_INVALID_DATA)
        fail(ctx, (uint16_t)reply);
    else if (reply)
        wslay_event_queue_close(ctx, (uint16_t)reply, NULL, 0);
}

static void on_msg(wslay_event_context_ptr ctx,
                   const struct wslay_event_on_msg_recv_arg *arg, void *user_data)
{
    (void)user_data;
    if (arg->opcode != WSLAY_TEXT_FRAME && arg->opcode != WSLAY_BINARY_FRAME)
        return; /* wslay answers pings and closes itself, and drops pongs */
    stats.messages++;
    struct wslay_event_msg echo = {arg->opcode, arg->msg, arg->msg_length};
    int r = wslay_event_queue_msg(ctx, &echo);
    if (r == WSLAY_ERR_NOMEM) {
        stats.nomem++;
        fail(ctx, WS_CLOSE_INTERNAL);
    }
}

static const struct wslay_event_callbacks callbacks = {
    .recv_callback = on_recv,
    .send_callback = on_send,
    .on_frame_recv_start_callback = on_frame_start,
    .on_frame_recv_chunk_callback = on_frame_chunk,
    .on_frame_recv_end_callback = on_frame_end,
    .on_msg_recv_callback = on_msg,
};

/* ---- connection steps ---- */

static int linger(struct ws_wslay_conn *c)
{
    if (c->ctx)
        free_ctx(c);
    free(c->request); /* a close frame still held */
    c->request = NULL;
    c->deadline_ms = now_ms() + LINGER_MS;
    set_state(c, ST_LINGER);
    io->shutdown(c->user);
    return WS_WSLAY_OK;
}

/* wslay has nothing more to read or write: count how it ended. */
static int finished(struct ws_wslay_conn *c)
{
    uint16_t sent = wslay_event_get_status_code_sent(c->ctx);
    if (wslay_event_get_close_received(c->ctx) &&
        sent == wslay_event_get_status_code_received(c->ctx))
        stats.closed_clean++;
    else if (sent == WS_CLOSE_PROTOCOL)
        stats.closed_1002++;
    else if (sent == WS_CLOSE_INVALID_DATA)
        stats.closed_1007++;
    else if (sent == WS_CLOSE_TOO_BIG)
        stats.closed_1009++;
    else
        stats.closed_other++;
    return linger(c);
}

static int write_failed(void)
{
    if (send_errno == ECONNRESET || send_errno == EPIPE)
        stats.resets++;
    return WS_WSLAY_CLOSE;
}

static int flush(struct ws_wslay_conn *c);

/* Feeds buf to wslay, which consumes all of it unless reading stops. */
static int feed(struct ws_wslay_conn *c, const uint8_t *buf, size_t len)
{
    in_p = buf;
    in_n = len;
    int r = wslay_event_recv(c->ctx);
    in_n = 0; /* wslay stops early once reading is shut down: drop the rest */
    if (r != 0) {
        /* NOMEM, or a frame-layer error on_recv should have refused. */
        if (r == WSLAY_ERR_NOMEM)
            stats.nomem++;
        else
            stats.closed_other++;
        return WS_WSLAY_CLOSE;
    }
    return flush(c); /* and fails the connection once its echoes are out */
}

static int flush(struct ws_wslay_conn *c)
{
    if (!c->ctx)
        return WS_WSLAY_OK;
    c->deadline_ms = tick_ms + IDLE_MS; /* open: when the context may go */
    if (wslay_event_send(c->ctx) != 0)
        return write_failed();
    if ((c->flags & (F_FAIL_PROTO | F_FAIL_BIG)) && wslay_event_get_read_enabled(c->ctx) &&
        !wslay_event_want_write(c->ctx)) {
        /* A refused header fails the connection, but only now: wslay puts
         * its close ahead of echoes still queued and drops them, so the
         * messages before the bad frame get their echoes first (RFC 6455
         * 7.1.7 fails the connection, it does not undo what came before). */
        fail(c->ctx, c->flags & F_FAIL_BIG ? WS_CLOSE_TOO_BIG : WS_CLOSE_PROTOCOL);
        if (wslay_event_send(c->ctx) != 0)
            return write_failed();
    }
    if ((c->flags & F_CLOSE_HELD) && c->payload_left == 0 &&
        !wslay_event_want_write(c->ctx)) {
        /* The echoes before it are out: now wslay may see the close. */
        uint8_t *held = (uint8_t *)c->request;
        size_t n = c->request_len;
        c->request = NULL;
        c->request_len = 0;
        c->flags &= (uint8_t)~F_CLOSE_HELD;
        int r = feed(c, held, n);
        free(held);
        return r;
    }
    if (!wslay_event_want_read(c->ctx) && !wslay_event_want_write(c->ctx))
        return finished(c);
    return WS_WSLAY_OK;
}

static int frames(struct ws_wslay_conn *c, const uint8_t *buf, size_t len)
{
    if (!c->ctx) {
        /* wslay may leave its argument pointing at freed memory on failure */
        wslay_event_context_ptr ctx;
        if (wslay_event_context_server_init(&ctx, &callbacks, c) != 0) {
            stats.nomem++;
            return WS_WSLAY_CLOSE;
        }
        wslay_event_config_set_max_recv_msg_length(ctx, max_message);
        unlist(c);
        c->ctx = ctx;
        enlist(c);
    }
    return feed(c, buf, len);
}

static int handshake(struct ws_wslay_conn *c, const uint8_t *buf, size_t len)
{
    const char *req = (const char *)buf;
    size_t req_len = len;
    size_t old = c->request_len;
    if (c->request) {
        /* Keep at most one byte past the cap: enough for the 431 verdict. */
        size_t add = old + len > max_header + 1 ? max_header + 1 - old : len;
        char *p = realloc(c->request, old + add);
        if (!p) {
            stats.nomem++;
            return WS_WSLAY_CLOSE;
        }
        memcpy(p + old, buf, add);
        c->request = p;
        c->request_len = (uint32_t)(old + add);
        req = p;
        req_len = old + add;
    }
    struct ws_upgrade u;
    int status = ws_upgrade_parse(req, req_len, max_header, &u);
    if (status == WS_UPGRADE_INCOMPLETE) {
        if (!c->request) {
            c->request = malloc(len);
            if (!c->request) {
                stats.nomem++;
                return WS_WSLAY_CLOSE;
            }
            memcpy(c->request, buf, len);
            c->request_len = (uint32_t)len;
        }
        return WS_WSLAY_OK;
    }
    free(c->request);
    c->request = NULL;
    c->request_len = 0;

    char resp[256];
    size_t resp_len = ws_upgrade_response(&u, resp, sizeof resp);
    ssize_t w;
    do
        w = io->send(c->user, (const uint8_t *)resp, resp_len, false);
    while (w < 0 && errno == EINTR);
    /* A new socket's send buffer always takes 256 bytes; not taking them
     * means the peer is gone. */
    if (w != (ssize_t)resp_len) {
        set_state(c, ST_DONE);
        stats.resets++;
        return WS_WSLAY_CLOSE;
    }
    if (status != WS_UPGRADE_OK) {
        stats.refused++;
        return linger(c);
    }
    stats.upgraded++;
    set_state(c, ST_OPEN);
    /* Bytes after the request are the first frames. */
    size_t used = u.request_len - old;
    if (used < len)
        return frames(c, buf + used, len - used);
    return WS_WSLAY_OK;
}

static int step(struct ws_wslay_conn *c, const uint8_t *buf, size_t len)
{
    switch (c->state) {
    case ST_HANDSHAKE:
        return handshake(c, buf, len);
    case ST_OPEN:
        return frames(c, buf, len);
    case ST_LINGER:
        return WS_WSLAY_OK; /* draining until the peer's FIN */
    default:
        return WS_WSLAY_CLOSE;
    }
}

static int eof(struct ws_wslay_conn *c)
{
    if (c->state == ST_OPEN)
        stats.eof_abrupt++;
    return WS_WSLAY_CLOSE;
}

/* ---- public ---- */

void ws_wslay_setup(const struct ws_wslay_io *funcs, const struct ws_args *a)
{
    io = funcs;
    max_message = a->max_message;
    max_header = a->max_header;
    handshake_ms = (uint32_t)a->handshake_timeout_ms;
    last_sweep_ms = tick_ms = now_ms();
}

void ws_wslay_open(struct ws_wslay_conn *c, void *user)
{
    memset(c, 0, sizeof *c);
    c->user = user;
    c->state = ST_HANDSHAKE;
    c->deadline_ms = now_ms() + handshake_ms;
    enlist(c);
    stats.opened++;
}

void ws_wslay_open_upgraded(struct ws_wslay_conn *c, void *user)
{
    memset(c, 0, sizeof *c);
    c->user = user;
    c->state = ST_OPEN;
    enlist(c);
    stats.opened++;
    stats.upgraded++;
}

int ws_wslay_input(struct ws_wslay_conn *c, const uint8_t *buf, size_t len)
{
    if (buf || !io->recv)
        return buf && len ? step(c, buf, len) : eof(c);
    for (int i = 0; i < READ_BUDGET && ws_wslay_want_read(c); i++) {
        ssize_t n = io->recv(c->user, rbuf, sizeof rbuf);
        if (n > 0) {
            int r = step(c, rbuf, (size_t)n);
            if (r != WS_WSLAY_OK)
                return r;
            if ((size_t)n < sizeof rbuf)
                break; /* most likely drained: spare the EAGAIN read */
        } else if (n == 0) {
            return eof(c);
        } else if (errno == EINTR) {
            i--;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else {
            if (errno == ECONNRESET)
                stats.resets++;
            return WS_WSLAY_CLOSE;
        }
    }
    return WS_WSLAY_OK;
}

int ws_wslay_output(struct ws_wslay_conn *c)
{
    return c->state == ST_OPEN ? flush(c) : WS_WSLAY_OK;
}

bool ws_wslay_want_read(const struct ws_wslay_conn *c)
{
    switch (c->state) {
    case ST_HANDSHAKE:
    case ST_LINGER:
        return true;
    case ST_OPEN:
        return !c->ctx || (wslay_event_want_read(c->ctx) &&
                           wslay_event_get_queued_msg_length(c->ctx) < OUT_BOUND);
    default:
        return false;
    }
}

bool ws_wslay_want_write(const struct ws_wslay_conn *c)
{
    return c->state == ST_OPEN && c->ctx && wslay_event_want_write(c->ctx);
}

void ws_wslay_failed(struct ws_wslay_conn *c, int err)
{
    if (err == ECONNRESET || err == EPIPE)
        stats.resets++;
    else if (c->state == ST_OPEN)
        stats.eof_abrupt++;
}

void ws_wslay_release(struct ws_wslay_conn *c)
{
    unlist(c);
    if (c->ctx) {
        wslay_event_context_free(c->ctx);
        c->ctx = NULL;
    }
    free(c->request);
    c->request = NULL;
    c->state = ST_DONE;
}

/* Idle: between messages and frames, every byte fed part of a whole frame
 * (wslay has processed them: it reads only when it needs more), nothing
 * queued, no close under way. A fresh context then behaves
 * exactly like this one would. */
static bool idle(const struct ws_wslay_conn *c)
{
    return !(c->flags & (F_IN_MESSAGE | F_IN_FRAME | F_CLOSE_HELD)) && c->payload_left == 0 &&
           c->hdr_len == 0 &&
           wslay_event_want_read(c->ctx) && !wslay_event_want_write(c->ctx) &&
           wslay_event_get_queued_msg_count(c->ctx) == 0 &&
           !wslay_event_get_close_received(c->ctx) &&
           !wslay_event_get_close_sent(c->ctx);
}

/* Takes c off its list for good and hands it to the framework to close. */
static void drop(struct ws_wslay_conn *c, void (*close)(void *user))
{
    set_state(c, ST_DONE);
    close(c->user);
}

static void expire_list(struct conn_list *l, uint32_t now, uint64_t *counter,
                        void (*expire)(void *user))
{
    struct ws_wslay_conn *c;
    while ((c = l->head) && reached(c->deadline_ms, now)) {
        (*counter)++;
        drop(c, expire);
    }
}

void ws_wslay_tick(void (*expire)(void *user))
{
    uint32_t now = tick_ms = now_ms();
    /* Both queues are in deadline order: every entry got the same delay. */
    expire_list(&handshakes, now, &stats.handshake_timeouts, expire);
    expire_list(&lingering, now, &stats.linger_timeouts, expire);
    if (!reached(last_sweep_ms + SWEEP_MS, now))
        return;
    last_sweep_ms = now;
    struct ws_wslay_conn *next;
    for (struct ws_wslay_conn *c = with_ctx.head; c; c = next) {
        next = c->next;
        if (reached(c->deadline_ms, now) && idle(c)) {
            free_ctx(c);
            freed_untrimmed++;
        }
    }
    /* Freed contexts sit between live blocks, where free() cannot give
     * them back; malloc_trim() returns their pages to the kernel. Only
     * once many have been freed: it walks the whole heap. */
    if (freed_untrimmed >= TRIM_AFTER) {
        malloc_trim(0);
        freed_untrimmed = 0;
    }
}

void ws_wslay_close_all(void (*close)(void *user))
{
    struct conn_list *lists[] = {&handshakes, &without_ctx, &with_ctx, &lingering};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        while (lists[i]->head)
            drop(lists[i]->head, close);
}

const struct ws_wslay_stats *ws_wslay_stats(void)
{
    return &stats;
}

void ws_wslay_log_stats(void)
{
    const struct ws_wslay_stats *s = &stats;
    ws_log("connections %llu (upgraded %llu, refused %llu, handshake timeouts %llu); "
           "messages %llu; closed clean %llu, 1002 %llu, 1007 %llu, 1009 %llu, "
           "other %llu; eof without close %llu, resets %llu, linger timeouts %llu, "
           "out of memory %llu",
           (unsigned long long)s->opened, (unsigned long long)s->upgraded,
           (unsigned long long)s->refused, (unsigned long long)s->handshake_timeouts,
           (unsigned long long)s->messages, (unsigned long long)s->closed_clean,
           (unsigned long long)s->closed_1002, (unsigned long long)s->closed_1007,
           (unsigned long long)s->closed_1009, (unsigned long long)s->closed_other,
           (unsigned long long)s->eof_abrupt, (unsigned long long)s->resets,
           (unsigned long long)s->linger_timeouts, (unsigned long long)s->nomem);
}
