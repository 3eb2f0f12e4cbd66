#include "ws_workers.h"

#include "ws_log.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 256

static pid_t children[MAX_WORKERS];
static int nchildren;

static void forward(int sig)
{
    int saved = errno;
    for (int i = 0; i < nchildren; i++)
        if (children[i] > 0)
            kill(children[i], sig);
    errno = saved;
}

int ws_workers_online(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

static void stop_all(void)
{
    for (int i = 0; i < nchildren; i++)
        if (children[i] > 0)
            kill(children[i], SIGTERM);
}

int ws_workers_run(int n, int (*run)(int worker, void *arg), void *arg)
{
    if (n <= 1)
        return run(0, arg);
    if (n > MAX_WORKERS)
        n = MAX_WORKERS;
    struct sigaction sa = {.sa_handler = forward};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    pid_t parent = getpid();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            ws_log("fork worker %d: %s", i, strerror(errno));
            stop_all();
            break;
        }
        if (pid == 0) {
            signal(SIGTERM, SIG_DFL);
            signal(SIGINT, SIG_DFL);
            /* An orphaned worker would hold the port after supervisord
             * killed its parent. */
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent)
                _exit(1);
            _exit(run(i, arg));
        }
        children[nchildren++] = pid;
    }

    int status_all = 0, left = nchildren;
    while (left > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < nchildren; i++)
            if (children[i] == pid)
                children[i] = 0, left--;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            /* A dead worker must not go unnoticed behind its siblings:
             * stop them all so supervisord sees the server exit. */
            if (WIFSIGNALED(status))
                ws_log("worker %d killed by signal %d", (int)pid, WTERMSIG(status));
            else
                ws_log("worker %d exited with status %d", (int)pid, WEXITSTATUS(status));
            if (status_all == 0)
                stop_all();
            status_all = 1;
        }
    }
    return status_all;
}
