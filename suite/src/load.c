#include "load.h"

#include "child.h"
#include "command.h"

#include <stdio.h>
#include <string.h>

/* runtest gets its seconds plus this long to connect and write up. */
#define RUNTEST_GRACE_MS 180000

/* Crashed: supervisord no longer runs the pid that was measured. */
static bool crashed(const struct suite_ctx *c, struct live_server *l, struct kv_list *rows)
{
    struct sup_process after;
    char err[512];
    if (sup_info(c->sup, l->server->name, &after, err, sizeof(err)) < 0) {
        fprintf(stderr, "runsuite: %s\n", err);
        return false;
    }
    kv_set(rows, "suite.server_state_after", after.statename);
    if (after.state == SUP_STATE_RUNNING && after.pid == l->proc.pid)
        return false;
    kv_setf(rows, "suite.reason", "server %s after the run (exit status %d)", after.statename,
            after.exitstatus);
    l->up = false;
    return true;
}

enum step load_run(const struct suite_ctx *c, struct live_server *l, const struct variant *v,
                   const char *db, struct kv_list *rows, char *status, size_t cap)
{
    const struct suite_config *cfg = c->cfg;
    char stats_cmd[1024];
    snprintf(stats_cmd, sizeof(stats_cmd), TOOL_SERVER_STATS " \"%s\" \"%s\"", cfg->supervisord,
             l->server->name);
    struct load_target t = { .db = db, .label = l->server->name,
                             .tcp = l->server->protocol == PROTO_TCP,
                             .server_pid = l->proc.pid, .stats_cmd = c->remote ? stats_cmd : NULL };
    static struct command cmd;
    if (command_build(cfg, v, &t, &cmd) < 0) {
        fprintf(stderr, "runsuite: the load command of %s does not fit\n", v->name);
        return STEP_FATAL;
    }
    char line[4096], err[1024];
    child_format(cmd.argv, line, sizeof(line));
    kv_set(rows, "suite.runtest_command", line);
    printf("   %s\n", line);
    struct child_opts o = { .timeout_ms = v->seconds * 1000L + RUNTEST_GRACE_MS,
                            .cpus = cfg->pin_client ? &cfg->client_cpus : NULL,
                            .stop = c->o->stop };
    struct child_result r;
    if (child_run(cmd.argv, &o, &r, err, sizeof(err)) < 0) {
        fprintf(stderr, "runsuite: %s\n", err);
        return STEP_FATAL;
    }
    bool dead = crashed(c, l, rows);
    if (r.stopped || (c->o->stop && *c->o->stop)) {
        snprintf(status, cap, "interrupted");
        return STEP_STOPPED;
    }
    if (dead) {
        snprintf(status, cap, "crashed");
    } else if (!r.exited || r.code != 0) {
        snprintf(status, cap, "client error");
        kv_setf(rows, "suite.reason", "%s %s (%s %d)", cmd.argv[0],
                r.timed_out ? "timed out" : "failed", r.exited ? "exit" : "signal", r.code);
    } else {
        snprintf(status, cap, "ok");
    }
    return STEP_OK;
}
