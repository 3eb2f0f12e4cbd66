/* One variant's load run against a live server: the command, the run
 * bounded in time, and what it left: ok, crashed, client error or
 * interrupted. */
#ifndef SUITE_LOAD_H
#define SUITE_LOAD_H

#include "kv.h"
#include "lifecycle.h"
#include "track.h"

#include <stddef.h>

/* Runs variant v into db and writes suite.runtest_command, the server's
 * state after it and status (with suite.reason when not ok) into rows.
 * A server that crashed is marked not up. Returns STEP_FATAL when the
 * command could not be run at all, STEP_STOPPED when interrupted. */
enum step load_run(const struct suite_ctx *c, struct live_server *l, const struct variant *v,
                   const char *db, struct kv_list *rows, char *status, size_t cap);

#endif
