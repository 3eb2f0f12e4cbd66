/* The suite itself: for each planned run, start the server under
 * supervisord, verify it, load it with ./runtest, stop it. */
#ifndef SUITE_SUITE_H
#define SUITE_SUITE_H

#include "config.h"
#include "kv.h"
#include "supervisor.h"

#include <stdbool.h>

struct suite_opts {
    bool fresh;
    const char *command;        /* the ./runsuite command line, for the record */
    const char *config_path;
    const char *config_text;
    volatile int *stop;         /* set by SIGINT/SIGTERM */
};

enum suite_result {
    SUITE_DONE = 0,             /* every run happened (some may have failed) */
    SUITE_FATAL = 2,            /* the suite could not go on (message printed) */
    SUITE_INTERRUPTED = 130,
};

/* names: the servers in order. env: the preflight's env.* rows. */
enum suite_result suite_run(const struct suite_config *cfg, struct sup *sup,
                            char names[][CONFIG_NAME_MAX], int n_names,
                            const struct suite_opts *o, const struct kv_list *env);

/* The run order: n runs of each name, shuffled by seed when repeat > 1.
 * out[i] = name index * repeat + (k - 1). Exposed for the tests. */
void suite_order(int n_names, int repeat, unsigned long seed, int *out);

#endif
