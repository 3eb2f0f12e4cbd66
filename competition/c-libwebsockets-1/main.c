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
#include "ws_workers.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#ifndef MAIN_NAME
#define MAIN_NAME "c-libwebsockets-1"
#endif
#ifndef MAIN_WORKERS
#define MAIN_WORKERS 1
#endif

/* Buffer lws reads the socket into, one per process (not per connection). */
#define MAIN_SERV_BUF (64 * 1024)

static bool main_stop;   /* set by the signalfd callback, on this thread */

/* Accepts per wake-up, so a connection storm cannot starve established
 * connections; poll() is level-triggered and wakes us again for the rest. */
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
    struct lws_context *ctx = NULL;
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
    info.gid = -1;
    info.uid = -1;
    /* Not LWS_SERVER_OPTION_VALIDATE_UTF8: with it lws drops the TCP
     * connection, without a 1007 close, when a close reason is not UTF-8.
     * echo.c validates text messages and close reasons itself. */
    info.options = 0;
    ctx = lws_create_context(&info);
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
    lws_context_destroy(ctx);
    return rc;

fail:
    if (ctx)
        lws_context_destroy(ctx);
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
    return ws_main(MAIN_NAME, MAIN_WORKERS, detail, argc, argv, main_worker);
}
