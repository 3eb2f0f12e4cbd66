/* Whether something accepts TCP connections on host:port, and bounded
 * waits for a port to become busy or free. */
#ifndef SUITE_PORT_H
#define SUITE_PORT_H

#include <stddef.h>

/* Poll every 100 ms for up to timeout_ms. Return 0 when the wanted state
 * was seen, 1 on timeout, -1 on error, 2 when *stop became non-zero. */
int port_wait_accepting(const char *host, int port, long timeout_ms,
                        volatile int *stop, char *err, size_t errlen);
int port_wait_free(const char *host, int port, long timeout_ms,
                   volatile int *stop, char *err, size_t errlen);

#endif
