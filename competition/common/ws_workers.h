/* -N contestants: one event loop per process, each with its own
 * SO_REUSEPORT listening socket. Processes rather than threads so that a
 * per-process open-file limit caps each worker, not the whole server. */
#ifndef WS_WORKERS_H
#define WS_WORKERS_H

/* Runs run(worker_index, arg) in n processes and returns its exit status.
 * n == 1 runs it in this process. n > 1 forks n children, forwards SIGTERM
 * and SIGINT to them, reaps them, and returns non-zero if any failed; a
 * child gets SIGTERM if the parent dies. */
int ws_workers_run(int n, int (*run)(int worker, void *arg), void *arg);

/* Number of online CPUs (at least 1). */
int ws_workers_online(void);

#endif
