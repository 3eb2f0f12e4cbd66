/* The run database (schema in client/README.md). The parent alone writes
 * it, in large transactions with prepared statements; WAL mode, so a
 * SIGKILLed run leaves a database holding everything up to its last commit. */
#ifndef DB_H
#define DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "event.h"

struct db_sample {
    long second;                      /* elapsed seconds at the sample's end */
    int64_t started, connected, sent, recv;
    int64_t latency_p50_us, latency_p99_us, latency_max_us;   /* -1: none */
    int64_t exits_timeout, exits_other;
    const char *exits_json;
    double client_cpu, client_worker_cpu_max;
    int64_t client_rss_bytes, client_pss_bytes;
    int64_t client_workers_pss_bytes;       /* the workers alone: connection memory */
    int64_t lag_p99_us, lag_max_us;
    int64_t tcp_mem_pages, listen_overflows, listen_drops;   /* -1: unknown */
    int64_t server_pss_bytes, server_rss_bytes;              /* -1: none */
    double server_cpu_seconds;                                 /* <0: none */
    int64_t slab_bytes;                                        /* -1: unknown */
    double machine_idle_share;                                 /* <0: unknown */
};

struct db {
    sqlite3 *h;
    sqlite3_stmt *ins_event, *ins_sample, *ins_meta;
    char err[256];
};

/* Creates the database at path; refuses one that already holds a run.
 * Returns 0, or -1 with db->err set. */
int db_create(struct db *d, const char *path);

/* Each returns 0, or -1 with db->err set ("disk full" named as such). */
int db_begin(struct db *d);
int db_commit(struct db *d);
int db_event(struct db *d, const struct event_record *e);
int db_meta(struct db *d, const char *key, const char *value);
int db_sample(struct db *d, const struct db_sample *s);

/* Commits, folds the WAL back into one file, and closes. */
int db_finish(struct db *d);
void db_close(struct db *d);

/* For the readers (compile_stats, cat_stats): opens an existing run
 * database read-only. Returns NULL with err set. */
sqlite3 *db_open_readonly(const char *path, char *err, size_t errlen);

#endif
