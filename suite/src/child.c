#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILL_GRACE_MS 10000

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void child_exec(char *const argv[], const struct child_opts *o, int out_fd)
{
    if (o->cpus && sched_setaffinity(0, sizeof(*o->cpus), o->cpus) < 0) {
        fprintf(stderr, "sched_setaffinity for %s: %s\n", argv[0], strerror(errno));
        _exit(126);
    }
    if (out_fd >= 0) {
        if (dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
            _exit(126);
        close(out_fd);
    } else if (o->quiet_stderr) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
    }
    for (int i = 0; i < o->n_env; i++) {
        if (setenv(o->env_keys[i], o->env_values[i], 1) < 0) {
            fprintf(stderr, "setenv %s for %s: %s\n", o->env_keys[i], argv[0], strerror(errno));
            _exit(126);
        }
    }
    /* The suite ignores nothing, but restore defaults for the tool anyway. */
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int child_run(char *const argv[], const struct child_opts *o,
              struct child_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof(*res));
    int pipefd[2] = { -1, -1 };
    if (o->capture) {
        o->capture[0] = 0;
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
            snprintf(err, errlen, "pipe: %s", strerror(errno));
            return -1;
        }
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        if (pipefd[0] >= 0) {
            close(pipefd[0]);
            close(pipefd[1]);
        }
        return -1;
    }
    if (pid == 0) {
        if (pipefd[0] >= 0)
            close(pipefd[0]);
        child_exec(argv, o, pipefd[1]);
    }
    if (pipefd[1] >= 0) {
        close(pipefd[1]);
        /* Non-blocking: a grandchild holding the pipe must not hang us. */
        if (fcntl(pipefd[0], F_SETFL, O_NONBLOCK) < 0) {
            close(pipefd[0]);
            pipefd[0] = -1;
        }
    }

    size_t used = 0;
    long start = now_ms();
    long term_at = o->timeout_ms > 0 ? start + o->timeout_ms : -1;
    long kill_at = -1;
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            snprintf(err, errlen, "waitpid: %s", strerror(errno));
            return -1;
        }
        long now = now_ms();
        if (kill_at < 0) {
            bool stop = o->stop && *o->stop;
            bool late = term_at >= 0 && now >= term_at;
            if (stop || late) {
                res->stopped = stop;
                res->timed_out = late && !stop;
                kill(pid, SIGTERM);
                kill_at = now + KILL_GRACE_MS;
            }
        } else if (now >= kill_at) {
            kill(pid, SIGKILL);
            kill_at = now + 3600 * 1000L;   /* once */
        }
        if (pipefd[0] >= 0) {
            struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
            int n = poll(&p, 1, 100);
            if (n > 0) {
                char buf[4096];
                ssize_t r = read(pipefd[0], buf, sizeof(buf));
                if (r > 0) {
                    size_t room = o->capture_cap - 1 - used;
                    size_t take = (size_t)r < room ? (size_t)r : room;
                    memcpy(o->capture + used, buf, take);
                    used += take;
                    o->capture[used] = 0;
                } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
                    close(pipefd[0]);
                    pipefd[0] = -1;
                }
            }
        } else {
            struct timespec ts = { 0, 50 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    if (pipefd[0] >= 0) {
        /* The child is gone; take what is left in the pipe. */
        ssize_t r;
        while (used + 1 < o->capture_cap &&
               (r = read(pipefd[0], o->capture + used, o->capture_cap - 1 - used)) > 0)
            used += (size_t)r;
        o->capture[used] = 0;
        close(pipefd[0]);
    }
    if (WIFEXITED(status)) {
        res->exited = true;
        res->code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->code = WTERMSIG(status);
    }
    return 0;
}

void child_format(char *const argv[], char *out, size_t cap)
{
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; argv[i] && used + 1 < cap; i++) {
        const char *a = argv[i];
        bool plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_./,:=@%+") == strlen(a);
        int n = snprintf(out + used, cap - used, plain ? "%s%s" : "%s'%s'", i ? " " : "", a);
        if (n < 0)
            break;
        used += (size_t)n;
        if (used >= cap)
            used = cap - 1;
    }
}
