#include "suite.h"

#include "child.h"
#include "db.h"
#include "environment.h"
#include "pin.h"
#include "port.h"
#include "sampler.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VERIFY_TIMEOUT_MS 60000
/* runtest gets its seconds plus this long to connect and write up. */
#define RUNTEST_GRACE_MS 180000

/* splitmix64: a fixed generator so a logged seed reproduces the order on
 * every libc. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void suite_order(int n_names, int repeat, unsigned long seed, int *out)
{
    int n = n_names * repeat;
    for (int i = 0; i < n; i++)
        out[i] = i;
    if (repeat <= 1)
        return;
    uint64_t s = seed;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(next_random(&s) % (uint64_t)(i + 1));
        int t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
}

struct run {
    const char *name;
    int k;                      /* 1-based repetition */
    char db[4200];
    char status[128];
    struct kv_list rows;        /* suite.* and env.* meta rows */
};

static void wall_clock(char *out, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Stops the program if supervisord still runs it and waits for the port to
 * be free. Returns 0, or -1 when the port stays busy (fatal). */
static int stop_server(const struct suite_config *cfg, struct sup *sup, const char *name)
{
    char err[512];
    struct sup_process p;
    if (sup_info(sup, name, &p, err, sizeof(err)) == 0 && p.pid > 0 &&
        sup_stop(sup, name, err, sizeof(err)) < 0 &&
        sup_last_fault(sup) != SUP_FAULT_NOT_RUNNING)
        fprintf(stderr, "runsuite: stopping %s: %s\n", name, err);
    int w = port_wait_free(cfg->host, cfg->port, cfg->stop_timeout * 1000L, NULL, err, sizeof(err));
    if (w == 0)
        return 0;
    fprintf(stderr, "runsuite: %s:%d still accepts connections %ld s after stopping %s%s%s\n",
            cfg->host, cfg->port, cfg->stop_timeout, name, w < 0 ? ": " : "", w < 0 ? err : "");
    return -1;
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

static void add_workload(char **argv, int *argc, const struct suite_config *cfg, char bufs[][32])
{
    static const char *const flags[] = { "--arrival-us", "--interval-ms", "--size", "--workers" };
    const long vals[] = { cfg->arrival_us, cfg->interval_ms, cfg->size, cfg->workers };
    for (int i = 0; i < 4; i++) {
        if (vals[i] < 0)
            continue;
        snprintf(bufs[i], 32, "%ld", vals[i]);
        argv[(*argc)++] = (char *)flags[i];
        argv[(*argc)++] = bufs[i];
    }
    if (cfg->bind[0]) {
        argv[(*argc)++] = "--bind";
        argv[(*argc)++] = (char *)cfg->bind;
    }
}

/* One run. Returns 0 to go on, -1 when the suite must stop (fatal). */
static int run_one(const struct suite_config *cfg, struct sup *sup, struct run *r,
                   const struct suite_opts *o)
{
    char err[1024];
    struct sup_process p;
    char label[128];
    if (cfg->repeat > 1)
        snprintf(label, sizeof(label), "%s-%d", r->name, r->k);
    else
        snprintf(label, sizeof(label), "%s", r->name);
    printf("== %s: starting\n", label);

    /* A fresh start every time: a program left running is stopped first. */
    if (sup_info(sup, r->name, &p, err, sizeof(err)) < 0) {
        if (sup_last_fault(sup) == 0) {
            fprintf(stderr, "runsuite: supervisord: %s\n", err);
            return -1;
        }
        snprintf(r->status, sizeof(r->status), "failed to start");
        kv_setf(&r->rows, "suite.reason", "%s", err);
        fprintf(stderr, "runsuite: %s: %s\n", r->name, err);
        return 0;
    }
    if (p.pid > 0 && stop_server(cfg, sup, r->name) < 0)
        return -1;
    int w = port_wait_free(cfg->host, cfg->port, cfg->stop_timeout * 1000L, o->stop, err, sizeof(err));
    if (w == 2)
        return 0;
    if (w != 0) {
        fprintf(stderr, "runsuite: something else listens on %s:%d (waited %ld s)%s%s; "
                "stop it (ss -ltnp 'sport = :%d' shows what) and run again\n",
                cfg->host, cfg->port, cfg->stop_timeout, w < 0 ? ": " : "", w < 0 ? err : "",
                cfg->port);
        return -1;
    }

    char started[32];
    wall_clock(started, sizeof(started));
    kv_set(&r->rows, "suite.started_at", started);
    if (sup_start(sup, r->name, err, sizeof(err)) < 0) {
        struct sup_process q;
        char e2[256];
        snprintf(r->status, sizeof(r->status), "failed to start");
        if (sup_info(sup, r->name, &q, e2, sizeof(e2)) == 0)
            kv_setf(&r->rows, "suite.reason", "%s (state %s%s%s)", err, q.statename,
                    q.spawnerr[0] ? ": " : "", q.spawnerr);
        else
            kv_set(&r->rows, "suite.reason", err);
        fprintf(stderr, "runsuite: %s did not start: %s\n", r->name, kv_get(&r->rows, "suite.reason"));
        return stop_server(cfg, sup, r->name);
    }
    w = port_wait_accepting(cfg->host, cfg->port, cfg->start_timeout * 1000L, o->stop, err,
                            sizeof(err));
    if (w == 2)
        return stop_server(cfg, sup, r->name);
    if (w != 0) {
        snprintf(r->status, sizeof(r->status), "failed to start");
        kv_setf(&r->rows, "suite.reason", "%s:%d did not accept connections within %ld s%s%s",
                cfg->host, cfg->port, cfg->start_timeout, w < 0 ? ": " : "", w < 0 ? err : "");
        fprintf(stderr, "runsuite: %s: %s\n", r->name, kv_get(&r->rows, "suite.reason"));
        return stop_server(cfg, sup, r->name);
    }
    if (sup_info(sup, r->name, &p, err, sizeof(err)) < 0 || p.pid <= 0) {
        snprintf(r->status, sizeof(r->status), "failed to start");
        kv_setf(&r->rows, "suite.reason", "no pid from supervisord: %s", err);
        return stop_server(cfg, sup, r->name);
    }
    kv_setf(&r->rows, "suite.server_pid", "%d", p.pid);
    /* A server elsewhere is read through its supervisord's wsstats. */
    bool remote = cfg->server_stats == STATS_SUPERVISORD;
    struct sup_stats st;
    if (!remote)
        env_server_limits(&r->rows, p.pid, cfg);
    else if (sup_group_stats(sup, r->name, &st, err, sizeof(err)) == 0)
        env_server_nofile(&r->rows, st.nofile_soft, st.nofile_hard, cfg);
    else
        fprintf(stderr, "warning: %s: %s\n", r->name, err);
    if (cfg->pin_server) {
        int n = pin_process_tree(p.pid, &cfg->server_cpus, err, sizeof(err));
        if (n < 0)
            fprintf(stderr, "warning: pinning %s: %s\n", r->name, err);
        else
            printf("   pinned %d server thread(s)\n", n);
    }

    /* Verify before measuring: a server that does not echo correctly is
     * not benchmarked (as TechEmpower does). */
    char port_s[16], verify_out[8192];
    snprintf(port_s, sizeof(port_s), "%d", cfg->port);
    char *vargv[] = { "./verify", (char *)cfg->host, port_s, NULL };
    struct child_opts vo = { .timeout_ms = VERIFY_TIMEOUT_MS, .capture = verify_out,
                             .capture_cap = sizeof(verify_out), .stop = o->stop };
    struct child_result vr;
    if (child_run(vargv, &vo, &vr, err, sizeof(err)) < 0) {
        fprintf(stderr, "runsuite: %s\n", err);
        return -1;
    }
    print_indented(verify_out);
    kv_set(&r->rows, "suite.verify_output", verify_out);
    if (vr.stopped)
        return stop_server(cfg, sup, r->name);
    if (!vr.exited || vr.code != 0) {
        snprintf(r->status, sizeof(r->status), "failed verification");
        kv_setf(&r->rows, "suite.reason", "./verify %s (%s %d)",
                vr.timed_out ? "timed out" : "failed", vr.exited ? "exit" : "signal", vr.code);
        printf("== %s: failed verification, skipped\n", label);
        return stop_server(cfg, sup, r->name);
    }

    /* Taken after ./verify (its one-off 64 KiB echoes may leave buffers
     * behind) and before the load: what the server costs with no client
     * connected, the report's baseline for bytes per connection. */
    long long idle = -1;
    if (!remote) {
        /* Read as ./runtest reads the samples: the whole process group. */
        int64_t pss, rss;
        double cpu;
        sampler_group(p.pid, &pss, &rss, &cpu);
        idle = pss;
    }
    else if (sup_group_stats(sup, r->name, &st, err, sizeof(err)) == 0)
        idle = st.pss_bytes;
    if (idle >= 0)
        kv_setf(&r->rows, "suite.server_idle_pss_bytes", "%lld", idle);

    char secs[32], clients[32], pid_s[32], bufs[4][32];
    snprintf(secs, sizeof(secs), "%ld", cfg->seconds);
    snprintf(clients, sizeof(clients), "%ld", cfg->clients);
    snprintf(pid_s, sizeof(pid_s), "%d", p.pid);
    char *argv[32];
    int argc = 0;
    argv[argc++] = "./runtest";
    argv[argc++] = r->db;
    argv[argc++] = secs;
    argv[argc++] = (char *)cfg->host;
    argv[argc++] = port_s;
    argv[argc++] = clients;
    add_workload(argv, &argc, cfg, bufs);
    argv[argc++] = "--label";
    argv[argc++] = label;
    char stats_cmd[1024];
    if (remote) {
        snprintf(stats_cmd, sizeof(stats_cmd), "suite/build/server_stats \"%s\" \"%s\"",
                 cfg->supervisord, r->name);
        argv[argc++] = "--server-stats";
        argv[argc++] = stats_cmd;
    } else {
        argv[argc++] = "--server-pid";
        argv[argc++] = pid_s;
    }
    argv[argc] = NULL;
    char cmd[2048];
    child_format(argv, cmd, sizeof(cmd));
    kv_set(&r->rows, "suite.runtest_command", cmd);
    printf("   %s\n", cmd);
    struct child_opts ro = { .timeout_ms = cfg->seconds * 1000L + RUNTEST_GRACE_MS,
                             .cpus = cfg->pin_client ? &cfg->client_cpus : NULL,
                             .stop = o->stop };
    struct child_result rr;
    if (child_run(argv, &ro, &rr, err, sizeof(err)) < 0) {
        fprintf(stderr, "runsuite: %s\n", err);
        return -1;
    }

    /* Crashed: supervisord no longer runs the pid we measured. */
    struct sup_process after;
    bool crashed = false;
    if (sup_info(sup, r->name, &after, err, sizeof(err)) == 0) {
        kv_set(&r->rows, "suite.server_state_after", after.statename);
        crashed = after.state != SUP_STATE_RUNNING || after.pid != p.pid;
        if (crashed)
            kv_setf(&r->rows, "suite.reason", "server %s after the run (exit status %d)",
                    after.statename, after.exitstatus);
    } else {
        fprintf(stderr, "runsuite: %s\n", err);
    }
    if (rr.stopped || (o->stop && *o->stop))
        snprintf(r->status, sizeof(r->status), "interrupted");
    else if (crashed)
        snprintf(r->status, sizeof(r->status), "crashed");
    else if (!rr.exited || rr.code != 0) {
        snprintf(r->status, sizeof(r->status), "client error");
        kv_setf(&r->rows, "suite.reason", "./runtest %s (%s %d)",
                rr.timed_out ? "timed out" : "failed", rr.exited ? "exit" : "signal", rr.code);
    } else
        snprintf(r->status, sizeof(r->status), "ok");
    printf("== %s: %s\n", label, r->status);
    return stop_server(cfg, sup, r->name);
}

enum suite_result suite_run(const struct suite_config *cfg, struct sup *sup,
                            char names[][CONFIG_NAME_MAX], int n_names,
                            const struct suite_opts *o, const struct kv_list *env)
{
    int n = n_names * cfg->repeat;
    int *order = calloc((size_t)n, sizeof(*order));
    if (!order) {
        fprintf(stderr, "runsuite: out of memory\n");
        return SUITE_FATAL;
    }
    unsigned long seed = cfg->seed_set ? cfg->seed : (unsigned long)time(NULL);
    suite_order(n_names, cfg->repeat, seed, order);
    if (cfg->repeat > 1)
        printf("runsuite: %d runs in shuffled order, seed %lu (seed = %lu repeats it)\n", n,
               seed, seed);

    enum suite_result result = SUITE_DONE;
    char err[1024];
    for (int i = 0; i < n && result == SUITE_DONE; i++) {
        if (o->stop && *o->stop) {
            result = SUITE_INTERRUPTED;
            break;
        }
        struct run r = { .name = names[order[i] / cfg->repeat], .k = order[i] % cfg->repeat + 1 };
        if (cfg->repeat > 1)
            snprintf(r.db, sizeof(r.db), "%s/%s-%d.db", cfg->db_root, r.name, r.k);
        else
            snprintf(r.db, sizeof(r.db), "%s/%s.db", cfg->db_root, r.name);
        int complete = db_is_complete(r.db, err, sizeof(err));
        if (complete < 0)
            fprintf(stderr, "runsuite: %s (running it again)\n", err);
        if (complete == 1 && !o->fresh) {
            printf("== %s: %s is complete, skipped (--fresh runs it again)\n", r.name, r.db);
            continue;
        }
        if (db_remove(r.db, err, sizeof(err)) < 0) {
            fprintf(stderr, "runsuite: %s\n", err);
            result = SUITE_FATAL;
            break;
        }
        for (size_t j = 0; j < env->len; j++)
            kv_set(&r.rows, env->items[j].key, env->items[j].value);
        kv_set(&r.rows, "suite.server", r.name);
        kv_setf(&r.rows, "suite.run", "%d", r.k);
        kv_setf(&r.rows, "suite.repeat", "%d", cfg->repeat);
        kv_setf(&r.rows, "suite.order", "%d", i + 1);
        kv_setf(&r.rows, "suite.seed", "%lu", seed);
        kv_setf(&r.rows, "suite.clients", "%ld", cfg->clients);
        kv_setf(&r.rows, "suite.seconds", "%ld", cfg->seconds);
        kv_set(&r.rows, "suite.server_stats",
               cfg->server_stats == STATS_SUPERVISORD ? "supervisord" : "proc");
        kv_set(&r.rows, "suite.command", o->command);
        kv_set(&r.rows, "suite.config_path", o->config_path);
        kv_set(&r.rows, "suite.config", o->config_text);
        if (cfg->pin[0])
            kv_set(&r.rows, "suite.pin", cfg->pin);

        if (run_one(cfg, sup, &r, o) < 0)
            result = SUITE_FATAL;
        if (o->stop && *o->stop) {
            snprintf(r.status, sizeof(r.status), "interrupted");
            result = SUITE_INTERRUPTED;
        }
        if (!r.status[0])
            snprintf(r.status, sizeof(r.status), result == SUITE_FATAL ? "aborted" : "interrupted");
        kv_set(&r.rows, "suite.status", r.status);
        if (db_meta_write(r.db, &r.rows, err, sizeof(err)) < 0) {
            fprintf(stderr, "runsuite: recording the run: %s\n", err);
            result = SUITE_FATAL;
        }
        kv_free(&r.rows);
    }
    free(order);
    return result;
}
