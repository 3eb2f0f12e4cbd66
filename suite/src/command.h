/* The load command of one run: which binary, and the exact argv each track
 * and variant gives it (the client's options, client/README.md). */
#ifndef SUITE_COMMAND_H
#define SUITE_COMMAND_H

#include "config.h"
#include "track.h"

#include <stdbool.h>
#include <stddef.h>

/* The built tools the runner calls, relative to the kit root (never the
 * top-level wrappers, which are for people). */
#define TOOL_RUNTEST "client/build/runtest"
#define TOOL_RUNTEST_TSUNG "client/tsung/runtest-tsung"
/* what runtest-tsung runs: built by `make` (client/tsung) */
#define TOOL_TSUNG_CONFIG "client/tsung/build/tsung_config"
#define TOOL_TSUNG_IMPORT "client/tsung/build/tsung_import"
#define TOOL_VERIFY "client/build/verify"
#define TOOL_REPORT "suite/build/report"
#define TOOL_SERVER_STATS "suite/build/server_stats"

#define COMMAND_ARGS_MAX 64

/* Who is loaded and where the run goes. */
struct load_target {
    const char *db;
    const char *label;
    bool tcp;                   /* a plain-TCP reference: runtest --tcp */
    int server_pid;             /* sampled from /proc when stats_cmd is NULL;
                                   0: not started yet (--dry-run), shown as PID */
    const char *stats_cmd;      /* or: a command printing its readings */
};

struct command {
    char *argv[COMMAND_ARGS_MAX + 1];   /* NULL-terminated */
    int argc;
    char store[4096];           /* the numbers and joined lists argv points to */
    size_t used;
};

/* The load tool of the configured engine. */
const char *command_load_tool(const struct suite_config *cfg);

/* Builds the argv of variant v's run into c. Returns 0, or -1 when it does
 * not fit (a bug: the limits above are far from what a config can ask). */
int command_build(const struct suite_config *cfg, const struct variant *v,
                  const struct load_target *t, struct command *c);

#endif
