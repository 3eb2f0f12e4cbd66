#include "command.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *command_load_tool(const struct suite_config *cfg)
{
    return cfg->engine == ENGINE_TSUNG ? TOOL_RUNTEST_TSUNG : TOOL_RUNTEST;
}

/* Arguments point into c->store or at strings that outlive c; a command
 * that does not fit marks itself broken (argc = -1). */
static void arg(struct command *c, const char *s)
{
    if (c->argc < 0 || c->argc == COMMAND_ARGS_MAX) {
        c->argc = -1;
        return;
    }
    c->argv[c->argc++] = (char *)s;
}

__attribute__((format(printf, 2, 3)))
static void argf(struct command *c, const char *fmt, ...)
{
    size_t room = sizeof(c->store) - c->used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->store + c->used, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        c->argc = -1;
        return;
    }
    arg(c, c->store + c->used);
    c->used += (size_t)n + 1;
}

/* FLAG N */
static void opt_num(struct command *c, const char *flag, long v)
{
    arg(c, flag);
    argf(c, "%ld", v);
}

/* --rate-steps R1,R2,... */
static void arg_rates(struct command *c, const long *rates, int n)
{
    char buf[CONFIG_RATES_MAX * 12];
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%ld", i ? "," : "", rates[i]);
    argf(c, "%s", buf);
}

/* What the track itself asks of the client. */
static void track_options(const struct suite_config *cfg, const struct variant *v,
                          struct command *c)
{
    switch (v->track) {
    case TRACK_C10K:
        if (cfg->arrival_us >= 0)
            opt_num(c, "--arrival-us", cfg->arrival_us);
        if (cfg->interval_ms >= 0)
            opt_num(c, "--interval-ms", cfg->interval_ms);
        if (cfg->size >= 0)
            opt_num(c, "--size", cfg->size);
        break;
    case TRACK_THROUGHPUT:
        opt_num(c, "--saturate", v->in_flight);
        opt_num(c, "--size", v->size);
        /* 0 is the client's default: left out, so a client without
         * warm-up support still runs the track. */
        if (cfg->throughput.warmup_s > 0)
            opt_num(c, "--warmup-s", cfg->throughput.warmup_s);
        if (cfg->throughput.arrival_us >= 0)
            opt_num(c, "--arrival-us", cfg->throughput.arrival_us);
        break;
    case TRACK_CAPACITY:
        arg(c, "--hold");
        opt_num(c, "--arrival-us", cfg->capacity.arrival_us);
        break;
    case TRACK_HANDSHAKES:
        opt_num(c, "--storm", v->in_flight);
        opt_num(c, "--interval-ms", TRACK_HOLD_INTERVAL_MS);
        break;
    case TRACK_SLO:
        arg(c, "--rate-steps");
        arg_rates(c, cfg->slo.rates, cfg->slo.n_rates);
        opt_num(c, "--step-s", cfg->slo.step_s);
        opt_num(c, "--slo-p99-us", cfg->slo.p99_us);
        opt_num(c, "--arrival-us", cfg->slo.arrival_us);
        break;
    case TRACK_COUNT:
        break;
    }
}

int command_build(const struct suite_config *cfg, const struct variant *v,
                  const struct load_target *t, struct command *c)
{
    memset(c, 0, sizeof(*c));
    arg(c, command_load_tool(cfg));
    arg(c, t->db);
    argf(c, "%ld", v->seconds);
    arg(c, cfg->host);
    argf(c, "%d", cfg->port);
    argf(c, "%ld", v->connections);
    track_options(cfg, v, c);
    if (cfg->workers > 0)
        opt_num(c, "--workers", cfg->workers);
    if (cfg->bind[0]) {
        arg(c, "--bind");
        arg(c, cfg->bind);
    }
    if (t->tcp)
        arg(c, "--tcp");
    arg(c, "--label");
    arg(c, t->label);
    if (t->stats_cmd) {
        arg(c, "--server-stats");
        arg(c, t->stats_cmd);
    } else if (t->server_pid > 0) {
        opt_num(c, "--server-pid", t->server_pid);
    } else {
        arg(c, "--server-pid");
        arg(c, "PID");
    }
    if (cfg->engine == ENGINE_TSUNG && cfg->load_hosts[0]) {
        arg(c, "--load-hosts");
        arg(c, cfg->load_hosts);
    }
    if (c->argc < 0)
        return -1;
    c->argv[c->argc] = NULL;
    return 0;
}
