/* c-libwebsockets-1 / c-libwebsockets-N: an echo server on libwebsockets.
 * Each worker process owns one lws context (one service thread) and its own
 * SO_REUSEPORT listening socket on the shared port; the kernel spreads
 * connections over them. lws 4.1 cannot set SO_REUSEPORT on its own
 * listener, so we listen (ws_listen), accept (ws_accept, which sheds
 * connections at the fd limit) and hand each socket to lws to serve. */
#include "echo.h"

#include "ws_args.h"
#include "ws_main.h"
#include "ws_listen.h"
#include "ws_log.h"
#include "ws_signal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

/* lws's default event loop calls poll() on every descriptor each time round:
 * at 10,000 connections that was 85% of the CPU (sock_poll, tcp_poll, fdget
 * in the kernel). libuv waits with epoll, whose cost follows the ready
 * descriptors; lws loads it as a plugin (libwebsockets-evlib_uv.so). Not
 * libev: with lws 4.1.6's plugin, lws's 5 s close timeout and our 250 ms
 * timer did not fire (it seems to re-arm its timer only when that expires,
 * and lws keeps one ~30 s away). */
#define MAIN_EVENT_LOOP LWS_SERVER_OPTION_LIBUV

/* lws 4.1 by default gives every connection a "validity" timer (ping after
 * 300 s idle, hang up at 310 s) in a sorted list; each new one is the
 * latest, so inserting it walks the whole list (lws_dll2_add_sorted was 41%
 * of the CPU while 10,000 clients connected). A hangup time of 0 turns the
 * timer off; the echo protocol does not need lws's keepalive pings. */
static const lws_retry_bo_t main_no_validity = {.secs_since_valid_hangup = 0};

/* Buffer lws reads the socket into, one per process (not per connection). */
#define MAIN_SERV_BUF (64 * 1024)

/* Stopping takes two lws_context_destroy() calls with an event library:
 * the first, from inside the loop, closes every connection and breaks the
 * loop; the second, after lws_service() returns, frees the rest. The first
 * runs from a zero-delay lws timer, not from the signalfd's own callback,
 * so lws does not free that wsi while its callback is still running. */
static struct lws_context *main_ctx;
static lws_sorted_usec_list_t main_stop_sul;
static bool main_stop;   /* set by the signalfd callback, on this thread */

static void main_stop_now(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    lws_context_destroy(main_ctx);
}

/* Finishes destroying main_ctx after the loop. If the first stage did not
 * run inside the loop (start-up failure), that call only starts closing
 * lws's libuv handles; running the loop lets them close. */
static void main_destroy(void)
{
    lws_context_destroy(main_ctx);
    if (main_ctx) {
        lws_service(main_ctx, 0);
        lws_context_destroy(main_ctx);
    }
}

/* Accepts per wake-up, so a connection storm cannot starve established
 * connections; the loop is level-triggered and wakes us again for the rest. */
#define MAIN_ACCEPT_BATCH 64

static unsigned long main_shed;   /* connections shed at the fd limit */
static struct lws_vhost *main_serve_vhost; /* where accepted sockets go */

/* lws lines arrive with their own newline; ws_log adds one. */
static void main_log_emit(int level, const char *line)
{
    (void)level;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    ws_log("lws: %.*s", (int)n, line);
}

/* SIGTERM/SIGINT arrive on a signalfd that lws polls like any other
 * descriptor: no async-signal-safety questions, no race with poll(). */
static int main_stop_callback(struct lws *wsi, enum lws_callback_reasons reason,
                              void *user, void *in, size_t len)
{
    if (reason == LWS_CALLBACK_RAW_RX_FILE) {
        struct signalfd_siginfo si;
        ssize_t n;
        do
            n = read(lws_get_socket_fd(wsi), &si, sizeof si);
        while (n < 0 && errno == EINTR);
        if (n == (ssize_t)sizeof si) {
            ws_log("signal %u: stopping", si.ssi_signo);
            if (!main_stop)
                lws_sul_schedule(main_ctx, 0, &main_stop_sul, main_stop_now, 0);
            main_stop = true;
        }
        return 0;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void main_accept(struct lws *listener)
{
    int lfd = lws_get_socket_fd(listener);
    for (int i = 0; i < MAIN_ACCEPT_BATCH; i++) {
        int fd = ws_accept(lfd);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE) {
                /* Powers of two: a notable event, not a line per connection. */
                main_shed++;
                if ((main_shed & (main_shed - 1)) == 0)
                    ws_log("at the open-file limit: %lu connection(s) shed so far", main_shed);
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                ws_log("accept: %s", strerror(errno));
            }
            return;
        }
        /* On failure lws closes fd itself (it logs why). */
        lws_adopt_socket_vhost(main_serve_vhost, fd);
    }
}

