#include "lifecycle.h"

#include "child.h"
#include "command.h"
#include "environment.h"
#include "pin.h"
#include "port.h"
#include "sampler.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define VERIFY_TIMEOUT_MS 60000

static enum step failed(struct live_server *l, const char *status, const char *reason)
{
    snprintf(l->status, sizeof(l->status), "%s", status);
    snprintf(l->reason, sizeof(l->reason), "%s", reason);
    fprintf(stderr, "runsuite: %s %s: %s\n", l->server->name, status, reason);
    return STEP_FAILED;
}

int lifecycle_stop(const struct suite_ctx *c, const char *name)
{
    char err[512];
    struct sup_process p;
    if (sup_info(c->sup, name, &p, err, sizeof(err)) == 0 && p.pid > 0 &&
        sup_stop(c->sup, name, err, sizeof(err)) < 0 &&
        sup_last_fault(c->sup) != SUP_FAULT_NOT_RUNNING)
        fprintf(stderr, "runsuite: stopping %s: %s\n", name, err);
    const struct suite_config *cfg = c->cfg;
    int w = port_wait_free(cfg->host, cfg->port, cfg->stop_timeout * 1000L, NULL, err, sizeof(err));
    if (w == 0)
        return 0;
    fprintf(stderr, "runsuite: %s:%d still accepts connections %ld s after stopping %s%s%s\n",
            cfg->host, cfg->port, cfg->stop_timeout, name, w < 0 ? ": " : "", w < 0 ? err : "");
    return -1;
}

/* A fresh start every time: a program left running is stopped first, and
 * nothing else may hold the port. */
static enum step clear_port(const struct suite_ctx *c, struct live_server *l)
{
    const struct suite_config *cfg = c->cfg;
    char err[1024];
    struct sup_process p;
    if (sup_info(c->sup, l->server->name, &p, err, sizeof(err)) < 0) {
        if (sup_last_fault(c->sup) == 0) {
            fprintf(stderr, "runsuite: supervisord: %s\n", err);
            return STEP_FATAL;
        }
        return failed(l, "failed to start", err);
    }
    if (p.pid > 0 && lifecycle_stop(c, l->server->name) < 0)
        return STEP_FATAL;
    int w = port_wait_free(cfg->host, cfg->port, cfg->stop_timeout * 1000L, c->o->stop, err,
                           sizeof(err));
    if (w == 2)
        return STEP_STOPPED;
    if (w != 0) {
        fprintf(stderr, "runsuite: something else listens on %s:%d (waited %ld s)%s%s; "
                "stop it (ss -ltnp 'sport = :%d' shows what) and run again\n",
                cfg->host, cfg->port, cfg->stop_timeout, w < 0 ? ": " : "", w < 0 ? err : "",
                cfg->port);
        return STEP_FATAL;
    }
    return STEP_OK;
}

