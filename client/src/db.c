#include "db.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "event.h"

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS events("
    " timestamp INTEGER NOT NULL,"     /* us since the run's t0 */
    " type TEXT NOT NULL,"
    " client_id INTEGER NOT NULL,"
    " event_key INTEGER,"
    " event_data,"                     /* integer, or the exit reason */
    " actual_us INTEGER);"             /* message_recv: latency from the actual send */
    "CREATE TABLE IF NOT EXISTS samples("
    " second INTEGER PRIMARY KEY, started INTEGER, connected INTEGER,"
    " sent INTEGER, recv INTEGER, latency_p50_us INTEGER,"
    " latency_p99_us INTEGER, latency_max_us INTEGER,"
    " exits_timeout INTEGER, exits_other INTEGER, exits_json TEXT,"
    " client_cpu REAL, client_worker_cpu_max REAL,"
    " client_rss_bytes INTEGER, client_pss_bytes INTEGER,"
    " lag_p99_us INTEGER, lag_max_us INTEGER, tcp_mem_pages INTEGER,"
    " listen_overflows INTEGER, listen_drops INTEGER,"
    " server_pss_bytes INTEGER, server_rss_bytes INTEGER,"
    " server_cpu_seconds REAL, client_workers_pss_bytes INTEGER,"
    " slab_bytes INTEGER,"              /* /proc/meminfo Slab: kernel objects, sockets among them */
    " machine_idle_share REAL);";       /* all CPUs' idle share over the second (/proc/stat) */

const char *event_type_name(unsigned type)
{
    switch (type) {
    case EVENT_WS_INIT: return "ws_init";
    case EVENT_WS_ONOPEN: return "ws_onopen";
    case EVENT_MESSAGE_SEND: return "message_send";
    case EVENT_MESSAGE_RECV: return "message_recv";
    case EVENT_EXIT: return "exit";
    default: return "unknown";
    }
}

static int failed(struct db *d, const char *what)
{
    int code = d->h ? sqlite3_errcode(d->h) : SQLITE_ERROR;
    if (code == SQLITE_FULL)
        snprintf(d->err, sizeof d->err, "%s: disk full (free space and run again)", what);
    else
        snprintf(d->err, sizeof d->err, "%s: %s", what,
                 d->h ? sqlite3_errmsg(d->h) : "out of memory");
    return -1;
}

static int exec(struct db *d, const char *sql)
{
    if (sqlite3_exec(d->h, sql, NULL, NULL, NULL) != SQLITE_OK)
        return failed(d, sql);
    return 0;
}

int db_create(struct db *d, const char *path)
{
    memset(d, 0, sizeof *d);
    if (sqlite3_open_v2(path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
        != SQLITE_OK) {
        failed(d, path);
        db_close(d);
        return -1;
    }
    sqlite3_busy_timeout(d->h, 5000);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, "SELECT count(*) FROM sqlite_master WHERE name='events'",
                           -1, &st, NULL) != SQLITE_OK) {
        failed(d, path);   /* e.g. "file is not a database" */
        db_close(d);
        return -1;
    }
    int have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (have) {
        snprintf(d->err, sizeof d->err,
                 "%s already holds a run; remove it or choose another path", path);
        db_close(d);
        return -1;
    }
    if (exec(d, "PRAGMA journal_mode=WAL") || exec(d, "PRAGMA synchronous=NORMAL") ||
        exec(d, SCHEMA))
        goto fail;
    if (sqlite3_prepare_v2(d->h,
            "INSERT INTO events VALUES(?1,?2,?3,?4,?5,?6)", -1, &d->ins_event, NULL) ||
        sqlite3_prepare_v2(d->h,
            "INSERT OR REPLACE INTO meta VALUES(?1,?2)", -1, &d->ins_meta, NULL) ||
        sqlite3_prepare_v2(d->h,
            "INSERT OR REPLACE INTO samples VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
            "?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26)",
            -1, &d->ins_sample, NULL)) {
        failed(d, "prepare");
        goto fail;
    }
    return 0;
fail:
    db_close(d);
    return -1;
}

int db_begin(struct db *d)
{
    return exec(d, "BEGIN");
}

int db_commit(struct db *d)
{
    return exec(d, "COMMIT");
}

static int step(struct db *d, sqlite3_stmt *st, const char *what)
{
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return r == SQLITE_DONE ? 0 : failed(d, what);
}

