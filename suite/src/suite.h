/* The suite itself: for each (server, track) of each repeat, start the
 * server fresh under supervisord, verify it, load it once per variant of
 * the track (one database each), stop it. */
#ifndef SUITE_SUITE_H
#define SUITE_SUITE_H

#include "config.h"
#include "kv.h"
#include "servers.h"
#include "supervisor.h"

#include <stdbool.h>

struct suite_opts {
    bool fresh;
    const char *command;        /* the ./runsuite command line, for the record */
    const char *config_path;
    const char *config_text;
    bool server_env_applied;    /* the supervisord we started got server_env */
    volatile int *stop;         /* set by SIGINT/SIGTERM */
};

enum suite_result {
    SUITE_DONE = 0,             /* every run happened (some may have failed) */
    SUITE_FATAL = 2,            /* the suite could not go on (message printed) */
    SUITE_INTERRUPTED = 130,
};

/* env: the preflight's env.* rows. */
enum suite_result suite_run(const struct suite_config *cfg, struct sup *sup,
                            const struct server *servers, int n_servers,
                            const struct suite_opts *o, const struct kv_list *env);

/* The run order of n_units (server, track) units over repeat repeats:
 * out[(k - 1) * n_units + j] is the unit at position j of repeat k. Units
 * come grouped (group[i]: unit i's track, equal values adjacent); the
 * groups keep their order, and with repeat > 1 the units within each group
 * are shuffled by seed in each repeat (the servers interleave), in the
 * config's order with repeat 1. Exposed for the tests. */
void suite_order(const int *group, int n_units, int repeat, unsigned long seed, int *out);

/* --dry-run: prints every run suite_run would make, in its order, one line
 * each: server, track, variant, repeat, database and the exact load
 * command (the server's pid, unknown before it starts, as PID), or "not
 * available" and why. Starts nothing, writes nothing. 0 or -1. */
int suite_print(const struct suite_config *cfg, const struct server *servers, int n_servers,
                bool remote);

/* <db_root>/<track>/<server>/<variant>-<k>.db */
void suite_db_path(const struct suite_config *cfg, const char *track, const char *server,
                   const char *variant, int k, char *out, size_t cap);

#endif
