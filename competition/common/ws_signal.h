/* Signals: SIGPIPE must never kill a server writing to a reset peer. */
#ifndef WS_SIGNAL_H
#define WS_SIGNAL_H

void ws_signal_ignore_pipe(void);

/* Blocks SIGTERM and SIGINT and returns a non-blocking signalfd that becomes
 * readable when one arrives (for loops built directly on epoll). -1 on error. */
int ws_signal_stopfd(void);

#endif
