#include "suite.h"

#include "child.h"
#include "command.h"
#include "db.h"
#include "lifecycle.h"
#include "load.h"
#include "track.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* splitmix64: a fixed generator so a logged seed reproduces the order on
 * every libc. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void suite_order(const int *group, int n_units, int repeat, unsigned long seed, int *out)
{
    uint64_t s = seed;
    for (int k = 0; k < repeat; k++) {
        int *block = out + (size_t)k * n_units;
        for (int i = 0; i < n_units; i++)
            block[i] = i;
        if (repeat <= 1)
            continue;
        /* Fisher-Yates within each group [lo, hi) of equal group[]. */
        for (int lo = 0, hi; lo < n_units; lo = hi) {
            for (hi = lo + 1; hi < n_units && group[hi] == group[lo]; hi++)
                ;
            for (int i = hi - 1; i > lo; i--) {
                int j = lo + (int)(next_random(&s) % (uint64_t)(i - lo + 1));
                int t = block[i];
                block[i] = block[j];
                block[j] = t;
            }
        }
    }
}

void suite_db_path(const struct suite_config *cfg, const char *track, const char *server,
                   const char *variant, int k, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s/%s/%s-%d.db", cfg->db_root, track, server, variant, k);
}

/* One (server, track) pair: the server starts fresh for it in each repeat. */
struct unit {
    const struct server *server;
    enum track track;
};

/* The state of the whole suite while it runs. */
struct suite_state {
    struct suite_ctx ctx;
    const struct kv_list *env;
    unsigned long seed;
    int order;                  /* runs recorded so far */
};

/* The rows every database of the suite gets, before its run adds its own. */
static void base_rows(const struct suite_state *s, const struct unit *u, const struct variant *v,
                      int k, struct kv_list *rows)
{
    const struct suite_config *cfg = s->ctx.cfg;
    const struct suite_opts *o = s->ctx.o;
    for (size_t j = 0; j < s->env->len; j++)
        kv_set(rows, s->env->items[j].key, s->env->items[j].value);
    kv_set(rows, "suite.server", u->server->name);
    kv_set(rows, "suite.kind", servers_kind_name(u->server->kind));
    kv_set(rows, "suite.protocol", servers_protocol_name(u->server->protocol));
    kv_set(rows, "suite.track", config_track_name(u->track));
    kv_set(rows, "suite.variant", v->name);
    kv_setf(rows, "suite.repeat", "%d", k);
    kv_setf(rows, "suite.run", "%d", k);
    kv_setf(rows, "suite.repeats", "%d", cfg->repeat);
    kv_setf(rows, "suite.seed", "%lu", s->seed);
    kv_setf(rows, "suite.clients", "%ld", v->connections);
    kv_setf(rows, "suite.seconds", "%ld", v->seconds);
    kv_set(rows, "suite.engine", cfg->engine == ENGINE_TSUNG ? "tsung" : "kit");
    if (cfg->load_hosts[0])
        kv_set(rows, "suite.load_hosts", cfg->load_hosts);
    kv_set(rows, "suite.server_stats", s->ctx.remote ? "supervisord" : "proc");
    kv_set(rows, "suite.command", o->command);
    kv_set(rows, "suite.config_path", o->config_path);
    kv_set(rows, "suite.config", o->config_text);
    if (cfg->pin[0])
        kv_set(rows, "suite.pin", cfg->pin);
    if (cfg->server_env[0]) {
        kv_set(rows, "suite.server_env", cfg->server_env);
        kv_set(rows, "suite.server_env_applied", o->server_env_applied ? "1" : "0");
    }
}

static void label_of(const struct unit *u, const struct variant *v, int k, int repeat,
                     char *out, size_t cap)
{
    if (repeat > 1)
        snprintf(out, cap, "%s %s %s (repeat %d)", u->server->name, config_track_name(u->track),
                 v->name, k);
    else
        snprintf(out, cap, "%s %s %s", u->server->name, config_track_name(u->track), v->name);
}

/* Writes the run's rows and status; 0, or -1 when they cannot be kept. */
static int record(struct suite_state *s, const char *db, struct kv_list *rows,
                  const char *status, const char *label)
{
    char err[1024];
    kv_setf(rows, "suite.order", "%d", ++s->order);
    kv_set(rows, "suite.status", status);
    printf("== %s: %s\n", label, status);
    if (db_meta_write(db, rows, err, sizeof(err)) < 0) {
        fprintf(stderr, "runsuite: recording the run: %s\n", err);
        return -1;
    }
    return 0;
}

