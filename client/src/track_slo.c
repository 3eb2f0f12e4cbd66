/* slo: latency under rising load (runtest --rate-steps). Step i covers the
 * messages *scheduled* in [steps_start_us + i * step_s, + step_s): a
 * message belongs to the load that asked for it, even when its echo comes
 * back in the next step. A step is met when no message of it was lost and
 * its p99 is within slo_p99_us; the figure is the highest offered rate of
 * the steps met before the first one missed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracks.h"

static unsigned parse_rates(const char *list, double *rates, unsigned max)
{
    unsigned n = 0;
    while (list && *list && n < max) {
        char *end;
        double v = strtod(list, &end);
        if (end == list)
            break;
        rates[n++] = v;
        list = *end == ',' ? end + 1 : end;
    }
    return n;
}

/* Step of a scheduled time, or -1 outside every step. */
static int step_of(double sched, double start, double step_us, unsigned n)
{
    if (sched < start)
        return -1;
    double i = floor((sched - start) / step_us);
    return i < n ? (int)i : -1;
}

static int scan(const struct run *r, const char *sql, double start, double step_us,
                unsigned n, long long *sent, struct stats_vec *lat, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->h, sql, -1, &st, NULL) != SQLITE_OK)
        goto fail;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = step_of(sqlite3_column_double(st, 0), start, step_us, n);
        if (i < 0)
            continue;
        if (sent)
            sent[i]++;
        else if (stats_vec_push(&lat[i], sqlite3_column_int64(st, 1)) < 0) {
            sqlite3_finalize(st);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
fail:
    snprintf(err, errlen, "%s", sqlite3_errmsg(r->h));
    return -1;
}

int track_slo(const struct run *r, struct figures *fs, char *err, size_t errlen)
{
    double rates[FIG_MAX_STEPS];
    unsigned n = parse_rates(run_meta(r, "rate_steps"), rates, FIG_MAX_STEPS);
    double step_s = run_meta_num(r, "step_s"), start = run_meta_num(r, "steps_start_us");
    double run = run_meta_num(r, "steps_run"), slo = run_meta_num(r, "slo_p99_us");
    if (!isnan(run) && run < n)
        n = (unsigned)run;
    fig_num(fs, "slo_p99_us", slo);
    if (isnan(step_s) || step_s <= 0 || isnan(start))
        n = 0;

    long long sent[FIG_MAX_STEPS] = {0};
    struct stats_vec lat[FIG_MAX_STEPS] = {{0}};
    double step_us = step_s * 1e6;
    int rc = 0;
    if (n && (scan(r, "SELECT timestamp - event_data FROM events WHERE type = 'message_send'",
                   start, step_us, n, sent, NULL, err, errlen) < 0 ||
              scan(r, "SELECT timestamp - event_data, event_data FROM events "
                      "WHERE type = 'message_recv'", start, step_us, n, NULL, lat, err,
                   errlen) < 0))
        rc = -1;

    double best = isnan(slo) ? NAN : 0;
    unsigned met = 0;
    bool missed = false;
    for (unsigned i = 0; rc == 0 && i < n; i++) {
        struct slo_step *s = &fs->steps[fs->n_steps++];
        s->offered = rates[i];
        s->sent = sent[i];
        s->recv = (long long)lat[i].n;
        s->achieved = (double)lat[i].n / step_s;
        stats_summarize(lat[i].v, lat[i].n, &s->lat);
        s->met = isnan(slo) ? -1
                 : s->recv > 0 && s->recv >= s->sent && (double)s->lat.p99 <= slo;
        if (s->met == 1 && !missed) {
            best = s->offered;
            met++;
        } else if (s->met == 0) {
            missed = true;
        }
    }
    for (unsigned i = 0; i < FIG_MAX_STEPS; i++)
        stats_vec_free(&lat[i]);
    fig_num(fs, "slo_steps", (double)fs->n_steps);
    fig_num(fs, "slo_steps_met", isnan(slo) ? NAN : (double)met);
    fig_num(fs, "slo_max_rate_msgs_per_s", best);
    /* The rate met was offered; the echoes of that step say it was carried. */
    for (unsigned i = 0; rc == 0 && best > 0 && i < fs->n_steps; i++)
        if (fs->steps[i].offered == best && fs->steps[i].met == 1) {
            fig_check(fs, "slo_max_rate_msgs_per_s", "the echoes of the step's messages over "
                                                     "its length (achieved rate)",
                      fs->steps[i].achieved);
            break;
        }
    return rc;
}
