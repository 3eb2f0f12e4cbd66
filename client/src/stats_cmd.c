#include "stats_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

#define FORMAT "'PSS_BYTES RSS_BYTES CPU_SECONDS'"
#define DRAIN_MAX_READS 64

int stats_cmd_parse(const char *line, struct stats_reading *r)
{
    long long pss, rss;
    double cpu;
    int end = -1;
    if (sscanf(line, "%lld %lld %lf %n", &pss, &rss, &cpu, &end) != 3 || end < 0 ||
        line[end] != '\0' || pss < 0 || rss < 0 || !(cpu >= 0))
        return -1;
    r->pss_bytes = pss;
    r->rss_bytes = rss;
    r->cpu_seconds = cpu;
    return 0;
}

/* Reads what is there. Returns how many readings came, or -1 (and a reason)
 * once the command has ended or printed something that is not a reading. */
static int drain(struct stats_cmd *s, char *why, size_t whylen)
{
    int got = 0;
    /* Bounded: a command that prints without pause must not hold up the
     * recording; what is left is read at the next tick. */
    for (int reads = 0; reads < DRAIN_MAX_READS; reads++) {
        ssize_t n = read(s->fd, s->line + s->len, sizeof s->line - 1 - s->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return got;
        if (n <= 0) {
            snprintf(why, whylen, "'%s' ended%s%s", s->command, n < 0 ? ": " : "",
                     n < 0 ? strerror(errno) : "");
            return -1;
        }
        s->len += (size_t)n;
        s->line[s->len] = '\0';
        char *nl;
        while ((nl = strchr(s->line, '\n'))) {
            *nl = '\0';
            struct stats_reading r;
            if (stats_cmd_parse(s->line, &r) < 0) {
                snprintf(why, whylen, "'%s' printed '%.80s', expected " FORMAT, s->command,
                         s->line);
                return -1;
            }
            s->last = r;
            s->have = true;
            s->last_us = clock_mono_us();
            got++;
            s->len -= (size_t)(nl + 1 - s->line);
            memmove(s->line, nl + 1, s->len + 1);
        }
        if (s->len == sizeof s->line - 1) {
            snprintf(why, whylen, "'%s' printed a line of over %zu bytes, expected " FORMAT,
                     s->command, sizeof s->line - 1);
            return -1;
        }
    }
    return got;
}

int stats_cmd_start(struct stats_cmd *s, const char *command, int timeout_ms,
                    char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->command = command;
    s->fd = -1;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (s->pid == 0) {
        /* Its own group: a Ctrl-C meant for runtest does not cut the
         * readings short, and stats_cmd_stop ends the whole pipeline. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(127);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    setpgid(s->pid, s->pid);
    close(fds[1]);
    s->fd = fds[0];
    (void)fcntl(s->fd, F_SETFL, O_NONBLOCK);

    uint64_t deadline = clock_mono_us() + (uint64_t)timeout_ms * 1000;
    char why[400];
    for (;;) {
        int got = drain(s, why, sizeof why);
        if (got > 0)
            return 0;
        uint64_t now = clock_mono_us();
        if (got < 0 || now >= deadline) {
            if (got == 0)
                snprintf(why, sizeof why, "no reading from '%s' within %d ms", command,
                         timeout_ms);
            stats_cmd_stop(s);
            if (WIFEXITED(s->status))
                snprintf(err, errlen, "--server-stats: %s (exit status %d)", why,
                         WEXITSTATUS(s->status));
            else
                snprintf(err, errlen, "--server-stats: %s", why);
            return -1;
        }
        struct pollfd pf = { .fd = s->fd, .events = POLLIN };
        (void)poll(&pf, 1, (int)((deadline - now + 999) / 1000));
    }
}

int stats_cmd_latest(struct stats_cmd *s, uint64_t max_age_us, struct stats_reading *r)
{
    char why[400];
    if (!s->ended && drain(s, why, sizeof why) < 0) {
        s->ended = true;
        fprintf(stderr, "\nruntest: warning: --server-stats: %s; no more server samples\n",
                why);
    }
    if (s->ended || !s->have || clock_mono_us() - s->last_us > max_age_us)
        return 0;
    *r = s->last;
    return 1;
}

void stats_cmd_stop(struct stats_cmd *s)
{
    if (!s->command)
        return;                 /* never started */
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->pid > 0) {
        kill(-s->pid, SIGTERM);
        kill(s->pid, SIGTERM);
        while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR)
            ;
    }
    s->pid = 0;
}
