#include "run.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "event.h"

static int sql_error(const struct run *r, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", sqlite3_errmsg(r->h));
    return -1;
}

static int oom(char *err, size_t errlen)
{
    snprintf(err, errlen, "out of memory");
    return -1;
}

const char *run_meta(const struct run *r, const char *key)
{
    for (size_t i = 0; i < r->n_meta; i++)
        if (!strcmp(r->meta[i].key, key))
            return r->meta[i].value;
    return NULL;
}

double run_meta_num(const struct run *r, const char *key)
{
    const char *v = run_meta(r, key);
    if (!v || !*v)
        return NAN;
    char *end;
    double d = strtod(v, &end);
    return *end ? NAN : d;
}

static bool has_table(sqlite3 *h, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    bool yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

static int load_meta(struct run *r, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->h, "SELECT key, value FROM meta ORDER BY key", -1, &st, NULL)
        != SQLITE_OK)
        return sql_error(r, err, errlen);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (r->n_meta == cap) {
            cap = cap ? cap * 2 : 64;
            struct meta_row *m = realloc(r->meta, cap * sizeof *m);
            if (!m) {
                sqlite3_finalize(st);
                return oom(err, errlen);
            }
            r->meta = m;
        }
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        struct meta_row *m = &r->meta[r->n_meta];
        m->key = strdup(k ? k : "");
        m->value = strdup(v ? v : "");
        if (!m->key || !m->value) {
            free(m->key);
            free(m->value);
            sqlite3_finalize(st);
            return oom(err, errlen);
        }
        r->n_meta++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_error(r, err, errlen);
}

static long long count_type(const struct run *r, const char *type)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->h, "SELECT count(*) FROM events WHERE type = ?1", -1, &st, NULL)
        != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

long long run_count_events(const struct run *r, const char *type, const char *where,
                           int64_t a, int64_t b, char *err, size_t errlen)
{
    char sql[256];
    sqlite3_stmt *st;
    long long n = -1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE type = ?1 AND (%s)", where);
    if (sqlite3_prepare_v2(r->h, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, a);
        sqlite3_bind_int64(st, 3, b);   /* SQLITE_RANGE where WHERE has no ?3: nothing bound */
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (n < 0)
        sql_error(r, err, errlen);
    return n;
}

int run_query_values(const struct run *r, const char *sql, struct stats_vec *out,
                     char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->h, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_error(r, err, errlen);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) == SQLITE_NULL)
            continue;
        if (stats_vec_push(out, sqlite3_column_int64(st, 0)) < 0) {
            sqlite3_finalize(st);
            return oom(err, errlen);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_error(r, err, errlen);
}

/* Summarizes an integer column of one event type and keeps its values sorted
 * (keep may be NULL). */
static int summarize(struct run *r, const char *type, const char *column,
                     struct stats_summary *s, struct stats_vec *keep, char *err, size_t errlen)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM events WHERE type = '%s'", column, type);
    struct stats_vec v = {0};
    if (run_query_values(r, sql, &v, err, errlen) < 0) {
        stats_vec_free(&v);
        return -1;
    }
    stats_summarize(v.v, v.n, s);
    if (keep)
        *keep = v;
    else
        stats_vec_free(&v);
    return 0;
}

static int load_exits(struct run *r, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->h, "SELECT event_data, count(*) FROM events WHERE type = 'exit' "
                                 "GROUP BY event_data ORDER BY 2 DESC, 1", -1, &st, NULL)
        != SQLITE_OK)
        return sql_error(r, err, errlen);
    int rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *reason = (const char *)sqlite3_column_text(st, 0);
        long long n = sqlite3_column_int64(st, 1);
        if (r->n_exits == cap) {
            cap = cap ? cap * 2 : 16;
            struct exit_count *e = realloc(r->exits, cap * sizeof *e);
            if (!e) {
                sqlite3_finalize(st);
                return oom(err, errlen);
            }
            r->exits = e;
        }
        char *copy = strdup(reason ? reason : "");
        if (!copy) {
            sqlite3_finalize(st);
            return oom(err, errlen);
        }
        r->exits[r->n_exits].reason = copy;
        r->exits[r->n_exits++].n = n;
        /* The exit taxonomy is event.h's. */
        if (!reason)
            continue;
        if (event_exit_is_timeout(reason))
            r->timeouts += n;
        else if (event_exit_is_crash(reason))
            r->crashes += n;
        if (!strcmp(reason, "bad_echo"))
            r->bad_echoes += n;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_error(r, err, errlen);
}

/* The samples columns compile_stats uses, by name: a column an older
 * runtest did not write stays unknown. */
const struct run_column RUN_SAMPLE_COLUMNS[] = {
#define COL(c) { #c, offsetof(struct sample, c) }
    COL(second), COL(started), COL(connected), COL(sent), COL(recv), COL(client_cpu),
    COL(tcp_mem_pages), COL(slab_bytes), COL(machine_idle_share), COL(server_pss_bytes),
    COL(server_rss_bytes), COL(server_cpu_seconds), COL(latency_p99_us),
#undef COL
};
const size_t RUN_N_SAMPLE_COLUMNS = sizeof RUN_SAMPLE_COLUMNS / sizeof RUN_SAMPLE_COLUMNS[0];

