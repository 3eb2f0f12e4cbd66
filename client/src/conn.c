/* One connection's life, as callbacks named after the event that drives
 * them. Every error a connection meets ends that connection with a named
 * exit reason; none ends the worker. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"
#include "prng.h"
#include "worker.h"
#include "wsc_accept.h"
#include "wsc_close.h"

uint64_t worker_now(const struct worker *w)
{
    return clock_mono_us() - w->t0;
}

static uint32_t slot_of(const struct worker *w, const struct conn *c)
{
    return (uint32_t)(c - w->conns);
}

/* --saturate: the time each in-flight message went out, its schedule. */
static uint64_t *sat_sched(struct worker *w, const struct conn *c, uint32_t seq)
{
    return &w->sat_sched[(uint64_t)slot_of(w, c) * w->o->saturate + seq % w->o->saturate];
}

/* When message seq was due: open + seq * interval, or with --saturate when
 * it went out. Derived, so a partly written frame needs no copy of it. */
static uint64_t sched_of(struct worker *w, const struct conn *c, uint32_t seq)
{
    if (w->o->saturate)
        return *sat_sched(w, c, seq);
    return c->open_us + (uint64_t)seq * w->interval_us;
}

static void new_mask(struct worker *w, struct conn *c)
{
    uint32_t m = (uint32_t)prng_next(&w->prng);
    memcpy(c->mask, &m, 4);
}

void conn_exit(struct worker *w, struct conn *c, const char *reason)
{
    if (c->state == CONN_DONE)
        return;
    bool opened = c->state == CONN_OPEN || c->state == CONN_CLOSING;
    recorder_add(&w->rec, EVENT_EXIT, c->client, worker_now(w), 0, 0, opened,
                 reason);
    if (c->fd >= 0) {
        close(c->fd);   /* also leaves the epoll set */
        c->fd = -1;
        w->live--;
    }
    schedule_cancel(&w->sched, slot_of(w, c));
    if (opened)
        w->in_flight -= c->next_seq - c->recv_seq;
    c->state = CONN_DONE;
}

static void exit_errno(struct worker *w, struct conn *c, int err)
{
    char reason[EVENT_TEXT_MAX];
    net_errno_reason(err, reason, sizeof reason);
    conn_exit(w, c, reason);
}

/* Writes the frame in progress, rebuilt into the scratch buffer: frames are
 * a function of the connection's fields, so a partial write needs no
 * per-connection output buffer. */
static size_t build_out(struct worker *w, struct conn *c)
{
    const struct run_opts *o = w->o;
    static const uint8_t code[2] = {WSC_CLOSE_NORMAL >> 8, WSC_CLOSE_NORMAL & 0xff};

    switch (c->out) {
    case OUT_REQUEST:
        return handshake_build_request((char *)w->scratch, w->scratch_len,
                                       o->host, o->port, o->path, c->key);
    case OUT_MESSAGE: {
        uint32_t seq = c->next_seq - 1;
        struct message_head h = {c->client, seq, sched_of(w, c, seq), c->out_sent_us};
        return message_build_frame(w->scratch, &h, o->size, c->mask);
    }
    case OUT_PONG:
        return message_build_control(w->scratch, WSC_OP_PONG, c->rx.ctrl,
                                     c->rx.ctrl_len, c->mask);
    case OUT_CLOSE:
        return message_build_control(w->scratch, WSC_OP_CLOSE, code, 2, c->mask);
    default:
        return 0;
    }
}

/* Picks the next frame to write, if any is due. */
static bool next_out(struct worker *w, struct conn *c)
{
    const struct run_opts *o = w->o;

    if (c->pong_pending && c->state == CONN_OPEN) {
        c->pong_pending = false;
        c->out = OUT_PONG;
        new_mask(w, c);
        return true;
    }
    if (c->state != CONN_OPEN || w->phase != PHASE_RUN)
        return false;
    uint64_t now = worker_now(w), sched;
    if (o->saturate) {
        if (c->next_seq - c->recv_seq >= o->saturate)
            return false;
        sched = now;
        *sat_sched(w, c, c->next_seq) = sched;
    } else {
        sched = sched_of(w, c, c->next_seq);
        if (sched > now)
            return false;
    }
    c->out = OUT_MESSAGE;
    c->out_sent_us = now;
    new_mask(w, c);
    recorder_add(&w->rec, EVENT_MESSAGE_SEND, c->client, now, c->next_seq,
                 (int64_t)(now - sched), 0, NULL);
    c->next_seq++;
    w->in_flight++;
    return true;
}

