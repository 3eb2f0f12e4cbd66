/* A server's life in one (server, track) unit: a fresh start under
 * supervisord, verification, the idle reading, the stop. */
#ifndef SUITE_LIFECYCLE_H
#define SUITE_LIFECYCLE_H

#include "config.h"
#include "kv.h"
#include "servers.h"
#include "suite.h"
#include "supervisor.h"

#include <stdbool.h>

/* What every step needs. remote: the server is sampled through its
 * supervisord's wsstats, never through a pid of ours. */
struct suite_ctx {
    const struct suite_config *cfg;
    struct sup *sup;
    const struct suite_opts *o;
    bool remote;
};

/* How a step ended. FAILED: the server's fault, recorded in status and
 * reason; the suite goes on. FATAL: the suite cannot go on. */
enum step { STEP_OK, STEP_FAILED, STEP_STOPPED, STEP_FATAL };

struct live_server {
    const struct server *server;
    bool up;                    /* started, verified, running */
    struct sup_process proc;    /* as supervisord gave it after the start */
    struct kv_list rows;        /* what the start found: pid, limits, ./verify */
    char status[64];            /* FAILED: "failed to start", "failed verification" */
    char reason[1024];
};

/* Stops whatever runs under the name, starts it, waits for its port,
 * takes its pid, records its limits, pins it and verifies it (unless it
 * speaks plain TCP). */
enum step lifecycle_up(const struct suite_ctx *c, struct live_server *l);

/* Stops the program if supervisord still runs it and waits for the port
 * to be free. Returns 0, or -1 when the port stays busy (fatal). */
int lifecycle_stop(const struct suite_ctx *c, const char *name);

/* The server's PSS with no client connected (its whole process group, as
 * ./runtest samples it), or -1 when it cannot be read. */
long long lifecycle_idle_pss(const struct suite_ctx *c, const struct live_server *l);

#endif