/* One variant on the unit's live server (started here when it is not up:
 * first variant, or the previous one crashed it). */
static enum step run_variant(struct suite_state *s, const struct unit *u, const struct variant *v,
                             int k, struct live_server *l, const char *db)
{
    const struct suite_ctx *c = &s->ctx;
    char label[256], status[64] = "", err[1024];
    label_of(u, v, k, c->cfg->repeat, label, sizeof(label));
    printf("== %s: starting\n", label);
    if (db_remove(db, err, sizeof(err)) < 0 || db_make_parent(db, err, sizeof(err)) < 0) {
        fprintf(stderr, "runsuite: %s\n", err);
        return STEP_FATAL;
    }
    struct kv_list rows = { 0 };
    base_rows(s, u, v, k, &rows);
    enum step st = STEP_OK;
    if (u->server->unavailable[0]) {
        snprintf(status, sizeof(status), "not available");
        kv_set(&rows, "suite.reason", u->server->unavailable);
        if (u->server->install[0])
            kv_set(&rows, "suite.install", u->server->install);
    } else if (!l->up && !l->status[0]) {
        st = lifecycle_up(c, l);
    }
    for (size_t j = 0; j < l->rows.len; j++)
        kv_set(&rows, l->rows.items[j].key, l->rows.items[j].value);
    if (!status[0] && l->status[0]) {
        /* The start or ./verify failed: no load for any variant of it. */
        snprintf(status, sizeof(status), "%s", l->status);
        kv_set(&rows, "suite.reason", l->reason);
    } else if (!status[0] && st == STEP_OK) {
        /* Before the load (and after ./verify, whose one-off 64 KiB echoes
         * may leave buffers behind): the report's baseline per connection. */
        long long idle = lifecycle_idle_pss(c, l);
        if (idle >= 0)
            kv_setf(&rows, "suite.server_idle_pss_bytes", "%lld", idle);
        st = load_run(c, l, v, db, &rows, status, sizeof(status));
    }
    if (st == STEP_STOPPED || (c->o->stop && *c->o->stop))
        snprintf(status, sizeof(status), "interrupted");
    else if (st == STEP_FATAL)
        snprintf(status, sizeof(status), "aborted");
    if (record(s, db, &rows, status, label) < 0)
        st = STEP_FATAL;
    kv_free(&rows);
    return st;
}

/* Every variant of one unit whose database is not complete yet; the
 * server is stopped at the end whatever happened. */
static enum step run_unit(struct suite_state *s, const struct unit *u, int k)
{
    const struct suite_ctx *c = &s->ctx;
    static struct variant v[TRACK_VARIANTS_MAX];
    int n = track_variants(c->cfg, u->track, v, TRACK_VARIANTS_MAX);
    struct live_server l = { .server = u->server };
    enum step st = STEP_OK;
    bool started = false;
    for (int i = 0; i < n && st != STEP_FATAL && st != STEP_STOPPED; i++) {
        char db[4400], err[1024];
        suite_db_path(c->cfg, config_track_name(u->track), u->server->name, v[i].name, k, db,
                      sizeof(db));
        int complete = db_is_complete(db, err, sizeof(err));
        if (complete < 0)
            fprintf(stderr, "runsuite: %s (running it again)\n", err);
        if (complete == 1 && !c->o->fresh) {
            printf("== %s is complete, skipped (--fresh runs it again)\n", db);
            continue;
        }
        started |= !u->server->unavailable[0];
        st = run_variant(s, u, &v[i], k, &l, db);
    }
    if (started && lifecycle_stop(c, u->server->name) < 0)
        st = STEP_FATAL;
    kv_free(&l.rows);
    return st;
}

/* The (server, track) pairs, track by track in the config's order, within
 * a track the servers in the config's order (each only in the tracks it
 * runs in): a track's servers run close together in time, under the same
 * machine conditions. group[i] is unit i's track. Returns how many. */
static int plan_units(const struct suite_config *cfg, const struct server *servers,
                      int n_servers, struct unit *out, int *group)
{
    int n = 0;
    for (int t = 0; t < cfg->n_tracks; t++)
        for (int i = 0; i < n_servers; i++)
            if (servers[i].tracks[cfg->tracks[t]]) {
                group[n] = (int)cfg->tracks[t];
                out[n++] = (struct unit){ .server = &servers[i], .track = cfg->tracks[t] };
            }
    return n;
}

/* What a run does, and --dry-run prints, in this order: run i of
 * n_units * repeat is units[order[i]] in repeat i / n_units + 1. */
