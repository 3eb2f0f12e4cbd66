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

#define NEVER UINT64_MAX

uint64_t worker_now(const struct worker *w)
{
    return clock_mono_us() - w->t0;
}

static uint32_t slot_of(const struct worker *w, const struct conn *c)
{
    return (uint32_t)(c - w->conns);
}

/* Keeps w->connecting, the connections in TCP connect or handshake (what
 * --storm bounds), in step with every state change. */
static void set_state(struct worker *w, struct conn *c, enum conn_state s)
{
    bool was = c->state == CONN_CONNECTING || c->state == CONN_HANDSHAKE;
    bool is = s == CONN_CONNECTING || s == CONN_HANDSHAKE;
    w->connecting = w->connecting + is - was;
    c->state = (uint8_t)s;
}

/* When message seq is due. Derived, never stored: interval mode sends at
 * open + seq * interval; --hold sends message 0 at open and the probe at
 * SECONDS; --rate-steps follows the step schedule. --saturate has no
 * schedule (a message is due when it goes out; its echo says when). */
static uint64_t sched_of(const struct worker *w, const struct conn *c, uint32_t seq)
{
    switch (w->o->mode) {
    case MODE_HOLD:
        return seq == 0 ? c->open_us : seq == 1 ? w->end_us : NEVER;
    case MODE_STEPS:
        return steps_due(&w->o->steps, c->client, seq);
    case MODE_SATURATE:
        return NEVER;
    default:
        return c->open_us + (uint64_t)seq * w->interval_us;
    }
}

/* Messages go out while the run runs, and with --hold the probe after it. */
static bool may_send(const struct worker *w, const struct conn *c)
{
    return c->state == CONN_OPEN &&
           (w->phase == PHASE_RUN || (w->o->mode == MODE_HOLD && w->phase == PHASE_DRAIN));
}

static void new_mask(struct worker *w, uint8_t mask[4])
{
    uint32_t m = (uint32_t)prng_next(&w->prng);
    memcpy(mask, &m, 4);
}

/* The handshake key is a function of the worker's random seed and the
 * client id: rebuilt when needed instead of kept in every connection. */
static void conn_key(const struct worker *w, const struct conn *c,
                     char key[HANDSHAKE_KEY_LEN + 1])
{
    uint64_t s = w->key_seed ^ ((uint64_t)c->client * 0x9E3779B97F4A7C15ULL);
    if (!s)
        s = 1;
    handshake_make_key(&s, key);
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
    set_state(w, c, CONN_DONE);
}

static void exit_errno(struct worker *w, struct conn *c, int err)
{
    char reason[EVENT_TEXT_MAX];
    net_errno_reason(err, reason, sizeof reason);
    conn_exit(w, c, reason);
}

/* One message into out: a masked frame, or with --tcp the bare payload. */
static size_t build_message(const struct worker *w, uint8_t *out, uint32_t client,
                            uint32_t seq, uint64_t sent_us, const uint8_t mask[4])
{
    struct message_head h = {client, seq, sent_us};
    if (w->o->tcp) {
        payload_write(out, &h, w->o->size);
        return w->o->size;
    }
    return message_build_frame(out, &h, w->o->size, mask);
}

size_t conn_frame_len(struct worker *w)
{
    static const uint8_t mask[4];
    return build_message(w, w->scratch, 0, 0, 0, mask);
}

/* Rebuilds the frame in progress into the scratch buffer: frames are a
 * function of the connection's fields, so a partial write needs no
 * per-connection output buffer. */
static size_t build_out(struct worker *w, struct conn *c)
{
    const struct run_opts *o = w->o;
    static const uint8_t code[2] = {WSC_CLOSE_NORMAL >> 8, WSC_CLOSE_NORMAL & 0xff};

    switch (c->out) {
    case OUT_REQUEST: {
        char key[HANDSHAKE_KEY_LEN + 1];
        conn_key(w, c, key);
        return handshake_build_request((char *)w->scratch, w->scratch_len,
                                       o->host, o->port, o->path, key);
    }
    case OUT_MESSAGE:
        return build_message(w, w->scratch, c->client, c->next_seq - 1, c->out_sent_us,
                             c->mask);
    case OUT_PONG:
        return message_build_control(w->scratch, WSC_OP_PONG, c->rx.ws.ctrl,
                                     c->rx.ws.ctrl_len, c->mask);
    case OUT_CLOSE:
        return message_build_control(w->scratch, WSC_OP_CLOSE, code, 2, c->mask);
    default:
        return 0;
    }
}

/* Builds every message that is due (at most batch_max, and with --saturate
 * at most the window's room) back to back into the scratch buffer; returns
 * how many. Nothing is recorded until send() says what went out. */