static void conn_flush(struct worker *w, struct conn *c)
{
    for (;;) {
        if (c->out == OUT_NONE && !next_out(w, c))
            break;
        size_t len = build_out(w, c);
        if (len <= c->out_off) {   /* cannot happen: frames fit the scratch */
            conn_exit(w, c, "error:frame_build");
            return;
        }
        ssize_t n = send(c->fd, w->scratch + c->out_off, len - c->out_off,
                         MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            exit_errno(w, c, errno);
            return;
        }
        c->out_off += (uint32_t)n;
        if (c->out_off == len) {
            c->out = OUT_NONE;
            c->out_off = 0;
        }
    }
    /* Interval mode: the timer wakes the connection for its next send,
     * unless a blocked write will (EPOLLOUT) first. */
    if (c->state == CONN_OPEN && !w->o->saturate && w->phase == PHASE_RUN) {
        if (c->out == OUT_NONE)
            schedule_set(&w->sched, slot_of(w, c), sched_of(w, c, c->next_seq));
        else
            schedule_cancel(&w->sched, slot_of(w, c));
    }
}

static void conn_start(struct worker *w, struct conn *c)
{
    const struct run_opts *o = w->o;
    uint64_t now = worker_now(w);
    uint64_t due = (uint64_t)c->client * o->arrival_us;
    const struct in_addr *src = o->n_bind ? &o->bind[c->client % o->n_bind] : NULL;

    c->start_us = now;
    recorder_add(&w->rec, EVENT_WS_INIT, c->client, now, 0,
                 (int64_t)(now - due), 0, NULL);
    c->state = CONN_CONNECTING;
    c->fd = net_connect_start(&o->dest, src, o->port_lo, o->port_hi);
    if (c->fd < 0) {
        exit_errno(w, c, errno);
        return;
    }
    w->live++;
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
        .data.u32 = slot_of(w, c),
    };
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
        exit_errno(w, c, errno);
        return;
    }
    schedule_set(&w->sched, slot_of(w, c), now + o->connect_timeout_ms * 1000);
}

static void socket_connected(struct worker *w, struct conn *c)
{
    int err = net_socket_error(c->fd);
    if (err) {
        exit_errno(w, c, err);
        return;
    }
    /* A client whose source port equals the server's port on the same
     * address connects to itself when nothing listens (TCP simultaneous
     * open); it would then echo its own messages. */
    if (net_self_connected(c->fd)) {
        conn_exit(w, c, "self_connect");
        return;
    }
    c->state = CONN_HANDSHAKE;
    schedule_set(&w->sched, slot_of(w, c),
                 worker_now(w) + w->o->handshake_timeout_ms * 1000);
    char key[HANDSHAKE_KEY_LEN + 1];
    handshake_make_key(&w->prng, key);
    memcpy(c->key, key, HANDSHAKE_KEY_LEN);
    c->out = OUT_REQUEST;
    c->out_off = 0;
    conn_flush(w, c);
}

static void socket_readable(struct worker *w, struct conn *c);

/* The response is peeked, not read, until its blank line has arrived: the
 * connection then reads exactly the header and leaves any frames that came
 * with it in the socket, so no per-connection buffer is needed. */
static void handshake_readable(struct worker *w, struct conn *c)
{
    ssize_t n;
    do
        n = recv(c->fd, w->rbuf, HANDSHAKE_RESPONSE_MAX, MSG_PEEK);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno != EAGAIN)
            exit_errno(w, c, errno);
        return;
    }
    if (n == 0) {
        conn_exit(w, c, "handshake_failed:eof");
        return;
    }
    char accept[WSC_ACCEPT_LEN + 1];
    if (wsc_accept(c->key, HANDSHAKE_KEY_LEN, accept) < 0) {
        conn_exit(w, c, "error:accept_key");
        return;
    }
    struct handshake_result res;
    int r = handshake_parse_response((const char *)w->rbuf, (size_t)n, accept, &res);
    if (r == 0)
        return;
    if (r < 0) {
        conn_exit(w, c, res.reason);
        return;
    }
    if (c->out != OUT_NONE) {
        conn_exit(w, c, "handshake_failed:early_response");
        return;
    }
    do
        n = recv(c->fd, w->rbuf, (size_t)r, 0);
    while (n < 0 && errno == EINTR);
    if (n != r) {
        exit_errno(w, c, n < 0 ? errno : EIO);
        return;
    }
    uint64_t now = worker_now(w);
    recorder_add(&w->rec, EVENT_WS_ONOPEN, c->client, now, 0,
                 (int64_t)(now - c->start_us), 0, NULL);
    schedule_cancel(&w->sched, slot_of(w, c));
    c->state = CONN_OPEN;
    c->open_us = now;
    message_rx_init(&c->rx);
    conn_flush(w, c);
    if (c->state == CONN_OPEN)
        socket_readable(w, c);
}

