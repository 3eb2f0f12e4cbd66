/* Socket helpers. Like Redis's anet, they report errors by errno or into a
 * caller's buffer and never print or exit. */
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51      /* Linux 6.3; older headers lack it */
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

/* Opens a non-blocking TCP socket and starts connecting to dest, from src
 * (NULL: the kernel picks) with a source port in [port_lo, port_hi].
 * Returns the fd (connect may still be in progress), or -1 with errno. */
int net_connect_start(const struct sockaddr_in *dest, const struct in_addr *src,
                      unsigned port_lo, unsigned port_hi);

/* The pending error of a connecting socket (0 when connected). */
int net_socket_error(int fd);

/* Whether the socket is connected to itself (local == peer address). */
bool net_self_connected(int fd);

/* The exit reason for a connect or I/O errno: refused, reset,
 * connection_timeout, unreachable, or error:<ENAME>. */
void net_errno_reason(int err, char *out, size_t len);

#endif
