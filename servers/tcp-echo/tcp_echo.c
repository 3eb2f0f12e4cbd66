/* tcp-echo: the raw TCP echo server, the kit's floor. Whatever a WebSocket
 * echo server costs above it is the cost of WebSocket (and of its library).
 * It is meant to be the cheapest one-in-flight echo this machine can do in
 * one process: one epoll loop, edge-triggered connections (measured against
 * level-triggered in README.md), one read and one write per message, no
 * per-connection state but a pointer, no allocation on the hot path.
 *
 *   tcp-echo [--host ADDR] [--port P]      (default 0.0.0.0:8000)
 * Stops on SIGTERM/SIGINT, exit status 0, and prints its counters. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ws_listen.h"
#include "ws_signal.h"

#define READ_BUF (128 * 1024)
#define MAX_EVENTS 512
#define MAX_FDS (1u << 24)
#define READ_EVENTS (EPOLLIN | EPOLLRDHUP | EPOLLET)

/* The unsent rest of an echo, while the peer is slow to read: the only
 * allocation, off the hot path (a partial write means the peer's window is
 * full). Reading that connection stops until it is gone, so a connection
 * never holds more than one read's worth. */
struct pending {
    size_t off, len;
    uint8_t data[];
};

struct counters {
    unsigned long long accepted, peer_closed, errors, held;
};

static struct pending **pend;   /* indexed by fd; NULL: nothing unsent */
static size_t npend;
static struct counters count;
static uint8_t buf[READ_BUF];

static int watch(int epfd, int op, int fd, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    return epoll_ctl(epfd, op, fd, &ev);
}

static void drop(int fd, int failed)
{
    if (failed)
        count.errors++;
    else
        count.peer_closed++;
    free(pend[fd]);
    pend[fd] = NULL;
    close(fd);   /* also takes it out of the epoll set */
}

/* write() until done or the socket is full: bytes written, -1 on error. */
static ssize_t write_some(int fd, const uint8_t *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w > 0)
            done += (size_t)w;
        else if (w < 0 && errno == EINTR)
            continue;
        else if (w < 0 && errno == EAGAIN)
            break;
        else
            return -1;
    }
    return (ssize_t)done;
}

/* Keeps what the socket did not take and waits for it to be writable
 * instead of readable. */
static void hold(int epfd, int fd, const uint8_t *rest, size_t len)
{
    struct pending *p = malloc(sizeof *p + len);
    if (!p || watch(epfd, EPOLL_CTL_MOD, fd, EPOLLOUT | EPOLLET) < 0) {
        free(p);
        drop(fd, 1);
        return;
    }
    p->off = 0;
    p->len = len;
    memcpy(p->data, rest, len);
    pend[fd] = p;
    count.held++;
}

static void on_writable(int epfd, int fd)
{
    struct pending *p = pend[fd];
    ssize_t w = write_some(fd, p->data + p->off, p->len - p->off);
    if (w < 0) {
        drop(fd, 1);
        return;
    }
    p->off += (size_t)w;
    if (p->off < p->len)
        return;
    free(p);
    pend[fd] = NULL;
    /* MOD re-checks readiness: input that came meanwhile raises an event. */
    if (watch(epfd, EPOLL_CTL_MOD, fd, READ_EVENTS) < 0)
        drop(fd, 1);
}

/* Edge-triggered: read until the queue is empty. A read shorter than the
 * buffer has emptied it (a stream socket), so the usual final read that
 * returns EAGAIN is saved: one read and one write per message, as with
 * level triggering, without the ready-list re-check level triggering does
 * in every epoll_wait. Unless the peer has closed its side (EPOLLRDHUP):
 * its FIN may have come with the data, raising no edge of its own, so read
 * on to the end of the stream. */
static void on_readable(int epfd, int fd, uint32_t events)
{
    int peer_done = (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return;
        if (r <= 0) {
            drop(fd, r < 0);
            return;
        }
        ssize_t w = write_some(fd, buf, (size_t)r);
        if (w < 0) {
            drop(fd, 1);
            return;
        }
        if (w < r) {
            hold(epfd, fd, buf + w, (size_t)(r - w));
            return;
        }
        if (r < (ssize_t)sizeof buf && !peer_done)
            return;
    }
}

/* The listening socket stays level-triggered: ws_accept() sheds one
 * connection per call when out of descriptors, and the next epoll_wait
 * must come back for the rest. */
static void on_accept(int epfd, int lfd)
{
    int cfd;
    while ((cfd = ws_accept(lfd)) >= 0) {
        if ((size_t)cfd >= npend || watch(epfd, EPOLL_CTL_ADD, cfd, READ_EVENTS) < 0) {
            close(cfd);
            count.errors++;
            continue;
        }
        count.accepted++;
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: tcp-echo [--host ADDR] [--port P]   (default 0.0.0.0:8000)\n");
    return 2;
}

/* Every connection may take a descriptor up to the hard limit. */
static size_t raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    return rl.rlim_cur > MAX_FDS ? MAX_FDS : (size_t)rl.rlim_cur;
}

int main(int argc, char **argv)
{
    const char *host = "0.0.0.0";
    long port = 8000;
    for (int i = 1; i < argc; i += 2) {
        char *end;
        if (i + 1 >= argc)
            return usage();
        if (!strcmp(argv[i], "--host")) {
            host = argv[i + 1];
        } else if (!strcmp(argv[i], "--port")) {
            port = strtol(argv[i + 1], &end, 10);
            if (*end || port <= 0 || port > 65535)
                return usage();
        } else {
            return usage();
        }
    }
    npend = raise_nofile();
    ws_signal_ignore_pipe();
    char err[WS_ERR_LEN];
    if (ws_listen_check_free(host, (int)port, err) < 0) {
        fprintf(stderr, "tcp-echo: %s\n", err);
        return 1;
    }
    int lfd = ws_listen(host, (int)port, err);
    if (lfd < 0) {
        fprintf(stderr, "tcp-echo: %s\n", err);
        return 1;
    }
    int sfd = ws_signal_stopfd(), epfd = epoll_create1(EPOLL_CLOEXEC);
    pend = calloc(npend, sizeof *pend);   /* untouched pages cost nothing */
    if (sfd < 0 || epfd < 0 || !pend || ws_accept_reserve() < 0 ||
        watch(epfd, EPOLL_CTL_ADD, lfd, EPOLLIN) < 0 ||
        watch(epfd, EPOLL_CTL_ADD, sfd, EPOLLIN) < 0) {
        fprintf(stderr, "tcp-echo: cannot start: %s\n", strerror(errno));
        return 1;
    }
    fprintf(stderr, "tcp-echo: listening on %s:%ld\n", host, port);

    struct epoll_event evs[MAX_EVENTS];
    int status = -1;
    while (status < 0) {
        int n = epoll_wait(epfd, evs, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR) {
            perror("tcp-echo: epoll_wait");
            status = 1;
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == sfd)
                status = 0;
            else if (fd == lfd)
                on_accept(epfd, lfd);
            else if (pend[fd])
                on_writable(epfd, fd);
            else
                on_readable(epfd, fd, evs[i].events);
        }
    }
    fprintf(stderr, "tcp-echo: stopping: %llu accepted, %llu closed by the peer, %llu errors, "
            "%llu echoes held for a slow reader\n",
            count.accepted, count.peer_closed, count.errors, count.held);
    /* The sockets close with the process; free what ASan would call a leak. */
    for (size_t fd = 0; fd < npend; fd++)
        free(pend[fd]);
    free(pend);
    return status;
}
