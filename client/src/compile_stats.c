/* ./compile_stats [--json | --csv DIR] DB: a run's aggregates and figures,
 * the one source of every number the kit's report shows. Percentiles are
 * exact (nearest rank over all sorted values, stats.h); the figures and
 * their rules are figures.c's and the tracks'. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "figures.h"
#include "json.h"
#include "run.h"
#include "stats.h"

/* Percentiles of the distribution charts, in thousandths of a percent: evenly
 * spaced on the 1/(1-p) axis HdrHistogram uses, 100 * (1 - 10^(-k/20)) for
 * k = 0..100 rounded to 0.001% (where two k round alike, one is kept). */
static const uint32_t CURVE_MILLI[] = {
    0, 10875, 20567, 29205, 36904, 43766, 49881, 55332, 60189, 64519, 68377, 71816,
    74881, 77613, 80047, 82217, 84151, 85875, 87411, 88780, 90000, 91087, 92057, 92921,
    93690, 94377, 94988, 95533, 96019, 96452, 96838, 97182, 97488, 97761, 98005, 98222,
    98415, 98587, 98741, 98878, 99000, 99109, 99206, 99292, 99369, 99438, 99499, 99553,
    99602, 99645, 99684, 99718, 99749, 99776, 99800, 99822, 99842, 99859, 99874, 99888,
    99900, 99911, 99921, 99929, 99937, 99944, 99950, 99955, 99960, 99965, 99968, 99972,
    99975, 99978, 99980, 99982, 99984, 99986, 99987, 99989, 99990, 99991, 99992, 99993,
    99994, 99995, 99996, 99997, 99998, 99999,
};

static void json_summary(struct json *j, const char *name, const struct stats_summary *s)
{
    json_object(j, name);
    json_int(j, "count", (long long)s->count);
    json_int(j, "min", (long long)s->min);
    json_fixed(j, "mean", s->mean, 3);
    json_int(j, "p50", (long long)s->p50);
    json_int(j, "p90", (long long)s->p90);
    json_int(j, "p99", (long long)s->p99);
    json_int(j, "p999", (long long)s->p999);
    json_int(j, "max", (long long)s->max);
    json_end(j, '}');
}

static void json_peak(struct json *j, const char *key, long long v)
{
    if (v < 0)
        json_null(j, key);
    else
        json_int(j, key, v);
}

/* [percent, value] pairs up to the rank the values can tell (a p beyond
 * 1 - 1/n is the maximum), then the maximum at 100. */
static void json_curve(struct json *j, const char *key, const struct stats_vec *sorted)
{
    json_array(j, key);
    for (size_t i = 0; sorted->n && i < sizeof CURVE_MILLI / sizeof CURVE_MILLI[0]; i++) {
        uint32_t p = CURVE_MILLI[i];
        if (p > 0 && (double)sorted->n * (100000 - p) < 100000)
            break;
        json_array(j, NULL);
        json_number(j, NULL, p / 1000.0);
        json_int(j, NULL, (long long)stats_percentile(sorted->v, sorted->n, p));
        json_end(j, ']');
    }
    if (sorted->n) {
        json_array(j, NULL);
        json_int(j, NULL, 100);
        json_int(j, NULL, (long long)sorted->v[sorted->n - 1]);
        json_end(j, ']');
    }
    json_end(j, ']');
}

static void json_figures(struct json *j, const struct figures *fs)
{
    json_object(j, "figures");
    for (unsigned i = 0; i < fs->n; i++) {
        const struct figure *f = &fs->f[i];
        if (isnan(f->v))
            json_null(j, f->name);
        else if (f->is_bool)
            json_bool(j, f->name, f->v != 0);
        else
            json_number(j, f->name, f->v);
    }
    json_end(j, '}');
    json_array(j, "steps");
    for (unsigned i = 0; i < fs->n_steps; i++) {
        const struct slo_step *s = &fs->steps[i];
        json_object(j, NULL);
        json_int(j, "step", i + 1);
        json_number(j, "offered_msgs_per_s", s->offered);
        json_number(j, "achieved_msgs_per_s", s->achieved);
        json_int(j, "sent", s->sent);
        json_int(j, "recv", s->recv);
        json_int(j, "lost", s->sent - s->recv);
        json_number(j, "latency_p50_us", s->lat.count ? (double)s->lat.p50 : NAN);
        json_number(j, "latency_p99_us", s->lat.count ? (double)s->lat.p99 : NAN);
        json_number(j, "latency_p999_us", s->lat.count ? (double)s->lat.p999 : NAN);
        if (s->met < 0)
            json_null(j, "met");
        else
            json_bool(j, "met", s->met);
        json_end(j, '}');
    }
    json_end(j, ']');
    json_number(j, "check_tolerance", FIG_CHECK_TOLERANCE);
    json_array(j, "checks");
    for (unsigned i = 0; i < fs->n_checks; i++) {
        const struct fig_check *c = &fs->checks[i];
        json_object(j, NULL);
        json_string(j, "figure", c->figure);
        json_number(j, "value", c->value);
        json_string(j, "method", c->method);
        json_number(j, "second", c->second);
        json_number(j, "noise", c->noise);
        json_number(j, "second_noise", c->second_noise);
        if (c->agree < 0)
            json_null(j, "agree");
        else
            json_bool(j, "agree", c->agree);
        json_end(j, '}');
    }
    json_end(j, ']');
    json_object(j, "handshake_failures");
    for (size_t i = 0; i < fs->n_failures; i++)
        json_int(j, fs->failures[i].reason, fs->failures[i].n);
    json_end(j, '}');
}

