/* c-h2o-1 / c-h2o-N: a WebSocket echo server on libh2o-evloop 2.2 (h2o's own
 * event loop, sockets and HTTP/1 server, which answers the upgrade) and
 * wslay through the kit's glue (conn.c). One event loop per process; -N
 * runs one process per CPU, each with its own SO_REUSEPORT listener. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "h2o.h"
#include "conn.h"
#include "handshake.h"
#include "ws_args.h"
#include "ws_main.h"
#include "ws_listen.h"
#include "ws_log.h"
#include "ws_signal.h"

#define RCVBUF_CAP (256 * 1024) /* see on_accept */
/* Connections taken per wake-up of the listener, so a flood of connects
 * cannot starve the connections already open. */
#define ACCEPT_BATCH 64

struct worker {
    int listen_fd;
    h2o_evloop_t *loop;
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    bool stopping;
    unsigned long long shed;   /* connections closed unserved: out of fds */
    struct timespec shed_logged;
};

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    struct worker *w = listener->data;
    if (err != NULL) {
        ws_log("listener: %s", err);
        return;
    }
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int fd = ws_accept(w->listen_fd);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                /* ws_accept shed the connection; one line a second at most. */
                w->shed++;
                if (seconds_since(&w->shed_logged) >= 1.0) {
                    ws_log("out of file descriptors: %llu connections shed so far", w->shed);
                    clock_gettime(CLOCK_MONOTONIC, &w->shed_logged);
                }
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                ws_log("accept: %s", strerror(errno));
            }
            return;
        }
        /* h2o reads a socket until the kernel has nothing left, and the glue
         * queues the echo of all of it before we can stop reading. A capped
         * receive buffer bounds what one read can bring in, so a client that
         * sends without reading cannot pile up many MiB of echoes. */
        int rcvbuf = RCVBUF_CAP;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        h2o_socket_t *sock = h2o_evloop_socket_create(w->loop, fd, H2O_SOCKET_FLAG_IS_ACCEPTED_CONNECTION);
        h2o_accept(&w->accept_ctx, sock);
    }
}

static void on_signal(h2o_socket_t *sock, const char *err)
{
    struct worker *w = sock->data;
    struct signalfd_siginfo si;
    ssize_t r;
    while ((r = read(h2o_socket_get_fd(sock), &si, sizeof si)) == -1 && errno == EINTR)
        ;
    if (r == (ssize_t)sizeof si) {
        ws_log("signal %u: shutting down", si.ssi_signo);
        w->stopping = true;
    } else if (err != NULL) {
        ws_log("signal descriptor: %s", err);
        w->stopping = true;
    }
}

static int run_worker(int index, void *arg)
{
    const struct ws_args *a = arg;
    /* Static: connections still in their handshake at shutdown stay
     * reachable from it (see the end of this function). */
    static struct worker w = {.listen_fd = -1};
    char err[WS_ERR_LEN];
    int rc = 1;

    clock_gettime(CLOCK_MONOTONIC, &w.shed_logged);
    w.shed_logged.tv_sec -= 2;
    int stop_fd = ws_signal_stopfd();
    if (stop_fd < 0) {
        ws_log("signalfd: %s", strerror(errno));
        return 1;
    }
    w.listen_fd = ws_listen(a->host, a->port, err);
    if (w.listen_fd < 0) {
        ws_log("%s (is another server on port %d?)", err, a->port);
        close(stop_fd);
        return 1;
    }
    if (ws_accept_reserve() != 0)
        ws_log("no reserve descriptor (%s): EMFILE will not be shed", strerror(errno));

    h2o_config_init(&w.config);
    /* h2o's request timeout bounds how long a connection may take to send
     * its upgrade request (slowloris); after the upgrade it no longer applies. */
    w.config.http1.req_timeout = (uint64_t)a->handshake_timeout_ms;
    w.config.http1.upgrade_to_http2 = 0;
    h2o_hostconf_t *host = h2o_config_register_host(&w.config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    handshake_register(h2o_config_register_path(host, "/", 0), a->max_header);

    w.loop = h2o_evloop_create();
    h2o_context_init(&w.ctx, w.loop, &w.config);
    conn_setup(&w.ctx, a);
    w.accept_ctx.ctx = &w.ctx;
    w.accept_ctx.hosts = w.config.hosts;

    /* h2o does not read these two itself (DONT_READ): it only reports them
     * readable, and we accept and read the signal ourselves. */
    h2o_socket_t *listener = h2o_evloop_socket_create(w.loop, w.listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    listener->data = &w;
    h2o_socket_read_start(listener, on_accept);
    h2o_socket_t *sigsock = h2o_evloop_socket_create(w.loop, stop_fd, H2O_SOCKET_FLAG_DONT_READ);
    sigsock->data = &w;
    h2o_socket_read_start(sigsock, on_signal);

    ws_log("worker %d listening on %s:%d (h2o %s, max message %zu, handshake timeout %d ms)",
           index, a->host, a->port, H2O_VERSION, a->max_message, a->handshake_timeout_ms);
    rc = 0;
    while (!w.stopping) {
        if (h2o_evloop_run(w.loop, INT32_MAX) != 0 && errno != EINTR) {
            ws_log("event loop: %s", strerror(errno));
            rc = 1;
            break;
        }
    }

    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    h2o_socket_close(sigsock);
    conn_close_all();
    handshake_log_stats();
    if (w.shed)
        ws_log("%llu connections shed for want of file descriptors", w.shed);
    /* Let the loop dispose of the sockets just closed. */
    h2o_evloop_run(w.loop, 0);
    /* h2o offers no way to close HTTP/1 connections still waiting for their
     * request, and disposing of the context with their timeouts pending
     * aborts; the process is exiting, so leave them then. */
    if (h2o_linklist_is_empty(&w.ctx.http1._conns)) {
        h2o_context_dispose(&w.ctx);
        h2o_config_dispose(&w.config);
    }
    return rc;
}

int main(int argc, char **argv)
{
    return ws_main(WS_NAME, WS_DEFAULT_WORKERS, NULL, argc, argv, run_worker);
}
