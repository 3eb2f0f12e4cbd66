#include "ws_main.h"

#include "ws_listen.h"
#include "ws_log.h"
#include "ws_signal.h"
#include "ws_workers.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

/* Every connection is a descriptor: take all the hard limit allows. */
static rlim_t raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t wanted = rl.rlim_max;
        rl.rlim_cur = wanted;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            ws_log("cannot raise the open-file limit: %s", strerror(errno));
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur;
}

int ws_main(const char *name, int default_workers, const char *detail,
            int argc, char **argv, int (*run)(int worker, void *args))
{
    struct ws_args a;
    int r = ws_args_parse(&a, name, default_workers, argc, argv);
    if (r != 0)
        return r < 0 ? 2 : 0;
    ws_log_init(name);
    ws_signal_ignore_pipe();
    rlim_t nofile = raise_nofile();
    ws_log("start: %d worker(s), max message %zu, handshake timeout %d ms, open files %llu%s%s",
           a.workers, a.max_message, a.handshake_timeout_ms, (unsigned long long)nofile,
           detail ? ", " : "", detail ? detail : "");
    char err[WS_ERR_LEN];
    if (ws_listen_check_free(a.host, a.port, err) < 0) {
        ws_log("%s", err);
        return 1;
    }
    r = ws_workers_run(a.workers, run, &a);
    ws_log("exit %d", r);
    return r;
}