static unsigned build_batch(struct worker *w, struct conn *c, uint64_t now)
{
    const struct run_opts *o = w->o;
    unsigned max = w->batch_max;

    if (!may_send(w, c))
        return 0;
    if (o->mode == MODE_SATURATE) {
        uint32_t room = o->saturate - (c->next_seq - c->recv_seq);
        if (room < max)
            max = room;
    }
    unsigned k;
    for (k = 0; k < max; k++) {
        uint32_t seq = c->next_seq + k;
        uint64_t sched = o->mode == MODE_SATURATE ? now : sched_of(w, c, seq);
        if (sched > now)
            break;
        w->batch_sched[k] = sched;
        new_mask(w, w->batch_mask[k]);
        build_message(w, w->scratch + k * w->frame_len, c->client, seq, now,
                      w->batch_mask[k]);
    }
    return k;
}

/* n bytes of a batch of messages went out: the whole ones and the one cut
 * short are sent (the rest of that one is rebuilt later from its fields),
 * the others are dropped unrecorded, to be built again. */
static void batch_sent(struct worker *w, struct conn *c, uint64_t now, size_t n)
{
    unsigned whole = (unsigned)(n / w->frame_len);
    uint32_t part = (uint32_t)(n % w->frame_len);
    unsigned sent = whole + (part > 0);

    for (unsigned k = 0; k < sent; k++)
        recorder_add(&w->rec, EVENT_MESSAGE_SEND, c->client, now, c->next_seq + k,
                     (int64_t)(now - w->batch_sched[k]), 0, NULL);
    if (part) {
        c->out = OUT_MESSAGE;
        c->out_off = part;
        c->out_sent_us = now;
        memcpy(c->mask, w->batch_mask[whole], 4);
    }
    c->next_seq += sent;
    w->in_flight += sent;
}

/* The next control frame to write, if one is waiting. */
static bool next_control(struct worker *w, struct conn *c)
{
    if (!c->pong_pending || c->state != CONN_OPEN)
        return false;
    c->pong_pending = false;
    c->out = OUT_PONG;
    c->out_off = 0;
    new_mask(w, c->mask);
    return true;
}

/* Sets the timer that wakes the connection for its next message, unless a
 * blocked write will (EPOLLOUT) first or no message is due before the end. */
static void arm_send_timer(struct worker *w, struct conn *c)
{
    if (w->o->mode == MODE_SATURATE || !may_send(w, c) || w->phase != PHASE_RUN)
        return;
    uint64_t due = sched_of(w, c, c->next_seq);
    if (c->out == OUT_NONE && !c->blocked && due < w->end_us)
        schedule_set(&w->sched, slot_of(w, c), due);
    else
        schedule_cancel(&w->sched, slot_of(w, c));
}

static void conn_flush(struct worker *w, struct conn *c)
{
    for (;;) {
        uint64_t now = 0;
        unsigned batch = 0;
        size_t len;
        if (c->out != OUT_NONE || next_control(w, c)) {
            len = build_out(w, c);
            if (len <= c->out_off) {   /* cannot happen: frames fit the scratch */
                conn_exit(w, c, "error:frame_build");
                return;
            }
        } else {
            now = worker_now(w);
            batch = build_batch(w, c, now);
            if (!batch)
                break;
            len = batch * w->frame_len;
        }
        ssize_t n = send(c->fd, w->scratch + c->out_off, len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                c->blocked = true;
                break;
            }
            exit_errno(w, c, errno);
            return;
        }
        c->blocked = (size_t)n < len - c->out_off;
        if (batch) {
            batch_sent(w, c, now, (size_t)n);
        } else {
            c->out_off += (uint32_t)n;
            if (c->out_off == len) {
                c->out = OUT_NONE;
                c->out_off = 0;
            }
        }
        if (c->blocked)
            break;      /* the socket is full: EPOLLOUT says when it is not */
    }
    arm_send_timer(w, c);
}

