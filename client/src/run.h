/* One run database as compile_stats reads it: the meta rows, the event
 * counts and time summaries of old, and the samples table by column name
 * (a database from an older runtest lacks some columns: those read as
 * unknown). The schema itself is db.c's. */
#ifndef RUN_H
#define RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

#include "stats.h"

/* One samples row. NAN where the column is missing, NULL or negative (the
 * sampler's "could not read"). */
struct sample {
    double second, started, connected, sent, recv;
    double client_cpu, tcp_mem_pages, slab_bytes, machine_idle_share;
    double server_pss_bytes, server_rss_bytes, server_cpu_seconds;
    double latency_p99_us;      /* the client's own reading over the second's echoes */
};

/* The samples columns compile_stats reads, by name, and where each goes. */
struct run_column {
    const char *name;
    size_t offset;
};
extern const struct run_column RUN_SAMPLE_COLUMNS[];
extern const size_t RUN_N_SAMPLE_COLUMNS;

struct meta_row {
    char *key, *value;
};

struct exit_count {
    char *reason;
    long long n;
};

struct run {
    sqlite3 *h;
    struct meta_row *meta;
    size_t n_meta;
    bool recorded;              /* false: the runner's meta rows alone, runtest never ran */
    long long clients, handshakes, sent, recv, timeouts, crashes, bad_echoes;
    struct exit_count *exits;   /* by reason, most frequent first */
    size_t n_exits;
    bool client_bound, complete;
    struct stats_summary hs, lat, lat_actual;
    struct stats_vec hs_sorted, lat_sorted;   /* every value, sorted: the distributions */
    long long peak_pss, peak_rss;             /* -1: none */
    double server_cpu;                        /* <0: none */
    double seconds;
    struct sample *samples;                   /* in time order */
    size_t n_samples;
};

/* Opens path read-only and loads it. Returns 0, or -1 with err set (not a
 * database, not a run's, an SQL error). */
int run_load(struct run *r, const char *path, char *err, size_t errlen);
void run_free(struct run *r);

/* A meta value, or NULL; as a number, or NAN when absent or not a number. */
const char *run_meta(const struct run *r, const char *key);
double run_meta_num(const struct run *r, const char *key);

/* How many events of TYPE also meet WHERE, an SQL condition of the caller's
 * (a literal, never input) on their columns with ?2 and ?3 bound to a and b.
 * Returns the count, or -1 with err set. */
long long run_count_events(const struct run *r, const char *type, const char *where,
                           int64_t a, int64_t b, char *err, size_t errlen);

/* Every value of one SQL query's first column (NULLs left out), unsorted.
 * Returns 0, or -1 with err set. */
int run_query_values(const struct run *r, const char *sql, struct stats_vec *out,
                     char *err, size_t errlen);

#endif