struct plan {
    struct unit *units;
    int *order;
    int n_units;
    unsigned long seed;
};

static int plan_make(const struct suite_config *cfg, const struct server *servers,
                     int n_servers, struct plan *p)
{
    size_t cap = (size_t)n_servers * TRACK_COUNT;
    int *group = calloc(cap, sizeof(*group));
    p->units = calloc(cap, sizeof(*p->units));
    p->order = calloc(cap * (size_t)cfg->repeat, sizeof(*p->order));
    if (!group || !p->units || !p->order) {
        fprintf(stderr, "runsuite: out of memory\n");
        free(group);
        free(p->units);
        free(p->order);
        return -1;
    }
    p->seed = cfg->seed_set ? cfg->seed : (unsigned long)time(NULL);
    p->n_units = plan_units(cfg, servers, n_servers, p->units, group);
    suite_order(group, p->n_units, cfg->repeat, p->seed, p->order);
    free(group);
    return 0;
}

static void plan_free(struct plan *p)
{
    free(p->units);
    free(p->order);
}

enum suite_result suite_run(const struct suite_config *cfg, struct sup *sup,
                            const struct server *servers, int n_servers,
                            const struct suite_opts *o, const struct kv_list *env)
{
    struct plan p;
    if (plan_make(cfg, servers, n_servers, &p) < 0)
        return SUITE_FATAL;
    struct suite_state s = {
        .ctx = { .cfg = cfg, .sup = sup, .o = o, .remote = cfg->server_stats == STATS_SUPERVISORD },
        .env = env,
        .seed = p.seed,
    };
    int n_units = p.n_units;
    if (cfg->repeat > 1)
        printf("runsuite: %d (server, track) runs x %d repeats, track by track, each repeat's "
               "servers in shuffled order, seed %lu (seed = %lu repeats it)\n", n_units,
               cfg->repeat, s.seed, s.seed);

    enum suite_result result = SUITE_DONE;
    for (int i = 0; i < n_units * cfg->repeat && result == SUITE_DONE; i++) {
        if (o->stop && *o->stop) {
            result = SUITE_INTERRUPTED;
            break;
        }
        enum step st = run_unit(&s, &p.units[p.order[i]], i / n_units + 1);
        if (st == STEP_FATAL)
            result = SUITE_FATAL;
        else if (st == STEP_STOPPED || (o->stop && *o->stop))
            result = SUITE_INTERRUPTED;
    }
    plan_free(&p);
    return result;
}

/* The commands one unit would run, in the order suite_run runs them. */
static void print_unit(const struct suite_config *cfg, const struct unit *u, int k, bool remote)
{
    static struct variant v[TRACK_VARIANTS_MAX];
    int n = track_variants(cfg, u->track, v, TRACK_VARIANTS_MAX);
    char stats_cmd[1024];
    snprintf(stats_cmd, sizeof(stats_cmd), TOOL_SERVER_STATS " \"%s\" \"%s\"", cfg->supervisord,
             u->server->name);
    for (int i = 0; i < n; i++) {
        char db[4400], line[4096];
        suite_db_path(cfg, config_track_name(u->track), u->server->name, v[i].name, k, db,
                      sizeof(db));
        printf("%s %s %s %d %s: ", u->server->name, config_track_name(u->track), v[i].name, k, db);
        if (u->server->unavailable[0]) {
            printf("not available: %s\n", u->server->unavailable);
            continue;
        }
        struct load_target t = { .db = db, .label = u->server->name,
                                 .tcp = u->server->protocol == PROTO_TCP,
                                 .stats_cmd = remote ? stats_cmd : NULL };
        static struct command cmd;
        if (command_build(cfg, &v[i], &t, &cmd) < 0) {
            printf("(the command does not fit)\n");
            continue;
        }
        child_format(cmd.argv, line, sizeof(line));
        printf("%s\n", line);
    }
}

int suite_print(const struct suite_config *cfg, const struct server *servers, int n_servers,
                bool remote)
{
    struct plan p;
    if (plan_make(cfg, servers, n_servers, &p) < 0)
        return -1;
    printf("runsuite: dry run, seed %lu: SERVER TRACK VARIANT REPEAT DATABASE: COMMAND\n", p.seed);
    for (int i = 0; i < p.n_units * cfg->repeat; i++)
        print_unit(cfg, &p.units[p.order[i]], i / p.n_units + 1, remote);
    plan_free(&p);
    return 0;
}
