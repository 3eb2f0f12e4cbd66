/* handshakes: a connection storm (runtest --storm K). The rate is the
 * handshakes over the storm, from the first connect to the last 101; the
 * failures are the exits of connections that never opened, by reason. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracks.h"

static double one(const struct run *r, const char *sql)
{
    sqlite3_stmt *st;
    double v = NAN;
    if (sqlite3_prepare_v2(r->h, sql, -1, &st, NULL) != SQLITE_OK)
        return NAN;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int failures(const struct run *r, struct figures *fs, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->h, "SELECT event_data, count(*) FROM events WHERE type = 'exit' "
                                 "AND event_key = 0 GROUP BY event_data ORDER BY 2 DESC, 1",
                           -1, &st, NULL) != SQLITE_OK)
        goto sql_fail;
    int rc;
    long long total = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct exit_count *e = realloc(fs->failures, (fs->n_failures + 1) * sizeof *e);
        const char *reason = (const char *)sqlite3_column_text(st, 0);
        char *copy = e ? strdup(reason ? reason : "") : NULL;
        if (e)
            fs->failures = e;
        if (!copy) {
            sqlite3_finalize(st);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        e[fs->n_failures].reason = copy;
        e[fs->n_failures++].n = sqlite3_column_int64(st, 1);
        total += sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        goto sql_fail;
    fig_num(fs, "storm_failures", (double)total);
    return 0;
sql_fail:
    snprintf(err, errlen, "%s", sqlite3_errmsg(r->h));
    return -1;
}

int track_handshakes(const struct run *r, struct figures *fs, char *err, size_t errlen)
{
    double first = one(r, "SELECT min(timestamp) FROM events WHERE type = 'ws_init'");
    double last = one(r, "SELECT max(timestamp) FROM events WHERE type = 'ws_onopen'");
    double span = last - first;
    fig_num(fs, "storm_seconds", span >= 0 ? span / 1e6 : NAN);
    fig_num(fs, "storm_handshakes_per_s", span > 0 ? (double)r->handshakes * 1e6 / span : NAN);
    /* The handshakes the rate counts (ws_onopen events) against the client's
     * live count of open connections: the storm holds every one it opened. */
    double open = NAN;
    for (size_t i = 0; i < r->n_samples; i++)
        if (!isnan(r->samples[i].connected) && (isnan(open) || r->samples[i].connected > open))
            open = r->samples[i].connected;
    fig_check(fs, "handshakes", "the most connections open at once (samples.connected)", open);
    return failures(r, fs, err, errlen);
}
