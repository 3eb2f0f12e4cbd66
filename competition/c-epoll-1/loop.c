/* One worker's event loop: listening socket, signalfd, connections.
 *
 * epoll is level-triggered on purpose. Each ready connection gets exactly
 * one read per wake-up, so a fast sender cannot starve the others and no
 * extra read is spent just to see EAGAIN (edge-triggered would need both a
 * read-until-EAGAIN and a ready list for fairness). The interest set only
 * changes when output backs up, which an echo with one message in flight
 * never does: the common path is epoll_wait, read, write, nothing else. */
#include "loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "ws_args.h"
#include "ws_listen.h"
#include "ws_log.h"
#include "ws_signal.h"

#define SLOT_CHUNK 1024          /* slots allocated together, on first use */
#define READ_BUF (128 * 1024)    /* one per loop, shared by all connections */
#define OUT_HIGH (512 * 1024)    /* stop reading from a peer with this much unsent */
#define OUT_KEEP (1024 * 1024)   /* shared output buffer is freed when larger */
#define LINGER_MS 2000           /* wait for the peer's FIN after our close */
#define MAX_EVENTS 256
#define ACCEPT_BATCH 64
#define EMFILE_LOG_MS 10000

enum { F_IN = 1, F_OUT = 2, F_LINGER = 4 };

/* Connections waiting on a deadline, oldest first. Every entry of a list
 * has the same timeout, so appending keeps it sorted: O(1) everything. */
struct timer_list {
    int32_t head, tail;
    int ms;
};

