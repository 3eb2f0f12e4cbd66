/* The WebSocket side of c-h2o: h2o answers the upgrade and hands its socket
 * over (h2o_http1_upgrade); from then on the kit's wslay glue
 * (../common/wslay/ws_wslay.h) runs the echo over that socket, with a wslay
 * context only while the connection is busy. One instance per process. */
#ifndef CONN_H
#define CONN_H

#include "h2o.h"
#include "ws_args.h"

/* Call once per worker process, after h2o_context_init(). */
void conn_setup(h2o_context_t *ctx, const struct ws_args *a);

/* Answers 101 with this Sec-WebSocket-Accept to a checked upgrade request
 * and takes the connection over once h2o has written it. Returns 0, or -1
 * (out of memory) with nothing sent. */
int conn_upgrade(h2o_req_t *req, const char *accept_key);

/* Shutdown: closes every upgraded connection and stops the glue's timer. */
void conn_close_all(void);

#endif