static int load_samples(struct run *r, char *err, size_t errlen)
{
    if (!has_table(r->h, "samples"))
        return 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->h, "SELECT * FROM samples ORDER BY second", -1, &st, NULL)
        != SQLITE_OK)
        return sql_error(r, err, errlen);
    int col_of[sizeof RUN_SAMPLE_COLUMNS / sizeof RUN_SAMPLE_COLUMNS[0]];
    for (size_t c = 0; c < RUN_N_SAMPLE_COLUMNS; c++) {
        col_of[c] = -1;
        for (int i = 0; i < sqlite3_column_count(st); i++)
            if (!strcmp(sqlite3_column_name(st, i), RUN_SAMPLE_COLUMNS[c].name))
                col_of[c] = i;
    }
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (r->n_samples == cap) {
            cap = cap ? cap * 2 : 256;
            struct sample *s = realloc(r->samples, cap * sizeof *s);
            if (!s) {
                sqlite3_finalize(st);
                return oom(err, errlen);
            }
            r->samples = s;
        }
        struct sample *s = &r->samples[r->n_samples++];
        for (size_t c = 0; c < RUN_N_SAMPLE_COLUMNS; c++) {
            double *field = (double *)((char *)s + RUN_SAMPLE_COLUMNS[c].offset);
            int i = col_of[c];
            *field = NAN;
            if (i >= 0 && sqlite3_column_type(st, i) != SQLITE_NULL) {
                double v = sqlite3_column_double(st, i);
                if (v >= 0)
                    *field = v;
            }
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_error(r, err, errlen);
}

/* The peaks of old: SQL max() over the column, NULLs left out. */
static void load_peaks(struct run *r)
{
    r->peak_pss = r->peak_rss = -1;
    r->server_cpu = -1;
    for (size_t i = 0; i < r->n_samples; i++) {
        const struct sample *s = &r->samples[i];
        if (!isnan(s->server_pss_bytes) && s->server_pss_bytes > r->peak_pss)
            r->peak_pss = (long long)s->server_pss_bytes;
        if (!isnan(s->server_rss_bytes) && s->server_rss_bytes > r->peak_rss)
            r->peak_rss = (long long)s->server_rss_bytes;
        if (!isnan(s->server_cpu_seconds) && s->server_cpu_seconds > r->server_cpu)
            r->server_cpu = s->server_cpu_seconds;
        r->seconds = s->second;
    }
    double run = run_meta_num(r, "seconds_run");
    if (!isnan(run))
        r->seconds = run;
}

/* A file the runner wrote for a run that never started holds meta alone. */
static sqlite3 *open_meta_only(const char *path)
{
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        has_table(h, "meta") && !has_table(h, "events"))
        return h;
    sqlite3_close(h);
    return NULL;
}

int run_load(struct run *r, const char *path, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->peak_pss = r->peak_rss = -1;
    r->server_cpu = -1;
    r->h = db_open_readonly(path, err, errlen);
    if (!r->h) {
        /* err keeps db_open_readonly's reason when this fails too. */
        r->h = open_meta_only(path);
        return r->h ? load_meta(r, err, errlen) : -1;
    }
    r->recorded = true;
    if (load_meta(r, err, errlen) < 0)
        return -1;
    const char *v = run_meta(r, "client_bound");
    r->client_bound = v && !strcmp(v, "1");
    v = run_meta(r, "complete");
    r->complete = v && !strcmp(v, "1");
    r->clients = count_type(r, "ws_init");
    r->handshakes = count_type(r, "ws_onopen");
    r->sent = count_type(r, "message_send");
    r->recv = count_type(r, "message_recv");
    if (r->clients < 0 || r->handshakes < 0 || r->sent < 0 || r->recv < 0)
        return sql_error(r, err, errlen);
    if (summarize(r, "ws_onopen", "event_data", &r->hs, &r->hs_sorted, err, errlen) < 0 ||
        summarize(r, "message_recv", "event_data", &r->lat, &r->lat_sorted, err, errlen) < 0 ||
        summarize(r, "message_recv", "actual_us", &r->lat_actual, NULL, err, errlen) < 0 ||
        load_exits(r, err, errlen) < 0 || load_samples(r, err, errlen) < 0)
        return -1;
    load_peaks(r);
    return 0;
}

void run_free(struct run *r)
{
    for (size_t i = 0; i < r->n_meta; i++) {
        free(r->meta[i].key);
        free(r->meta[i].value);
    }
    for (size_t i = 0; i < r->n_exits; i++)
        free(r->exits[i].reason);
    free(r->meta);
    free(r->exits);
    free(r->samples);
    stats_vec_free(&r->hs_sorted);
    stats_vec_free(&r->lat_sorted);
    if (r->h)
        sqlite3_close(r->h);
    memset(r, 0, sizeof *r);
}