static void wall_clock(char *out, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* startProcess, the port accepting, the pid. */
static enum step start(const struct suite_ctx *c, struct live_server *l)
{
    const struct suite_config *cfg = c->cfg;
    const char *name = l->server->name;
    char err[512], reason[1024], started[32];
    wall_clock(started, sizeof(started));
    kv_set(&l->rows, "suite.started_at", started);
    if (sup_start(c->sup, name, err, sizeof(err)) < 0) {
        struct sup_process q;
        char e2[256];
        if (sup_info(c->sup, name, &q, e2, sizeof(e2)) == 0)
            snprintf(reason, sizeof(reason), "%s (state %s%s%s)", err, q.statename,
                     q.spawnerr[0] ? ": " : "", q.spawnerr);
        else
            snprintf(reason, sizeof(reason), "%s", err);
        return failed(l, "failed to start", reason);
    }
    int w = port_wait_accepting(cfg->host, cfg->port, cfg->start_timeout * 1000L, c->o->stop,
                                err, sizeof(err));
    if (w == 2)
        return STEP_STOPPED;
    if (w != 0) {
        snprintf(reason, sizeof(reason), "%s:%d did not accept connections within %ld s%s%s",
                 cfg->host, cfg->port, cfg->start_timeout, w < 0 ? ": " : "", w < 0 ? err : "");
        return failed(l, "failed to start", reason);
    }
    if (sup_info(c->sup, name, &l->proc, err, sizeof(err)) < 0 || l->proc.pid <= 0) {
        snprintf(reason, sizeof(reason), "no pid from supervisord: %s", err);
        return failed(l, "failed to start", reason);
    }
    kv_setf(&l->rows, "suite.server_pid", "%d", l->proc.pid);
    return STEP_OK;
}

/* The server's open-file limits (and a warning when they cap the run),
 * and its CPUs when the config pins it. */
static void limits_and_pin(const struct suite_ctx *c, struct live_server *l)
{
    const char *name = l->server->name;
    char err[512];
    struct sup_stats st;
    if (!c->remote)
        env_server_limits(&l->rows, l->proc.pid, c->cfg);
    else if (sup_group_stats(c->sup, name, &st, err, sizeof(err)) == 0)
        env_server_nofile(&l->rows, st.nofile_soft, st.nofile_hard, c->cfg);
    else
        fprintf(stderr, "warning: %s: %s\n", name, err);
    if (c->cfg->pin_server) {
        int n = pin_process_tree(l->proc.pid, &c->cfg->server_cpus, err, sizeof(err));
        if (n < 0)
            fprintf(stderr, "warning: pinning %s: %s\n", name, err);
        else
            printf("   pinned %d server thread(s)\n", n);
    }
}

static void print_indented(const char *text)
{
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        printf("    %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

/* Verify before measuring: a server that does not echo correctly is not
 * benchmarked (as TechEmpower does). ./verify speaks WebSocket, so a
 * plain-TCP reference is not verified, and the record says why. */
static enum step verify(const struct suite_ctx *c, struct live_server *l)
{
    if (l->server->protocol == PROTO_TCP) {
        kv_set(&l->rows, "suite.verify_output",
               "not run: a plain-TCP reference (protocol = tcp in its reference.conf); "
               "./verify checks WebSocket echo servers");
        return STEP_OK;
    }
    char port[16], out[8192], err[1024], reason[256];
    snprintf(port, sizeof(port), "%d", c->cfg->port);
    char *argv[] = { TOOL_VERIFY, (char *)c->cfg->host, port, NULL };
    struct child_opts o = { .timeout_ms = VERIFY_TIMEOUT_MS, .capture = out,
                            .capture_cap = sizeof(out), .stop = c->o->stop };
    struct child_result r;
    if (child_run(argv, &o, &r, err, sizeof(err)) < 0) {
        fprintf(stderr, "runsuite: %s\n", err);
        return STEP_FATAL;
    }
    print_indented(out);
    kv_set(&l->rows, "suite.verify_output", out);
    if (r.stopped)
        return STEP_STOPPED;
    if (!r.exited || r.code != 0) {
        snprintf(reason, sizeof(reason), "./verify %s (%s %d)",
                 r.timed_out ? "timed out" : "failed", r.exited ? "exit" : "signal", r.code);
        return failed(l, "failed verification", reason);
    }
    return STEP_OK;
}

enum step lifecycle_up(const struct suite_ctx *c, struct live_server *l)
{
    kv_free(&l->rows);
    l->up = false;
    l->status[0] = l->reason[0] = 0;
    enum step s = clear_port(c, l);
    if (s == STEP_OK)
        s = start(c, l);
    if (s == STEP_OK) {
        limits_and_pin(c, l);
        s = verify(c, l);
    }
    l->up = s == STEP_OK;
    return s;
}

long long lifecycle_idle_pss(const struct suite_ctx *c, const struct live_server *l)
{
    if (!c->remote) {
        int64_t pss, rss;
        double cpu;
        sampler_group(l->proc.pid, &pss, &rss, &cpu);
        return pss;
    }
    struct sup_stats st;
    char err[512];
    if (sup_group_stats(c->sup, l->server->name, &st, err, sizeof(err)) == 0)
        return st.pss_bytes;
    return -1;
}
