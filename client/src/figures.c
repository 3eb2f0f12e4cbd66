#include "figures.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracks.h"

void fig_num(struct figures *fs, const char *name, double v)
{
    if (fs->n == FIG_MAX)
        abort();   /* a programming error: FIG_MAX holds every track's figures */
    fs->f[fs->n++] = (struct figure){.name = name, .v = v};
}

void fig_bool(struct figures *fs, const char *name, int v)
{
    fig_num(fs, name, v < 0 ? NAN : v);
    fs->f[fs->n - 1].is_bool = true;
}

double fig_get(const struct figures *fs, const char *name)
{
    for (unsigned i = 0; i < fs->n; i++)
        if (!strcmp(fs->f[i].name, name))
            return fs->f[i].v;
    return NAN;
}

void fig_check_noisy(struct figures *fs, const char *name, const char *method, double second,
                     double noise, double second_noise)
{
    double v = fig_get(fs, name);
    if (isnan(second) || fs->n_checks == FIG_MAX_CHECKS)
        return;
    struct fig_check *c = &fs->checks[fs->n_checks++];
    *c = (struct fig_check){.figure = name, .method = method, .value = v, .second = second,
                            .noise = noise, .second_noise = second_noise};
    /* A growth at or below its noise, a negative one too (the server shrank), is
     * nothing measured (the report's "< noise"). False on NAN. */
    bool in_noise = v <= noise && second <= second_noise;
    c->agree = isnan(v) || in_noise ? -1 : fabs(second - v) <= FIG_CHECK_TOLERANCE * fabs(v);
}

void fig_check(struct figures *fs, const char *name, const char *method, double second)
{
    fig_check_noisy(fs, name, method, second, NAN, NAN);
}

/* The nearest-rank p99 of the echoes' latencies by SQLite's own ORDER BY, not
 * stats.c's sort: the rank ceil(0.99 n) (n is at most 2^53, so exact). */
static double sql_p99(const struct run *r)
{
    uint64_t n = r->lat.count;
    if (!n)
        return NAN;
    sqlite3_stmt *st;
    double v = NAN;
    if (sqlite3_prepare_v2(r->h, "SELECT event_data FROM events WHERE type = 'message_recv' "
                                 "AND event_data IS NOT NULL ORDER BY event_data LIMIT 1 "
                                 "OFFSET ?1", -1, &st, NULL) != SQLITE_OK)
        return NAN;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)((n * 99 + 99) / 100 - 1));
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* c10k's p99 from the events (every echo, nearest rank) against the same
 * rank by SQL, and against the client's live per-second p99 (runtest's
 * parent, over each second's echoes as they arrive, no database between):
 * the median over the seconds with echoes, a different statistic that
 * agrees only when the latency is steady over the run. */
