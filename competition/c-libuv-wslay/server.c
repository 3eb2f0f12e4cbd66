/* c-libuv-wslay: libuv + wslay. One uv loop, one core (the default is one
 * worker; --workers N forks N loops on SO_REUSEPORT sockets). Our
 * listening socket goes to libuv through uv_tcp_open; connections are in
 * conn.c. libuv handles EMFILE on accept itself: it keeps a spare
 * descriptor and sheds pending connections with it (uv__emfile_trick),
 * then reports UV_EMFILE to on_connection, which only logs. */
#include <time.h>

#include <uv.h>

#include "conn.h"
#include "ws_args.h"
#include "ws_main.h"
#include "ws_listen.h"
#include "ws_log.h"
#include "ws_wslay.h"

static unsigned long long accept_errors;

/* One log line per second of trouble, not one per failed accept. */
static void on_connection(uv_stream_t *server, int status)
{
    if (status == 0) {
        conn_accept(server);
        return;
    }
    static time_t last;
    accept_errors++;
    time_t now = time(NULL);
    if (now != last) {
        last = now;
        ws_log("accept: %s (%llu accept errors so far)", uv_strerror(status), accept_errors);
    }
}

static void on_tick(uv_timer_t *t)
{
    (void)t;
    conn_tick();
}

static void on_signal(uv_signal_t *h, int sig)
{
    ws_log("signal %d: stopping", sig);
    uv_stop(h->loop);
}

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static int run_worker(int worker, void *arg)
{
    const struct ws_args *a = arg;
    char err[WS_ERR_LEN];
    int fd = ws_listen(a->host, a->port, err);
    if (fd < 0) {
        ws_log("worker %d: %s", worker, err);
        return 1;
    }
    uv_loop_t loop;
    uv_tcp_t server;
    uv_timer_t tick;
    uv_signal_t sigterm, sigint;
    int r = uv_loop_init(&loop);
    if (r < 0) {
        ws_log("uv_loop_init: %s", uv_strerror(r));
        return 1;
    }
    conn_setup(&loop, a);
    int rc = 1;
    /* Handles are initialised before anything can fail, so that the
     * cleanup below can close them all. */
    uv_tcp_init(&loop, &server);
    uv_timer_init(&loop, &tick);
    uv_signal_init(&loop, &sigterm);
    uv_signal_init(&loop, &sigint);
    if ((r = uv_tcp_open(&server, fd)) < 0 ||
        (r = uv_listen((uv_stream_t *)&server, SOMAXCONN, on_connection)) < 0 ||
        (r = uv_timer_start(&tick, on_tick, WS_WSLAY_TICK_MS, WS_WSLAY_TICK_MS)) < 0 ||
        (r = uv_signal_start(&sigterm, on_signal, SIGTERM)) < 0 ||
        (r = uv_signal_start(&sigint, on_signal, SIGINT)) < 0) {
        ws_log("worker %d: libuv set-up: %s", worker, uv_strerror(r));
        goto out;
    }
    ws_log("worker %d listening on %s:%d (libuv %s; wslay)", worker, a->host, a->port,
           uv_version_string());
    uv_run(&loop, UV_RUN_DEFAULT);
    rc = 0;
out:
    conn_close_all();
    ws_wslay_log_stats();
    close_handle((uv_handle_t *)&server);
    close_handle((uv_handle_t *)&tick);
    close_handle((uv_handle_t *)&sigterm);
    close_handle((uv_handle_t *)&sigint);
    uv_run(&loop, UV_RUN_DEFAULT); /* close callbacks */
    if ((r = uv_loop_close(&loop)) < 0)
        ws_log("uv_loop_close: %s", uv_strerror(r));
    return rc;
}

int main(int argc, char **argv)
{
    return ws_main(WS_NAME, WS_DEFAULT_WORKERS, NULL, argc, argv, run_worker);
}
