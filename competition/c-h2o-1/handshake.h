/* The opening handshake on h2o's HTTP/1 server: checks an upgrade request
 * as RFC 6455 section 4.2.1 asks (h2o_is_websocket_handshake checks less)
 * and answers the refusals itself. */
#ifndef HANDSHAKE_H
#define HANDSHAKE_H

#include <stddef.h>

#include "h2o.h"

/* Registers the handler on pathconf; requests with a header block over
 * max_header bytes are refused with 431. */
void handshake_register(h2o_pathconf_t *pathconf, size_t max_header);

/* Logs the upgrade and refusal counters as one line. */
void handshake_log_stats(void);

#endif