void conn_start(struct worker *w, struct conn *c)
{
    const struct run_opts *o = w->o;
    uint64_t now = worker_now(w);
    /* A storm has no schedule to be late against. */
    uint64_t due = o->storm ? now : (uint64_t)c->client * o->arrival_us;
    const struct in_addr *src = o->n_bind ? &o->bind[c->client % o->n_bind] : NULL;

    c->start_us = now;
    recorder_add(&w->rec, EVENT_WS_INIT, c->client, now, 0,
                 (int64_t)(now - due), 0, NULL);
    set_state(w, c, CONN_CONNECTING);
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

static void socket_readable(struct worker *w, struct conn *c);

/* The connection is open (101 received, or with --tcp connected): from
 * here on it sends and checks messages. */
static void conn_opened(struct worker *w, struct conn *c)
{
    uint64_t now = worker_now(w);
    recorder_add(&w->rec, EVENT_WS_ONOPEN, c->client, now, 0,
                 (int64_t)(now - c->start_us), 0, NULL);
    schedule_cancel(&w->sched, slot_of(w, c));
    set_state(w, c, CONN_OPEN);
    c->open_us = now;
    if (w->o->tcp)
        plain_rx_init(&c->rx.tcp);
    else
        message_rx_init(&c->rx.ws);
    /* A connection that opens after the steps began joins at its next
     * slot instead of sending the ones it missed in a burst. */
    if (w->o->mode == MODE_STEPS)
        c->next_seq = c->recv_seq =
            (uint32_t)steps_first_seq_from(&w->o->steps, c->client, now);
    conn_flush(w, c);
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
    if (w->o->tcp) {
        conn_opened(w, c);
        return;
    }
    set_state(w, c, CONN_HANDSHAKE);
    schedule_set(&w->sched, slot_of(w, c),
                 worker_now(w) + w->o->handshake_timeout_ms * 1000);
    c->out = OUT_REQUEST;
    c->out_off = 0;
    conn_flush(w, c);
}

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
    char key[HANDSHAKE_KEY_LEN + 1], accept[WSC_ACCEPT_LEN + 1];
    conn_key(w, c, key);
    if (wsc_accept(key, HANDSHAKE_KEY_LEN, accept) < 0) {
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
    conn_opened(w, c);
    if (c->state == CONN_OPEN)
        socket_readable(w, c);
}

static void on_echo(struct worker *w, struct conn *c, const struct message_head *h)
{
    uint64_t now = worker_now(w);
    /* --saturate: a message is due when it goes out */
    uint64_t sched = w->o->mode == MODE_SATURATE ? h->sent_us : sched_of(w, c, h->seq);

    /* The decoder checked client, seq and filler; the send time must be
     * one this connection could have written. */
    if (c->recv_seq >= c->next_seq || h->sent_us < sched || h->sent_us > now) {
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
        uint8_t frame[8], payload[2] = {(uint8_t)(code >> 8), (uint8_t)code}, mask[4];
        new_mask(w, mask);
        size_t len = message_build_control(frame, WSC_OP_CLOSE, payload,
                                           code == 1005 ? 0 : 2, mask);
        (void)send(c->fd, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    conn_exit(w, c, c->state == CONN_CLOSING ? "run_end" : "normal");
}

/* Feeds what was read to the decoder; false when the connection ended. */
static bool feed(struct worker *w, struct conn *c, const uint8_t *p, size_t n)
{
    const struct run_opts *o = w->o;
    for (size_t off = 0; off < n;) {
        struct message_rx_out out;
        if (o->tcp)
            off += plain_rx_feed(&c->rx.tcp, c->client, c->recv_seq, o->size,
                                 p + off, n - off, &out);
        else
            off += message_rx_feed(&c->rx.ws, c->client, c->recv_seq, o->size,
                                   p + off, n - off, &out);
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
            return false;
        case MESSAGE_RX_ERROR:
            conn_exit(w, c, out.reason);
            return false;
        }
        if (c->state == CONN_DONE)
            return false;
    }
    return true;
}

static void socket_readable(struct worker *w, struct conn *c)
{
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
        if (!feed(w, c, w->rbuf, (size_t)n))
            return;
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
        if (events & EPOLLOUT) {
            c->blocked = false;
            conn_flush(w, c);
        }
        if (c->state == CONN_HANDSHAKE && in)
            handshake_readable(w, c);
        break;
    case CONN_OPEN:
    case CONN_CLOSING:
        if ((events & EPOLLOUT) && (c->blocked || c->out != OUT_NONE)) {
            c->blocked = false;
            conn_flush(w, c);
        }
        if ((c->state == CONN_OPEN || c->state == CONN_CLOSING) && in)
            socket_readable(w, c);
        break;
    default:
        break;
    }
}

/* SECONDS have passed: no new client starts, no new message goes out,
 * except that with --hold every open connection now sends its probe. */
void conn_run_ended(struct worker *w, struct conn *c)
{
    switch (c->state) {
    case CONN_IDLE:
        schedule_cancel(&w->sched, slot_of(w, c));
        set_state(w, c, CONN_DONE);    /* never started: not a client of this run */
        break;
    case CONN_CONNECTING:
    case CONN_HANDSHAKE:
        conn_exit(w, c, "run_end");
        break;
    case CONN_OPEN:
        schedule_cancel(&w->sched, slot_of(w, c));
        if (w->o->mode == MODE_HOLD && w->phase == PHASE_DRAIN)
            conn_flush(w, c);
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
    set_state(w, c, CONN_CLOSING);
    if (w->o->tcp) {
        /* No close frame in plain TCP: end our side, wait for the server's EOF. */
        if (shutdown(c->fd, SHUT_WR) < 0)
            exit_errno(w, c, errno);
        return;
    }
    c->out = OUT_CLOSE;
    c->out_off = 0;
    new_mask(w, c->mask);
    conn_flush(w, c);
}
