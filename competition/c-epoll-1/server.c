/* c-epoll: the no-framework reference server. Raw epoll, one event loop per
 * worker process; the protocol lives in conn.c, the loop in loop.c. */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "loop.h"
#include "ws_args.h"
#include "ws_listen.h"
#include "ws_log.h"
#include "ws_signal.h"
#include "ws_workers.h"

#ifndef WS_NAME
#define WS_NAME "c-epoll-1"
#endif
#ifndef WS_DEFAULT_WORKERS
#define WS_DEFAULT_WORKERS 1
#endif

/* Every connection is a descriptor: take all the hard limit allows. */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        ws_log("cannot raise the open-file limit: %s", strerror(errno));
}

int main(int argc, char **argv)
{
    struct ws_args a;
    int r = ws_args_parse(&a, WS_NAME, WS_DEFAULT_WORKERS, argc, argv);
    if (r != 0)
        return r < 0 ? 2 : 0;
    ws_log_init(WS_NAME);
    ws_signal_ignore_pipe();
    raise_nofile();
    struct rlimit rl = {0, 0};
    getrlimit(RLIMIT_NOFILE, &rl);
    ws_log("start: %d worker(s), max message %zu, handshake timeout %d ms, open files %llu",
           a.workers, a.max_message, a.handshake_timeout_ms, (unsigned long long)rl.rlim_cur);
    char err[WS_ERR_LEN];
    if (ws_listen_check_free(a.host, a.port, err) < 0) {
        ws_log("%s", err);
        return 1;
    }
    r = ws_workers_run(a.workers, loop_run, &a);
    ws_log("exit %d", r);
    return r;
}
