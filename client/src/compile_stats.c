/* ./compile_stats [--json | --csv DIR] DB: a run's aggregates. Percentiles
 * are exact (nearest rank over all sorted values, see stats.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "stats.h"

#define MAX_EXITS 256

struct exit_count {
    char *reason;
    long long n;
};

struct run {
    char *label;
    long long clients, handshakes, sent, recv, timeouts, crashes, bad_echoes;
    struct exit_count exits[MAX_EXITS];
    unsigned n_exits;
    bool client_bound, complete;
    struct stats_summary hs, lat, lat_actual;
    long long peak_pss, peak_rss;        /* -1: none */
    double server_cpu;                   /* <0: none */
    double seconds;
};

static sqlite3 *h;
static const char *db_path;

static void die_sql(void)
{
    fprintf(stderr, "compile_stats: %s: %s\n", db_path, sqlite3_errmsg(h));
    sqlite3_close(h);
    exit(1);
}

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        die_sql();
    return st;
}

static long long count_type(const char *type)
{
    sqlite3_stmt *st = prepare("SELECT count(*) FROM events WHERE type = ?1");
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return n;
}

/* Summarizes an integer column of one event type. */
static void summarize(const char *type, const char *column, struct stats_summary *s)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM events WHERE type = ?1 AND %s IS NOT NULL", column, column);
    sqlite3_stmt *st = prepare(sql);
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    struct stats_vec v = {0};
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (stats_vec_push(&v, sqlite3_column_int64(st, 0)) < 0) {
            fprintf(stderr, "compile_stats: out of memory\n");
            exit(1);
        }
    if (r != SQLITE_DONE)
        die_sql();
    sqlite3_finalize(st);
    stats_summarize(v.v, v.n, s);
    stats_vec_free(&v);
}