static void json_series(struct json *j, const struct run *r)
{
    json_object(j, "series");
    for (size_t c = 0; c < RUN_N_SAMPLE_COLUMNS; c++) {
        json_array(j, RUN_SAMPLE_COLUMNS[c].name);
        for (size_t i = 0; i < r->n_samples; i++)
            json_number(j, NULL, *(const double *)((const char *)&r->samples[i] +
                                                    RUN_SAMPLE_COLUMNS[c].offset));
        json_end(j, ']');
    }
    json_end(j, '}');
}

static void json_meta(struct json *j, const struct run *r)
{
    json_object(j, "meta");
    for (size_t i = 0; i < r->n_meta; i++)
        json_string(j, r->meta[i].key, r->meta[i].value);
    json_end(j, '}');
}

static void print_json(const char *db_path, const struct run *r, const struct figures *fs)
{
    struct json j;
    json_init(&j, stdout);
    json_object(&j, NULL);
    const char *label = run_meta(r, "label");
    json_string(&j, "label", label ? label : "");
    if (r->recorded) {
        /* The keys of old, in their order and format. */
        json_int(&j, "clients", r->clients);
        json_int(&j, "handshakes", r->handshakes);
        json_int(&j, "connection_timeouts", r->timeouts);
        json_int(&j, "crashes", r->crashes);
        json_int(&j, "messages_sent", r->sent);
        json_int(&j, "messages_recv", r->recv);
        json_int(&j, "messages_lost", r->sent - r->recv);
        json_int(&j, "bad_echoes", r->bad_echoes);
        json_bool(&j, "client_bound", r->client_bound);
        json_bool(&j, "complete", r->complete);
        json_object(&j, "exits");
        for (size_t i = 0; i < r->n_exits; i++)
            json_int(&j, r->exits[i].reason, r->exits[i].n);
        json_end(&j, '}');
        json_summary(&j, "handshake_time_us", &r->hs);
        json_summary(&j, "message_latency_us", &r->lat);
        json_summary(&j, "message_latency_actual_us", &r->lat_actual);
        json_peak(&j, "server_peak_pss_bytes", r->peak_pss);
        json_peak(&j, "server_peak_rss_bytes", r->peak_rss);
        if (r->server_cpu < 0)
            json_null(&j, "server_cpu_seconds");
        else
            json_fixed(&j, "server_cpu_seconds", r->server_cpu, 3);
        json_fixed(&j, "seconds", r->seconds, 3);
    }
    json_bool(&j, "recorded", r->recorded);
    json_string(&j, "track", fs->track);
    if (r->recorded) {
        json_string(&j, "baseline", fs->baseline);
        json_figures(&j, fs);
        json_object(&j, "distributions");
        json_curve(&j, "message_latency_us", &r->lat_sorted);
        json_curve(&j, "handshake_time_us", &r->hs_sorted);
        json_end(&j, '}');
        json_series(&j, r);
    }
    json_meta(&j, r);
    json_string(&j, "db", db_path);
    json_end(&j, '}');
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

static void text_figures(const struct figures *fs)
{
    printf("figures (track %s; memory counted from the %s)\n", fs->track,
           fs->baseline[0] ? fs->baseline : "-");
    for (unsigned i = 0; i < fs->n; i++) {
        const struct figure *f = &fs->f[i];
        if (isnan(f->v))
            printf("  %-44s -\n", f->name);
        else if (f->is_bool)
            printf("  %-44s %s\n", f->name, f->v != 0 ? "yes" : "no");
        else
            printf("  %-44s %.6g\n", f->name, f->v);
    }
    for (unsigned i = 0; i < fs->n_steps; i++) {
        const struct slo_step *s = &fs->steps[i];
        printf("  step %-2u offered %.0f/s  achieved %.0f/s  lost %lld  p50 %.3f  p99 %.3f  "
               "p99.9 %.3f ms  %s\n", i + 1, s->offered, s->achieved, s->sent - s->recv,
               s->lat.p50 / 1e3, s->lat.p99 / 1e3, s->lat.p999 / 1e3,
               s->met < 0 ? "" : s->met ? "met" : "missed");
    }
    for (size_t i = 0; i < fs->n_failures; i++)
        printf("  never opened: %-29s %lld\n", fs->failures[i].reason, fs->failures[i].n);
}

static void print_text(const struct run *r, const struct figures *fs)
{
    const char *label = run_meta(r, "label");
    printf("%-24s %s\n", "label", label ? label : "");
    if (!r->recorded) {
        printf("no run recorded: the runner's meta rows alone (suite.status %s)\n",
               run_meta(r, "suite.status") ? run_meta(r, "suite.status") : "unknown");
        return;
    }
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
    for (size_t i = 0; i < r->n_exits; i++)
        printf("  %-22s %lld\n", r->exits[i].reason, r->exits[i].n);
    if (r->peak_pss >= 0)
        printf("%-24s %.1f MiB (rss %.1f MiB)\n", "server_peak_pss",
               r->peak_pss / 1048576.0, r->peak_rss / 1048576.0);
    if (r->server_cpu >= 0)
        printf("%-24s %.3f\n", "server_cpu_seconds", r->server_cpu);
    printf("%-24s %s\n", "client_bound", r->client_bound ? "yes" : "no");
    text_figures(fs);
}

static int csv_failed(const char *path)
{
    fprintf(stderr, "compile_stats: %s: %s\n", path, strerror(errno));
    return -1;
}

/* Copies (timestamp, column) of one event type into DIR/name. */
static int write_pairs(const struct run *r, const char *dir, const char *name,
                       const char *type, const char *column)
{
    char path[4096], sql[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return csv_failed(path);
    fputs("timestamp,elapsed_us\n", f);
    snprintf(sql, sizeof sql, "SELECT timestamp, %s FROM events WHERE type = ?1 "
                              "ORDER BY timestamp, rowid", column);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->h, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "compile_stats: %s\n", sqlite3_errmsg(r->h));
        fclose(f);
        return -1;
    }
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(f, "%lld,%lld\n", (long long)sqlite3_column_int64(st, 0),
                (long long)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    return fclose(f) != 0 ? csv_failed(path) : 0;
}

static int write_csv(const char *dir, const struct run *r)
{
    if (mkdir(dir, 0777) < 0 && errno != EEXIST)
        return csv_failed(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/counts.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return csv_failed(path);
    fprintf(f, "name,value\nclients,%lld\nhandshakes,%lld\nmessages_sent,%lld\n"
            "messages_recv,%lld\nmessages_lost,%lld\nconnection_timeouts,%lld\n"
            "crashes,%lld\nbad_echoes,%lld\nclient_bound,%d\n",
            r->clients, r->handshakes, r->sent, r->recv, r->sent - r->recv,
            r->timeouts, r->crashes, r->bad_echoes, r->client_bound);
    for (size_t i = 0; i < r->n_exits; i++)
        fprintf(f, "exit:%s,%lld\n", r->exits[i].reason, r->exits[i].n);
    if (fclose(f) != 0)
        return csv_failed(path);
    if (write_pairs(r, dir, "handshake_times.csv", "ws_onopen", "event_data") < 0 ||
        write_pairs(r, dir, "message_latencies.csv", "message_recv", "event_data") < 0)
        return -1;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: compile_stats DB             aggregates and figures, readable\n"
               "       compile_stats --json DB...   one JSON object per database, one a line\n"
               "                                    (client/README.md)\n"
               "       compile_stats --csv DIR DB   counts.csv, handshake_times.csv,\n"
               "                                    message_latencies.csv into DIR\n");
}

enum mode { TEXT, JSON, CSV };

/* Loads one database and writes it out in mode; returns the exit status. */
static int compile_one(enum mode mode, const char *db_path, const char *dir)
{
    char err[512];
    static struct run r;
    static struct figures fs;
    if (run_load(&r, db_path, err, sizeof err) < 0 ||
        figures_compute(&r, &fs, err, sizeof err) < 0) {
        /* db_open_readonly's messages name the file; the others do not. */
        if (strstr(err, db_path))
            fprintf(stderr, "compile_stats: %s\n", err);
        else
            fprintf(stderr, "compile_stats: %s: %s\n", db_path, err);
        figures_free(&fs);
        run_free(&r);
        return 1;
    }
    int status = 0;
    if (mode == JSON)
        print_json(db_path, &r, &fs);
    else if (mode == TEXT)
        print_text(&r, &fs);
    else if (!r.recorded) {
        fprintf(stderr, "compile_stats: %s: no run recorded (meta rows alone)\n", db_path);
        status = 1;
    } else
        status = write_csv(dir, &r) < 0;
    figures_free(&fs);
    run_free(&r);
    return status;
}

int main(int argc, char **argv)
{
    enum mode mode;
    const char *dir = NULL;
    int first;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && argv[1][0] != '-') {
        mode = TEXT;
        first = 1;
    } else if (argc >= 3 && !strcmp(argv[1], "--json")) {
        mode = JSON;
        first = 2;
    } else if (argc == 4 && !strcmp(argv[1], "--csv")) {
        mode = CSV;
        dir = argv[2];
        first = 3;
    } else {
        usage(stderr);
        return 2;
    }
    /* A database that cannot be read is named on stderr and the others are
     * still compiled; each JSON object names its database ("db"). */
    int status = 0;
    for (int i = first; i < argc; i++)
        if (compile_one(mode, argv[i], dir) != 0)
            status = 1;
    if (fflush(stdout) != 0) {
        perror("compile_stats: stdout");
        status = 1;
    }
    return status;
}
