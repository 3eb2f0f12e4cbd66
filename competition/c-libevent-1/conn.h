/* c-libevent connections: one raw libevent event per socket, wslay behind
 * the ws_wslay glue. */
#ifndef CONN_H
#define CONN_H

#include <event2/event.h>

#include "ws_args.h"

/* Once per worker, before conn_accept(). */
void conn_setup(struct event_base *base, const struct ws_args *a);

/* Takes over an accepted non-blocking socket. */
void conn_accept(int fd);

/* Every WS_WSLAY_TICK_MS: handshake and linger deadlines, idle contexts. */
void conn_tick(void);

/* Closes every connection (at shutdown). */
void conn_close_all(void);

#endif