struct loop {
    int epfd, lfd, sigfd;
    struct conn **chunks;        /* slot table indexed by fd */
    size_t nchunks;
    uint8_t *rbuf;
    struct conn_out out;
    struct conn_limits lim;
    struct timer_list hs, linger;
    int64_t now;
    int64_t emfile_logged_at;
    unsigned long emfile_since_log;
    bool stop;
    /* counters, reported when the worker stops */
    unsigned long accepted, open, emfile, accept_errors, timeouts, resets,
        eof, setup_errors, results[CONN_RESULTS];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The slot for fd, its chunk allocated on first use (NULL if that fails). */
static struct conn *slot(struct loop *l, int fd, bool create)
{
    size_t i = (size_t)fd / SLOT_CHUNK;
    if (fd < 0 || i >= l->nchunks)
        return NULL;
    if (!l->chunks[i]) {
        if (!create)
            return NULL;
        l->chunks[i] = calloc(SLOT_CHUNK, sizeof(struct conn));
        if (!l->chunks[i])
            return NULL;
    }
    return &l->chunks[i][(size_t)fd % SLOT_CHUNK];
}

static void timer_add(struct loop *l, struct timer_list *t, int fd, struct conn *c)
{
    c->deadline_ms = l->now + t->ms;
    c->t_next = -1;
    c->t_prev = t->tail;
    if (t->tail >= 0)
        slot(l, t->tail, false)->t_next = fd;
    else
        t->head = fd;
    t->tail = fd;
}

static void timer_del(struct loop *l, struct timer_list *t, struct conn *c)
{
    if (c->t_prev >= 0)
        slot(l, c->t_prev, false)->t_next = c->t_next;
    else
        t->head = c->t_next;
    if (c->t_next >= 0)
        slot(l, c->t_next, false)->t_prev = c->t_prev;
    else
        t->tail = c->t_prev;
    c->t_prev = c->t_next = -1;
}

static void conn_close(struct loop *l, int fd, struct conn *c)
{
    if (c->state == CONN_HANDSHAKE)
        timer_del(l, &l->hs, c);
    else if (c->flags & F_LINGER)
        timer_del(l, &l->linger, c);
    close(fd);
    conn_release(c);
    c->flags = 0;
    l->open--;
}

/* Returns bytes written (0 when the socket is full) or -1 on error. */
static ssize_t write_some(int fd, const uint8_t *p, size_t n)
{
    for (;;) {
        ssize_t w = write(fd, p, n);
        if (w >= 0)
            return w;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* Writes c's queued output; frees the buffer once it is all gone. */
static int flush(int fd, struct conn *c)
{
    ssize_t w = write_some(fd, c->out + c->out_off, conn_unsent(c));
    if (w < 0)
        return -1;
    c->out_off += (size_t)w;
    if (conn_unsent(c) == 0) {
        free(c->out);
        c->out = NULL;
        c->out_off = c->out_len = c->out_cap = 0;
    }
    return 0;
}

/* Brings the epoll interest in line with c's state; starts the lingering
 * close once a closing connection's last bytes are out. Returns -1 if c
 * had to be closed. */
static int settle(struct loop *l, int fd, struct conn *c)
{
    if (c->state == CONN_CLOSING && conn_unsent(c) == 0 && !(c->flags & F_LINGER)) {
        /* Closing with unread input would send a reset that can destroy
         * our close frame in flight; half-close and drain instead. */
        if (shutdown(fd, SHUT_WR) < 0) {
            conn_close(l, fd, c);
            return -1;
        }
        c->flags |= F_LINGER;
        timer_add(l, &l->linger, fd, c);
    }
    int want = (conn_unsent(c) > 0 ? F_OUT : 0) | (conn_unsent(c) <= OUT_HIGH ? F_IN : 0);
    if (want == (c->flags & (F_IN | F_OUT)))
        return 0;
    struct epoll_event ev = {
        .events = (want & F_IN ? EPOLLIN : 0) | (want & F_OUT ? EPOLLOUT : 0),
        .data.fd = fd,
    };
    if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0) {
        l->setup_errors++;
        conn_close(l, fd, c);
        return -1;
    }
    c->flags = (uint8_t)((c->flags & ~(F_IN | F_OUT)) | want);
    return 0;
}

static void on_readable(struct loop *l, int fd, struct conn *c)
{
    ssize_t r;
    do
        r = read(fd, l->rbuf, READ_BUF);
    while (r < 0 && errno == EINTR);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (r <= 0) {
        if (r < 0)
            l->resets++;
        else if (c->state != CONN_CLOSING)
            l->eof++;
        conn_close(l, fd, c);
        return;
    }
    if (c->state == CONN_CLOSING)
        return; /* draining before close */

    bool handshaking = c->state == CONN_HANDSHAKE;
    enum conn_result res = conn_feed(c, l->rbuf, (size_t)r, &l->out, &l->lim);
    if (handshaking && c->state != CONN_HANDSHAKE)
        timer_del(l, &l->hs, c);
    if (res != CONN_OK)
        l->results[res]++;

    int err = 0;
    if (l->out.len > 0) {
        ssize_t w = write_some(fd, l->out.buf, l->out.len);
        if (w < 0) {
            l->out.len = 0;
            err = 1;
        } else if (conn_keep_unsent(c, &l->out, (size_t)w) < 0) {
            l->results[CONN_ERR_NOMEM]++;
            err = 1;
        }
        if (l->out.cap > OUT_KEEP) {
            free(l->out.buf);
            l->out.buf = NULL;
            l->out.cap = 0;
        }
    } else if (conn_unsent(c) > 0 && !(c->flags & F_OUT)) {
        err = flush(fd, c) < 0;
    }
    if (err) {
        l->resets++;
        conn_close(l, fd, c);
        return;
    }
    settle(l, fd, c);
}

static void on_conn_event(struct loop *l, int fd, uint32_t events)
{
    struct conn *c = slot(l, fd, false);
    if (!c || c->state == CONN_FREE)
        return; /* closed earlier in this batch */
    if (events & EPOLLERR) {
        l->resets++;
        conn_close(l, fd, c);
        return;
    }
    if ((events & EPOLLOUT) && conn_unsent(c) > 0) {
        if (flush(fd, c) < 0) {
            l->resets++;
            conn_close(l, fd, c);
            return;
        }
        if (settle(l, fd, c) < 0)
            return;
    }
    /* HUP is reported even while reading is paused; the read sees the EOF */
    if ((events & EPOLLHUP) || ((events & EPOLLIN) && (c->flags & F_IN)))
        on_readable(l, fd, c);
}

static void on_accept(struct loop *l)
{
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int fd = ws_accept(l->lfd);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EMFILE || errno == ENFILE) {
                l->emfile++;
                l->emfile_since_log++;
                if (l->now - l->emfile_logged_at >= EMFILE_LOG_MS) {
                    ws_log("out of file descriptors (%lu open): shed %lu connection(s)",
                           l->open, l->emfile_since_log);
                    l->emfile_logged_at = l->now;
                    l->emfile_since_log = 0;
                }
            } else {
                l->accept_errors++;
            }
            return;
        }
        struct conn *c = slot(l, fd, true);
        if (!c) {
            l->setup_errors++;
            close(fd);
            continue;
        }
        l->accepted++;
        l->open++;
        *c = (struct conn){.state = CONN_HANDSHAKE, .flags = F_IN};
        timer_add(l, &l->hs, fd, c);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            l->setup_errors++;
            conn_close(l, fd, c);
        }
    }
}

static void expire(struct loop *l, struct timer_list *t, unsigned long *count)
{
    while (t->head >= 0) {
        int fd = t->head;
        struct conn *c = slot(l, fd, false);
        if (c->deadline_ms > l->now)
            return;
        if (count)
            (*count)++;
        conn_close(l, fd, c);
    }
}

static int next_timeout(struct loop *l)
{
    int64_t next = -1;
    struct timer_list *lists[] = {&l->hs, &l->linger};
    for (size_t i = 0; i < 2; i++) {
        if (lists[i]->head < 0)
            continue;
        int64_t d = slot(l, lists[i]->head, false)->deadline_ms;
        if (next < 0 || d < next)
            next = d;
    }
    if (next < 0)
        return -1;
    return next <= l->now ? 0 : (int)(next - l->now);
}

