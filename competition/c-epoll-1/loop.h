/* The event loop of one c-epoll worker process. */
#ifndef LOOP_H
#define LOOP_H

/* ws_workers_run() callback: arg is the parsed struct ws_args. Listens,
 * serves until SIGTERM/SIGINT, closes everything and returns 0; returns 1
 * (after logging why) when it cannot start. */
int loop_run(int worker, void *arg);

#endif
