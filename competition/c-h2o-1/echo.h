/* The WebSocket side of c-h2o: a connection h2o has upgraded is driven by
 * h2o_websocket_proceed() over wslay; this module adds the echo, the limits
 * and the corrections described in README.md. One instance per process. */
#ifndef ECHO_H
#define ECHO_H

#include <stddef.h>

#include "h2o.h"

/* Call once per worker process, after h2o_context_init(). */
void echo_init(h2o_context_t *ctx, size_t max_message);

/* Answers 101 to a checked upgrade request and takes the connection over.
 * Returns 0, or -1 (out of memory) with nothing sent. */
int echo_start(h2o_req_t *req, const char *client_key);

/* Closes every live WebSocket connection at once (shutdown). */
void echo_close_all(void);

/* Logs the per-connection counters as one line. */
void echo_log_stats(void);

#endif