int db_event(struct db *d, const struct event_record *e)
{
    sqlite3_stmt *st = d->ins_event;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)e->t_us);
    sqlite3_bind_text(st, 2, event_type_name(e->type), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, e->client);
    switch (e->type) {
    case EVENT_MESSAGE_SEND:
        sqlite3_bind_int64(st, 4, e->key);
        sqlite3_bind_int64(st, 5, e->data);
        break;
    case EVENT_MESSAGE_RECV:
        sqlite3_bind_int64(st, 4, e->key);
        sqlite3_bind_int64(st, 5, e->data);
        sqlite3_bind_int64(st, 6, e->data2);
        break;
    case EVENT_EXIT:
        sqlite3_bind_int64(st, 4, e->data2);
        sqlite3_bind_text(st, 5, e->text, -1, SQLITE_TRANSIENT);
        break;
    default:
        sqlite3_bind_int64(st, 5, e->data);
        break;
    }
    return step(d, st, "insert event");
}

int db_meta(struct db *d, const char *key, const char *value)
{
    sqlite3_bind_text(d->ins_meta, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(d->ins_meta, 2, value, -1, SQLITE_TRANSIENT);
    return step(d, d->ins_meta, "insert meta");
}

static void bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
    if (v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

int db_sample(struct db *d, const struct db_sample *s)
{
    sqlite3_stmt *st = d->ins_sample;
    sqlite3_bind_int64(st, 1, s->second);
    sqlite3_bind_int64(st, 2, s->started);
    sqlite3_bind_int64(st, 3, s->connected);
    sqlite3_bind_int64(st, 4, s->sent);
    sqlite3_bind_int64(st, 5, s->recv);
    bind_opt(st, 6, s->latency_p50_us);
    bind_opt(st, 7, s->latency_p99_us);
    bind_opt(st, 8, s->latency_max_us);
    sqlite3_bind_int64(st, 9, s->exits_timeout);
    sqlite3_bind_int64(st, 10, s->exits_other);
    sqlite3_bind_text(st, 11, s->exits_json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 12, s->client_cpu);
    sqlite3_bind_double(st, 13, s->client_worker_cpu_max);
    bind_opt(st, 14, s->client_rss_bytes);
    bind_opt(st, 15, s->client_pss_bytes);
    bind_opt(st, 16, s->lag_p99_us);
    bind_opt(st, 17, s->lag_max_us);
    bind_opt(st, 18, s->tcp_mem_pages);
    bind_opt(st, 19, s->listen_overflows);
    bind_opt(st, 20, s->listen_drops);
    bind_opt(st, 21, s->server_pss_bytes);
    bind_opt(st, 22, s->server_rss_bytes);
    if (s->server_cpu_seconds < 0)
        sqlite3_bind_null(st, 23);
    else
        sqlite3_bind_double(st, 23, s->server_cpu_seconds);
    bind_opt(st, 24, s->client_workers_pss_bytes);
    bind_opt(st, 25, s->slab_bytes);
    if (s->machine_idle_share < 0)
        sqlite3_bind_null(st, 26);
    else
        sqlite3_bind_double(st, 26, s->machine_idle_share);
    return step(d, st, "insert sample");
}

int db_finish(struct db *d)
{
    if (exec(d, "PRAGMA journal_mode=DELETE"))
        return -1;
    return 0;
}

void db_close(struct db *d)
{
    sqlite3_finalize(d->ins_event);
    sqlite3_finalize(d->ins_sample);
    sqlite3_finalize(d->ins_meta);
    d->ins_event = d->ins_sample = d->ins_meta = NULL;
    if (d->h)
        sqlite3_close(d->h);
    d->h = NULL;
}

sqlite3 *db_open_readonly(const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) < 0) {
        snprintf(err, errlen, "%s: no such file", path);
        return NULL;
    }
    sqlite3 *h = NULL;
    /* Read-write open so a WAL left by a killed run can be recovered. */
    int flags = SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(path, &h, flags, NULL) != SQLITE_OK) {
        sqlite3_close(h);
        h = NULL;
        if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "%s: %s", path, h ? sqlite3_errmsg(h) : "cannot open");
            sqlite3_close(h);
            return NULL;
        }
    }
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master WHERE name IN ('events','meta')",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(h));
        sqlite3_close(h);
        return NULL;
    }
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (n != 2) {
        snprintf(err, errlen, "%s: not a runtest database (no events/meta tables)", path);
        sqlite3_close(h);
        return NULL;
    }
    return h;
}