static void on_signal(struct loop *l)
{
    struct signalfd_siginfo si;
    ssize_t r;
    do
        r = read(l->sigfd, &si, sizeof si);
    while (r < 0 && errno == EINTR);
    if (r == (ssize_t)sizeof si) {
        ws_log("signal %u: stopping", si.ssi_signo);
        l->stop = true;
    }
}

static int add_fd(int epfd, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void report(const struct loop *l)
{
    ws_log("stopped: accepted %lu, handshake timeouts %lu, resets %lu, eof %lu, "
           "emfile %lu, accept errors %lu, setup errors %lu, closes: %s %lu, %s %lu, "
           "%s %lu, %s %lu, %s %lu, %s %lu",
           l->accepted, l->timeouts, l->resets, l->eof, l->emfile, l->accept_errors,
           l->setup_errors,
           conn_result_name(CONN_CLOSED), l->results[CONN_CLOSED],
           conn_result_name(CONN_ERR_HANDSHAKE), l->results[CONN_ERR_HANDSHAKE],
           conn_result_name(CONN_ERR_PROTOCOL), l->results[CONN_ERR_PROTOCOL],
           conn_result_name(CONN_ERR_UTF8), l->results[CONN_ERR_UTF8],
           conn_result_name(CONN_ERR_TOO_BIG), l->results[CONN_ERR_TOO_BIG],
           conn_result_name(CONN_ERR_NOMEM), l->results[CONN_ERR_NOMEM]);
}

int loop_run(int worker, void *arg)
{
    const struct ws_args *a = arg;
    struct loop l = {
        .epfd = -1, .lfd = -1, .sigfd = -1,
        .lim = {.max_message = a->max_message, .max_header = a->max_header},
        .hs = {-1, -1, a->handshake_timeout_ms},
        .linger = {-1, -1, LINGER_MS},
        .emfile_logged_at = -EMFILE_LOG_MS,
    };
    int status = 1;
    char err[WS_ERR_LEN];
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > (1u << 24))
        rl.rlim_cur = 1u << 24;
    l.nchunks = rl.rlim_cur / SLOT_CHUNK + 1;
    l.chunks = calloc(l.nchunks, sizeof *l.chunks);
    l.rbuf = malloc(READ_BUF);
    if (!l.chunks || !l.rbuf) {
        ws_log("worker %d: out of memory at start", worker);
        goto fail;
    }
    if ((l.sigfd = ws_signal_stopfd()) < 0 || ws_accept_reserve() < 0 ||
        (l.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        ws_log("worker %d: set-up failed: %s", worker, strerror(errno));
        goto fail;
    }
    if ((l.lfd = ws_listen(a->host, a->port, err)) < 0) {
        ws_log("worker %d: cannot listen: %s", worker, err);
        goto fail;
    }
    if (add_fd(l.epfd, l.lfd) < 0 || add_fd(l.epfd, l.sigfd) < 0) {
        ws_log("worker %d: epoll_ctl: %s", worker, strerror(errno));
        goto fail;
    }
    ws_log("worker %d listening on %s:%d", worker, a->host, a->port);

    struct epoll_event evs[MAX_EVENTS];
    l.now = now_ms();
    while (!l.stop) {
        int n = epoll_wait(l.epfd, evs, MAX_EVENTS, next_timeout(&l));
        if (n < 0 && errno != EINTR) {
            ws_log("worker %d: epoll_wait: %s", worker, strerror(errno));
            goto fail;
        }
        l.now = now_ms();
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == l.lfd)
                on_accept(&l);
            else if (fd == l.sigfd)
                on_signal(&l);
            else
                on_conn_event(&l, fd, evs[i].events);
        }
        expire(&l, &l.hs, &l.timeouts);
        expire(&l, &l.linger, NULL);
    }
    status = 0;
    report(&l);
fail:
    /* all closed before any chunk is freed: timer links cross chunks */
    for (size_t i = 0; i < l.nchunks && l.chunks; i++)
        for (int j = 0; l.chunks[i] && j < SLOT_CHUNK; j++)
            if (l.chunks[i][j].state != CONN_FREE)
                conn_close(&l, (int)(i * SLOT_CHUNK) + j, &l.chunks[i][j]);
    for (size_t i = 0; i < l.nchunks && l.chunks; i++)
        free(l.chunks[i]);
    free(l.chunks);
    free(l.rbuf);
    free(l.out.buf);
    if (l.lfd >= 0)
        close(l.lfd);
    if (l.epfd >= 0)
        close(l.epfd);
    if (l.sigfd >= 0)
        close(l.sigfd);
    return status;
}