static int c10k_check(const struct run *r, struct figures *fs, char *err, size_t errlen)
{
    fig_check(fs, "latency_p99_us", "the same rank of the events by SQLite's ORDER BY (not "
                                    "stats.c)", sql_p99(r));
    struct stats_vec v = {0};
    for (size_t i = 0; i < r->n_samples; i++) {
        const struct sample *s = &r->samples[i];
        if (s->recv > 0 && !isnan(s->latency_p99_us) &&
            stats_vec_push(&v, (int64_t)s->latency_p99_us) < 0) {
            stats_vec_free(&v);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    struct stats_summary sum;
    stats_summarize(v.v, v.n, &sum);
    fig_check(fs, "latency_p99_us", "the median of the client's live per-second p99 "
                                    "(samples.latency_p99_us; it agrees only when latency is "
                                    "steady over the run)", v.n ? (double)sum.p50 : NAN);
    stats_vec_free(&v);
    return 0;
}

const char *figures_track(const struct run *r)
{
    static const char *const BY_MODE[][2] = {
        {"saturate", "throughput"}, {"hold", "capacity"}, {"storm", "handshakes"},
        {"steps", "slo"},
    };
    const char *t = run_meta(r, "suite.track");
    if (t && *t)
        return t;
    const char *mode = run_meta(r, "mode");
    for (size_t i = 0; mode && i < sizeof BY_MODE / sizeof BY_MODE[0]; i++)
        if (!strcmp(mode, BY_MODE[i][0]))
            return BY_MODE[i][1];
    return "c10k";
}

const struct sample *fig_second_zero(const struct run *r)
{
    return r->n_samples && r->samples[0].second == 0 ? &r->samples[0] : NULL;
}

double fig_first(const struct run *r, size_t offset)
{
    for (size_t i = 0; i < r->n_samples; i++) {
        double v = *(const double *)((const char *)&r->samples[i] + offset);
        if (!isnan(v))
            return v;
    }
    return NAN;
}

double fig_pss_base(const struct run *r, const char **how)
{
    const struct sample *s0 = fig_second_zero(r);
    if (s0 && !isnan(s0->server_pss_bytes)) {
        *how = "second 0";
        return s0->server_pss_bytes;
    }
    double idle = run_meta_num(r, "suite.server_idle_pss_bytes");
    if (!isnan(idle)) {
        *how = "idle PSS";
        return idle;
    }
    *how = "first sample";
    return fig_first(r, offsetof(struct sample, server_pss_bytes));
}

double fig_page_size(const struct run *r)
{
    double p = run_meta_num(r, "env.page_size");
    return isnan(p) || p <= 0 ? 4096 : p;
}

double fig_pss_noise_bytes(const struct run *r)
{
    double page = fig_page_size(r);
    const struct sample *s0 = fig_second_zero(r);
    double idle = run_meta_num(r, "suite.server_idle_pss_bytes");
    if (!s0 || isnan(s0->server_pss_bytes) || isnan(idle))
        return page;
    double d = fabs(idle - s0->server_pss_bytes);
    return d > page ? d : page;
}

static double peak(const struct run *r, size_t offset)
{
    double m = NAN;
    for (size_t i = 0; i < r->n_samples; i++) {
        double v = *(const double *)((const char *)&r->samples[i] + offset);
        if (!isnan(v) && (isnan(m) || v > m))
            m = v;
    }
    return m;
}

static double per(double amount, double n)
{
    return n > 0 ? amount / n : NAN;
}

/* A percentile of a summary, or none when nothing was measured. */
static double pct(const struct stats_summary *s, int64_t v)
{
    return s->count ? (double)v : NAN;
}

static void common(const struct run *r, struct figures *fs)
{
    fig_num(fs, "clients", (double)r->clients);
    fig_num(fs, "handshakes", (double)r->handshakes);
    fig_num(fs, "connection_timeouts", (double)r->timeouts);
    fig_num(fs, "crashes", (double)r->crashes);
    fig_num(fs, "messages_sent", (double)r->sent);
    fig_num(fs, "messages_recv", (double)r->recv);
    fig_num(fs, "messages_lost", (double)(r->sent - r->recv));
    fig_num(fs, "bad_echoes", (double)r->bad_echoes);
    fig_num(fs, "latency_p50_us", pct(&r->lat, r->lat.p50));
    fig_num(fs, "latency_p99_us", pct(&r->lat, r->lat.p99));
    fig_num(fs, "latency_p999_us", pct(&r->lat, r->lat.p999));
    fig_num(fs, "latency_max_us", pct(&r->lat, r->lat.max));
    fig_num(fs, "handshake_p50_us", pct(&r->hs, r->hs.p50));
    fig_num(fs, "handshake_p99_us", pct(&r->hs, r->hs.p99));
    fig_num(fs, "handshake_max_us", pct(&r->hs, r->hs.max));

    /* Memory: what the connections added, (peak - before the load) / clients. */
    double clients = (double)r->clients;
    double pss_peak = peak(r, offsetof(struct sample, server_pss_bytes));
    fig_num(fs, "peak_pss_bytes", pss_peak);
    fig_num(fs, "pss_bytes_per_conn", per(pss_peak - fig_pss_base(r, &fs->baseline), clients));
    fig_num(fs, "pss_bytes_per_conn_noise", per(fig_pss_noise_bytes(r), clients));
    double page = fig_page_size(r);
    size_t tcp = offsetof(struct sample, tcp_mem_pages);
    fig_num(fs, "tcp_mem_bytes_per_conn", per((peak(r, tcp) - fig_first(r, tcp)) * page, clients));
    fig_num(fs, "tcp_mem_bytes_per_conn_noise", per(page, clients));
    double cpu = r->server_cpu >= 0 ? r->server_cpu : NAN;
    fig_num(fs, "cpu_us_per_message", per(cpu * 1e6, (double)r->recv));

    fig_bool(fs, "client_bound", r->client_bound);
    double mb = run_meta_num(r, "machine_bound");
    fig_bool(fs, "machine_bound", isnan(mb) ? -1 : mb != 0);
    fig_num(fs, "machine_idle_share", run_meta_num(r, "machine_idle_share"));
}

int figures_compute(const struct run *r, struct figures *fs, char *err, size_t errlen)
{
    memset(fs, 0, sizeof *fs);
    fs->track = figures_track(r);
    fs->baseline = "";
    if (!r->recorded)
        return 0;
    common(r, fs);
    if (!strcmp(fs->track, "throughput"))
        return track_throughput(r, fs, err, errlen);
    if (!strcmp(fs->track, "capacity"))
        return track_capacity(r, fs, err, errlen);
    if (!strcmp(fs->track, "handshakes"))
        return track_handshakes(r, fs, err, errlen);
    if (!strcmp(fs->track, "slo"))
        return track_slo(r, fs, err, errlen);
    return c10k_check(r, fs, err, errlen);
}

void figures_free(struct figures *fs)
{
    for (size_t i = 0; i < fs->n_failures; i++)
        free(fs->failures[i].reason);
    free(fs->failures);
    fs->failures = NULL;
    fs->n_failures = 0;
}