static void on_echo(struct worker *w, struct conn *c, const struct message_head *h)
{
    uint64_t now = worker_now(w);
    uint64_t sched = sched_of(w, c, h->seq);

    /* The decoder checked client, seq and filler; the times must be the
     * ones this connection wrote. */
    if (c->recv_seq >= c->next_seq || h->sched_us != sched ||
        h->sent_us < sched || h->sent_us > now) {
        conn_exit(w, c, "bad_echo");
        return;
    }
    recorder_add(&w->rec, EVENT_MESSAGE_RECV, c->client, now, h->seq,
                 (int64_t)(now - sched), (int64_t)(now - h->sent_us), NULL);
    c->recv_seq++;
    w->in_flight--;
}

/* The server closed with a close frame: answer it if the socket is free. */
static void server_closed(struct worker *w, struct conn *c, unsigned code)
{
    if (c->state == CONN_OPEN && c->out == OUT_NONE) {
        uint8_t frame[8], payload[2] = {(uint8_t)(code >> 8), (uint8_t)code};
        new_mask(w, c);
        size_t len = message_build_control(frame, WSC_OP_CLOSE, payload,
                                           code == 1005 ? 0 : 2, c->mask);
        (void)send(c->fd, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    conn_exit(w, c, c->state == CONN_CLOSING ? "run_end" : "normal");
}

static void socket_readable(struct worker *w, struct conn *c)
{
    const struct run_opts *o = w->o;

    for (bool drained = false; !drained;) {
        ssize_t n = recv(c->fd, w->rbuf, w->rbuf_len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                exit_errno(w, c, errno);
            break;
        }
        if (n == 0) {
            conn_exit(w, c, c->state == CONN_CLOSING ? "run_end" : "eof");
            return;
        }
        /* A short read emptied the socket; the next arrival is a new edge,
         * so the usual extra recv() that returns EAGAIN can be skipped. */
        drained = (size_t)n < w->rbuf_len;
        size_t off = 0;
        while (off < (size_t)n) {
            struct message_rx_out out;
            off += message_rx_feed(&c->rx, c->client, c->recv_seq, o->size,
                                   w->rbuf + off, (size_t)n - off, &out);
            switch (out.kind) {
            case MESSAGE_RX_NONE:
            case MESSAGE_RX_PONG:
                break;
            case MESSAGE_RX_ECHO:
                on_echo(w, c, &out.head);
                break;
            case MESSAGE_RX_PING:
                c->pong_pending = true;
                break;
            case MESSAGE_RX_CLOSE:
                server_closed(w, c, out.close_code);
                return;
            case MESSAGE_RX_ERROR:
                conn_exit(w, c, out.reason);
                return;
            }
            if (c->state == CONN_DONE)
                return;
        }
    }
    if (c->state != CONN_DONE)
        conn_flush(w, c);
}

void conn_timer_fired(struct worker *w, struct conn *c)
{
    switch (c->state) {
    case CONN_IDLE:
        conn_start(w, c);
        break;
    case CONN_CONNECTING:
        conn_exit(w, c, "connection_timeout");
        break;
    case CONN_HANDSHAKE:
        conn_exit(w, c, "handshake_timeout");
        break;
    case CONN_OPEN:
        conn_flush(w, c);
        break;
    default:
        break;
    }
}

void conn_socket_event(struct worker *w, struct conn *c, uint32_t events)
{
    bool in = events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP);

    switch (c->state) {
    case CONN_CONNECTING:
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            socket_connected(w, c);
        if (c->state == CONN_HANDSHAKE && in)
            handshake_readable(w, c);
        break;
    case CONN_HANDSHAKE:
        if (events & EPOLLOUT)
            conn_flush(w, c);
        if (c->state == CONN_HANDSHAKE && in)
            handshake_readable(w, c);
        break;
    case CONN_OPEN:
    case CONN_CLOSING:
        if (events & EPOLLOUT)
            conn_flush(w, c);
        if ((c->state == CONN_OPEN || c->state == CONN_CLOSING) && in)
            socket_readable(w, c);
        break;
    default:
        break;
    }
}

void conn_stop_sending(struct worker *w, struct conn *c)
{
    switch (c->state) {
    case CONN_IDLE:
        schedule_cancel(&w->sched, slot_of(w, c));
        c->state = CONN_DONE;    /* never started: not a client of this run */
        break;
    case CONN_CONNECTING:
    case CONN_HANDSHAKE:
        conn_exit(w, c, "run_end");
        break;
    case CONN_OPEN:
        schedule_cancel(&w->sched, slot_of(w, c));
        break;
    default:
        break;
    }
}

void conn_start_close(struct worker *w, struct conn *c)
{
    if (c->state != CONN_OPEN)
        return;
    if (c->out != OUT_NONE) {   /* a frame is half written: no room for a close */
        conn_exit(w, c, "run_end");
        return;
    }
    c->state = CONN_CLOSING;
    c->out = OUT_CLOSE;
    c->out_off = 0;
    new_mask(w, c);
    conn_flush(w, c);
}
