/* c-libuv-wslay connections: a uv_tcp_t per socket, wslay behind the
 * ws_wslay glue. */
#ifndef CONN_H
#define CONN_H

#include <uv.h>

#include "ws_args.h"

/* Once per loop, before conn_accept(). */
void conn_setup(uv_loop_t *loop, const struct ws_args *a);

/* Accepts one pending connection from the listening handle. */
void conn_accept(uv_stream_t *server);

/* Every WS_WSLAY_TICK_MS: handshake and linger deadlines, idle contexts. */
void conn_tick(void);

/* Closes every connection (at shutdown); the loop must then run once more
 * for their close callbacks. */
void conn_close_all(void);

#endif