static int main_listen_callback(struct lws *wsi, enum lws_callback_reasons reason,
                                void *user, void *in, size_t len)
{
    if (reason == LWS_CALLBACK_RAW_RX_FILE) {
        main_accept(wsi);
        return 0;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static int main_worker(int worker, void *arg)
{
    const struct ws_args *a = arg;
    struct lws_context *ctx;
    int sfd = -1;
    char err[WS_ERR_LEN];

    int lfd = ws_listen(a->host, a->port, err);
    if (lfd < 0) {
        ws_log("worker %d: %s", worker, err);
        return 1;
    }
    sfd = ws_signal_stopfd();
    if (sfd < 0 || ws_accept_reserve() < 0) {
        ws_log("signalfd or reserved descriptor: %s", strerror(errno));
        goto fail;
    }

    /* The default vhost serves connections and offers only "echo" as a
     * subprotocol; the signalfd and the listening socket live on a second
     * vhost so no client can select their protocols. */
    struct lws_protocols echo[2] = {{0}}, control[3] = {{0}};
    echo_protocol(&echo[0], a->max_message);
    control[0] = (struct lws_protocols){.name = "stop", .callback = main_stop_callback};
    control[1] = (struct lws_protocols){.name = "listen", .callback = main_listen_callback};

    /* lws times whole seconds; round the handshake deadline up. */
    unsigned timeout_s = (unsigned)((a->handshake_timeout_ms + 999) / 1000);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
    info.protocols = echo;
    info.extensions = NULL;             /* no permessage-deflate */
    info.count_threads = 1;
    info.pt_serv_buf_size = MAIN_SERV_BUF;
    info.max_http_header_data = a->max_header > 65535 ? 65535 : (unsigned short)a->max_header;
    info.timeout_secs = timeout_s;
    info.timeout_secs_ah_idle = timeout_s;
    info.retry_and_idle_policy = &main_no_validity;
    info.gid = -1;
    info.uid = -1;
    /* Not LWS_SERVER_OPTION_VALIDATE_UTF8: with it lws drops the TCP
     * connection, without a 1007 close, when a close reason is not UTF-8.
     * echo.c validates text messages and close reasons itself. */
    info.options = MAIN_EVENT_LOOP;
    info.pcontext = &main_ctx;   /* lws clears it when destruction is done */
    ctx = main_ctx = lws_create_context(&info);
    if (!ctx) {
        ws_log("lws_create_context failed");
        goto fail;
    }
    main_serve_vhost = lws_get_vhost_by_name(ctx, "default");
    info.vhost_name = "control";
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = control;
    struct lws_vhost *vh = lws_create_vhost(ctx, &info);
    if (!vh || !main_serve_vhost) {
        ws_log("lws_create_vhost failed");
        goto fail;
    }
    /* lws watches both descriptors like files: it calls back when they are
     * readable and closes them with the context (or when adoption fails). */
    lws_sock_file_fd_type sf = {.filefd = sfd}, lf = {.filefd = lfd};
    int sfd_ok = lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, sf, "stop", NULL) != NULL;
    int lfd_ok = lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, lf, "listen", NULL) != NULL;
    sfd = lfd = -1;
    if (!sfd_ok || !lfd_ok) {
        ws_log("cannot watch the signalfd and listening socket");
        goto fail;
    }
    ws_log("worker %d listening on %s:%d", worker, a->host, a->port);

    int rc = 0;
    while (!main_stop) {
        if (lws_service(ctx, 0) < 0) {
            ws_log("lws_service failed");
            rc = 1;
            break;
        }
    }
    main_destroy();
    return rc;

fail:
    main_destroy();   /* nothing to do if the context was never made */
    if (sfd >= 0)
        close(sfd);
    if (lfd >= 0)
        close(lfd);
    return 1;
}

int main(int argc, char **argv)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, main_log_emit);
    char detail[64];
    snprintf(detail, sizeof detail, "lws %s", lws_get_library_version());
    return ws_main(WS_NAME, WS_DEFAULT_WORKERS, detail, argc, argv, main_worker);
}