static char *meta(const char *key)
{
    sqlite3_stmt *st = prepare("SELECT value FROM meta WHERE key = ?1");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

static void load(struct run *r)
{
    memset(r, 0, sizeof *r);
    r->label = meta("label");
    if (!r->label)
        r->label = strdup("");
    char *v = meta("client_bound");
    r->client_bound = v && strcmp(v, "1") == 0;
    free(v);
    v = meta("complete");
    r->complete = v && strcmp(v, "1") == 0;
    free(v);

    r->clients = count_type("ws_init");
    r->handshakes = count_type("ws_onopen");
    r->sent = count_type("message_send");
    r->recv = count_type("message_recv");
    summarize("ws_onopen", "event_data", &r->hs);
    summarize("message_recv", "event_data", &r->lat);
    summarize("message_recv", "actual_us", &r->lat_actual);

    sqlite3_stmt *st = prepare("SELECT event_data, count(*) FROM events WHERE type = 'exit' "
                               "GROUP BY event_data ORDER BY 2 DESC, 1");
    while (sqlite3_step(st) == SQLITE_ROW && r->n_exits < MAX_EXITS) {
        const char *reason = (const char *)sqlite3_column_text(st, 0);
        long long n = sqlite3_column_int64(st, 1);
        r->exits[r->n_exits].reason = strdup(reason ? reason : "");
        r->exits[r->n_exits++].n = n;
        if (!reason)
            continue;
        if (event_exit_is_timeout(reason))
            r->timeouts += n;
        else if (strcmp(reason, "run_end") != 0)
            r->crashes += n;
        if (!strcmp(reason, "bad_echo"))
            r->bad_echoes += n;
    }
    sqlite3_finalize(st);

    st = prepare("SELECT max(server_pss_bytes), max(server_rss_bytes), "
                 "max(server_cpu_seconds), max(second) FROM samples");
    r->peak_pss = r->peak_rss = -1;
    r->server_cpu = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            r->peak_pss = sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            r->peak_rss = sqlite3_column_int64(st, 1);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            r->server_cpu = sqlite3_column_double(st, 2);
        r->seconds = sqlite3_column_double(st, 3);
    }
    sqlite3_finalize(st);
    v = meta("seconds_run");
    if (v)
        r->seconds = atof(v);
    free(v);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_summary(FILE *f, const char *name, const struct stats_summary *s)
{
    fprintf(f, ",\"%s\":{\"count\":%llu,\"min\":%lld,\"mean\":%.3f,\"p50\":%lld,"
            "\"p90\":%lld,\"p99\":%lld,\"p999\":%lld,\"max\":%lld}",
            name, (unsigned long long)s->count, (long long)s->min, s->mean,
            (long long)s->p50, (long long)s->p90, (long long)s->p99,
            (long long)s->p999, (long long)s->max);
}

static void print_json(const struct run *r)
{
    FILE *f = stdout;
    fputs("{\"label\":", f);
    json_string(f, r->label);
    fprintf(f, ",\"clients\":%lld,\"handshakes\":%lld,\"connection_timeouts\":%lld,"
            "\"crashes\":%lld,\"messages_sent\":%lld,\"messages_recv\":%lld,"
            "\"messages_lost\":%lld,\"bad_echoes\":%lld,\"client_bound\":%s,"
            "\"complete\":%s,\"exits\":{",
            r->clients, r->handshakes, r->timeouts, r->crashes, r->sent, r->recv,
            r->sent - r->recv, r->bad_echoes, r->client_bound ? "true" : "false",
            r->complete ? "true" : "false");
    for (unsigned i = 0; i < r->n_exits; i++) {
        if (i)
            fputc(',', f);
        json_string(f, r->exits[i].reason);
        fprintf(f, ":%lld", r->exits[i].n);
    }
    fputc('}', f);
    json_summary(f, "handshake_time_us", &r->hs);
    json_summary(f, "message_latency_us", &r->lat);
    json_summary(f, "message_latency_actual_us", &r->lat_actual);
    fputs(",\"server_peak_pss_bytes\":", f);
    r->peak_pss < 0 ? fputs("null", f) : fprintf(f, "%lld", r->peak_pss);
    fputs(",\"server_peak_rss_bytes\":", f);
    r->peak_rss < 0 ? fputs("null", f) : fprintf(f, "%lld", r->peak_rss);
    fputs(",\"server_cpu_seconds\":", f);
    r->server_cpu < 0 ? fputs("null", f) : fprintf(f, "%.3f", r->server_cpu);
    fprintf(f, ",\"seconds\":%.3f}\n", r->seconds);
}

static void text_summary(const char *name, const struct stats_summary *s)
{
    if (!s->count) {
        printf("%-24s count 0\n", name);
        return;
    }
    printf("%-24s count %llu  min %.3f  mean %.3f  p50 %.3f  p90 %.3f  p99 %.3f  "
           "p99.9 %.3f  max %.3f  (ms)\n",
           name, (unsigned long long)s->count, s->min / 1e3, s->mean / 1e3,
           s->p50 / 1e3, s->p90 / 1e3, s->p99 / 1e3, s->p999 / 1e3, s->max / 1e3);
}

static void print_text(const struct run *r)
{
    printf("%-24s %s\n", "label", r->label);
    printf("%-24s %.3f%s\n", "seconds", r->seconds, r->complete ? "" : "  (run incomplete)");
    printf("%-24s %lld\n", "clients", r->clients);
    printf("%-24s %lld\n", "handshakes", r->handshakes);
    text_summary("handshake_time", &r->hs);
    printf("%-24s %lld\n", "messages_sent", r->sent);
    printf("%-24s %lld\n", "messages_recv", r->recv);
    printf("%-24s %lld\n", "messages_lost", r->sent - r->recv);
    text_summary("message_latency", &r->lat);
    text_summary("message_latency_actual", &r->lat_actual);
    printf("%-24s %lld\n", "connection_timeouts", r->timeouts);
    printf("%-24s %lld\n", "crashes", r->crashes);
    printf("%-24s %lld\n", "bad_echoes", r->bad_echoes);
    printf("exits\n");
    for (unsigned i = 0; i < r->n_exits; i++)
        printf("  %-22s %lld\n", r->exits[i].reason, r->exits[i].n);
    if (r->peak_pss >= 0)
        printf("%-24s %.1f MiB (rss %.1f MiB)\n", "server_peak_pss",
               r->peak_pss / 1048576.0, r->peak_rss / 1048576.0);
    if (r->server_cpu >= 0)
        printf("%-24s %.3f\n", "server_cpu_seconds", r->server_cpu);
    printf("%-24s %s\n", "client_bound", r->client_bound ? "yes" : "no");
}

/* Copies (timestamp, column) of one event type into DIR/name. */
static int write_pairs(const char *dir, const char *name, const char *type,
                       const char *column)
{
    char path[4096], sql[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "compile_stats: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fputs("timestamp,elapsed_us\n", f);
    snprintf(sql, sizeof sql, "SELECT timestamp, %s FROM events WHERE type = ?1 "
                              "ORDER BY timestamp, rowid", column);
    sqlite3_stmt *st = prepare(sql);
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(f, "%lld,%lld\n", (long long)sqlite3_column_int64(st, 0),
                (long long)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    if (fclose(f) != 0) {
        fprintf(stderr, "compile_stats: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_csv(const char *dir, const struct run *r)
{
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "compile_stats: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/counts.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "compile_stats: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "name,value\nclients,%lld\nhandshakes,%lld\nmessages_sent,%lld\n"
            "messages_recv,%lld\nmessages_lost,%lld\nconnection_timeouts,%lld\n"
            "crashes,%lld\nbad_echoes,%lld\nclient_bound,%d\n",
            r->clients, r->handshakes, r->sent, r->recv, r->sent - r->recv,
            r->timeouts, r->crashes, r->bad_echoes, r->client_bound);
    for (unsigned i = 0; i < r->n_exits; i++)
        fprintf(f, "exit:%s,%lld\n", r->exits[i].reason, r->exits[i].n);
    if (fclose(f) != 0) {
        fprintf(stderr, "compile_stats: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (write_pairs(dir, "handshake_times.csv", "ws_onopen", "event_data") < 0 ||
        write_pairs(dir, "message_latencies.csv", "message_recv", "event_data") < 0)
        return -1;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: compile_stats DB             aggregates, readable\n"
               "       compile_stats --json DB      one JSON object\n"
               "       compile_stats --csv DIR DB   counts.csv, handshake_times.csv,\n"
               "                                    message_latencies.csv into DIR\n");
}

int main(int argc, char **argv)
{
    enum { TEXT, JSON, CSV } mode;
    const char *dir = NULL;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && argv[1][0] != '-') {
        mode = TEXT;
        db_path = argv[1];
    } else if (argc == 3 && !strcmp(argv[1], "--json")) {
        mode = JSON;
        db_path = argv[2];
    } else if (argc == 4 && !strcmp(argv[1], "--csv")) {
        mode = CSV;
        dir = argv[2];
        db_path = argv[3];
    } else {
        usage(stderr);
        return 2;
    }
    char err[512];
    h = db_open_readonly(db_path, err, sizeof err);
    if (!h) {
        fprintf(stderr, "compile_stats: %s\n", err);
        return 1;
    }
    static struct run r;
    load(&r);
    int status = 0;
    if (mode == JSON)
        print_json(&r);
    else if (mode == TEXT)
        print_text(&r);
    else
        status = write_csv(dir, &r) < 0;
    if (fflush(stdout) != 0) {
        perror("compile_stats: stdout");
        status = 1;
    }
    for (unsigned i = 0; i < r.n_exits; i++)
        free(r.exits[i].reason);
    free(r.label);
    sqlite3_close(h);
    return status;
}
