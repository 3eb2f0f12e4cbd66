/* c-libevent: libevent 2.1 + wslay. One event base per worker process
 * (c-libevent-1: one; c-libevent-N: one per CPU, same code), an
 * evconnlistener on our SO_REUSEPORT socket, connections in conn.c. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "conn.h"
#include "ws_args.h"
#include "ws_main.h"
#include "ws_listen.h"
#include "ws_log.h"
#include "ws_wslay.h"
#include "ws_wslay_pool.h"

static struct evconnlistener *listener;
static bool listener_paused;
static unsigned long long accept_errors;

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *addr, int len, void *arg)
{
    (void)l, (void)addr, (void)len, (void)arg;
    int one = 1;
    /* Echo replies are small and must not wait for Nagle. */
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        accept_errors++;
    conn_accept(fd);
}

/* One log line per second of trouble, not one per failed accept. */
static void log_accept_error(int err)
{
    static time_t last;
    accept_errors++;
    time_t now = time(NULL);
    if (now != last) {
        last = now;
        ws_log("accept: %s (%llu accept errors so far)", strerror(err), accept_errors);
    }
}

/* libevent calls this when accept() fails for a reason other than "try
 * again"; the listening socket stays readable, so doing nothing would spin. */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
    (void)arg;
    int err = errno;
    log_accept_error(err);
    if (err == EMFILE || err == ENFILE) {
        /* Shed the pending connection through the reserved descriptor: the
         * client sees a close instead of waiting in the backlog. */
        int fd = ws_accept(evconnlistener_get_fd(l));
        if (fd >= 0)
            conn_accept(fd);
        return;
    }
    /* ENOBUFS, ENOMEM...: pause until the next tick. */
    evconnlistener_disable(l);
    listener_paused = true;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    if (listener_paused && evconnlistener_enable(listener) == 0)
        listener_paused = false;
    conn_tick();
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    ws_log("signal %d: stopping", (int)sig);
    event_base_loopbreak(arg);
}

static int run_worker(int worker, void *arg)
{
    const struct ws_args *a = arg;
    char err[WS_ERR_LEN];
    /* libevent's per-descriptor entries (one small block per socket, kept
     * for the life of the base) go where our connections go, out of the
     * way of wslay's contexts. Before any other libevent call. */
    event_set_mem_functions(ws_wslay_pool_malloc, ws_wslay_pool_realloc, ws_wslay_pool_free);
    int fd = ws_listen(a->host, a->port, err);
    if (fd < 0) {
        ws_log("worker %d: %s", worker, err);
        return 1;
    }
    if (ws_accept_reserve() < 0)
        ws_log("cannot reserve a descriptor for EMFILE shedding: %s", strerror(errno));

    struct event_config *cfg = event_config_new();
    if (!cfg) {
        close(fd);
        return 1;
    }
    /* One thread per base: no locks. The changelist folds an event_del and
     * event_add of the same fd in one loop pass into one epoll_ctl. */
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK | EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    struct event *sigterm = NULL, *sigint = NULL, *tick = NULL;
    int rc = 1;
    if (!base) {
        ws_log("event_base_new failed");
        close(fd);
        return 1;
    }
    conn_setup(base, a);
    listener = evconnlistener_new(base, on_accept, NULL,
                                  LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
    if (!listener) {
        ws_log("evconnlistener_new failed");
        close(fd);
        goto fail;
    }
    evconnlistener_set_error_cb(listener, on_accept_error);
    sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    sigint = evsignal_new(base, SIGINT, on_signal, base);
    tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
    struct timeval period = {0, WS_WSLAY_TICK_MS * 1000};
    if (!sigterm || !sigint || !tick || evsignal_add(sigterm, NULL) < 0 ||
        evsignal_add(sigint, NULL) < 0 || event_add(tick, &period) < 0) {
        ws_log("cannot set up signal or timer events");
        goto fail;
    }
    ws_log("worker %d listening on %s:%d (libevent %s, %s; wslay)", worker, a->host,
           a->port, event_get_version(), event_base_get_method(base));
    if (event_base_dispatch(base) < 0)
        ws_log("event_base_dispatch failed");
    else
        rc = 0;
    conn_close_all();
    ws_wslay_log_stats();
fail:
    if (tick)
        event_free(tick);
    if (sigint)
        event_free(sigint);
    if (sigterm)
        event_free(sigterm);
    if (listener)
        evconnlistener_free(listener);
    event_base_free(base);
    return rc;
}

int main(int argc, char **argv)
{
    return ws_main(WS_NAME, WS_DEFAULT_WORKERS, NULL, argc, argv, run_worker);
}
