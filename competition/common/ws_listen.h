/* Listening socket set-up, in the style of Redis' anet: errors go into the
 * caller's buffer, nothing is printed. */
#ifndef WS_LISTEN_H
#define WS_LISTEN_H

#define WS_ERR_LEN 256

/* A non-blocking, close-on-exec TCP socket bound to host:port with
 * SO_REUSEADDR and SO_REUSEPORT (so each worker process of a -N contestant
 * can have its own and the kernel spreads connections), listening with the
 * largest backlog the kernel allows. Returns the fd, or -1 with err set. */
int ws_listen(const char *host, int port, char err[WS_ERR_LEN]);

/* Fails (-1, err set) if something already listens on host:port. Call it
 * once before forking workers: with SO_REUSEPORT a second server would
 * otherwise bind beside the first and silently share its connections. */
int ws_listen_check_free(const char *host, int port, char err[WS_ERR_LEN]);

/* accept4() a non-blocking, close-on-exec socket with TCP_NODELAY set.
 * On EMFILE/ENFILE it sheds the pending connection through a reserved
 * descriptor so a level-triggered loop does not spin; returns -1 with errno
 * as accept4 left it (EAGAIN when nothing is pending). */
int ws_accept(int listen_fd);

/* Opens the reserved descriptor ws_accept() uses; call once per process. */
int ws_accept_reserve(void);

#endif
