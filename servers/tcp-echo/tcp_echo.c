/* The raw TCP echo server the bench compares contestants with: the floor
 * any WebSocket echo server sits on. Same shape as c-epoll's loop (one
 * process, level-triggered epoll, one read and one write per readiness)
 * minus the protocol, so the ratio measures the cost of WebSocket itself.
 *
 *   tcp_echo --port P [--host 127.0.0.1]
 * Stops on SIGTERM/SIGINT. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
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
#define MAX_EVENTS 256

/* Unsent echo of a connection whose peer is slow to read; NULL usually. */
struct pending {
    size_t off, len;
    uint8_t data[];
};

static struct pending **pend;   /* indexed by fd */
static size_t npend;

static int set_events(int epfd, int fd, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

static void drop(int fd)
{
    free(pend[fd]);
    pend[fd] = NULL;
    close(fd);
}

static void on_writable(int epfd, int fd)
{
    struct pending *p = pend[fd];
    if (!p)
        return;
    ssize_t w;
    do
        w = write(fd, p->data + p->off, p->len - p->off);
    while (w < 0 && errno == EINTR);
    if (w < 0 && errno != EAGAIN) {
        drop(fd);
        return;
    }
    if (w > 0)
        p->off += (size_t)w;
    if (p->off == p->len) {
        free(p);
        pend[fd] = NULL;
        if (set_events(epfd, fd, EPOLLIN) < 0)
            drop(fd);
    }
}

static void on_readable(int epfd, int fd, uint8_t *buf)
{
    ssize_t r;
    do
        r = read(fd, buf, READ_BUF);
    while (r < 0 && errno == EINTR);
    if (r < 0 && errno == EAGAIN)
        return;
    if (r <= 0) {
        drop(fd);
        return;
    }
    ssize_t w;
    do
        w = write(fd, buf, (size_t)r);
    while (w < 0 && errno == EINTR);
    if (w < 0 && errno != EAGAIN) {
        drop(fd);
        return;
    }
    if (w < 0)
        w = 0;
    if (w == r)
        return;
    /* stop reading until the peer has taken the rest */
    struct pending *p = malloc(sizeof *p + (size_t)(r - w));
    if (!p || set_events(epfd, fd, EPOLLOUT) < 0) {
        free(p);
        drop(fd);
        return;
    }
    p->off = 0;
    p->len = (size_t)(r - w);
    memcpy(p->data, buf + w, p->len);
    pend[fd] = p;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--host"))
            host = argv[i + 1];
        else if (!strcmp(argv[i], "--port"))
            port = atoi(argv[i + 1]);
    }
    if (port <= 0 || port > 65535 || argc % 2 == 0) {
        fprintf(stderr, "usage: tcp_echo --port P [--host ADDR]\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        perror("tcp_echo: getrlimit");
        return 1;
    }
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    npend = rl.rlim_cur > (1u << 24) ? (1u << 24) : rl.rlim_cur;
    ws_signal_ignore_pipe();
    char err[WS_ERR_LEN];
    int sfd = ws_signal_stopfd(), epfd = epoll_create1(EPOLL_CLOEXEC);
    int lfd = ws_listen(host, port, err);
    uint8_t *buf = malloc(READ_BUF);
    pend = calloc(npend, sizeof *pend);
    if (lfd < 0 || sfd < 0 || epfd < 0 || !buf || !pend || ws_accept_reserve() < 0) {
        fprintf(stderr, "tcp_echo: cannot start: %s\n", lfd < 0 ? err : strerror(errno));
        return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    struct epoll_event sev = {.events = EPOLLIN, .data.fd = sfd};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0 ||
        epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &sev) < 0) {
        perror("tcp_echo: epoll_ctl");
        return 1;
    }
    struct epoll_event evs[MAX_EVENTS];
    int status = -1;
    while (status < 0) {
        int n = epoll_wait(epfd, evs, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR) {
            perror("tcp_echo: epoll_wait");
            status = 1;
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == sfd) {
                status = 0;
                break;
            }
            if (fd == lfd) {
                int cfd;
                while ((cfd = ws_accept(lfd)) >= 0) {
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
                    if ((size_t)cfd >= npend || epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &cev) < 0)
                        close(cfd);
                }
                continue;
            }
            if ((size_t)fd >= npend)
                continue;
            if (evs[i].events & EPOLLOUT)
                on_writable(epfd, fd);
            else if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                on_readable(epfd, fd, buf);
        }
    }
    /* connections are closed by exit; free what ASan would call a leak */
    for (size_t fd = 0; fd < npend; fd++)
        free(pend[fd]);
    free(pend);
    free(buf);
    return status;
}
