/* What ./runtest was asked to do, parsed and checked before anything runs. */
#ifndef OPTS_H
#define OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/types.h>

#define OPTS_MAX_BIND 256
#define OPTS_PER_WORKER_MAX 15000   /* sockets one worker holds at most */

struct run_opts {
    const char *db_path;
    double seconds;
    const char *host;
    unsigned port;
    uint32_t clients;
    struct sockaddr_in dest;

    uint64_t arrival_us;
    uint64_t interval_ms;
    uint32_t size;
    uint64_t connect_timeout_ms;
    uint64_t handshake_timeout_ms;
    uint64_t drain_ms;            /* after SECONDS, wait this long for echoes */
    uint64_t close_wait_ms;       /* then this long for the server's close */
    const char *path;
    unsigned workers;
    struct in_addr bind[OPTS_MAX_BIND];
    unsigned n_bind;
    unsigned port_lo, port_hi;
    const char *label;
    pid_t server_pid;
    const char *server_stats;     /* command printing the server's readings */
    uint32_t saturate;            /* 0: one message per interval */
    uint64_t timer_grid_us;       /* timers fire on this grid (0: exactly) */
    uint64_t lag_threshold_us;    /* p99 scheduling lag that marks client_bound */
    double cpu_threshold;         /* worker CPU share that marks client_bound */
    bool quiet;
};

/* Parses argv into o. On a bad argument writes a message naming it into
 * err and returns -1; returns 1 when --help was printed, 0 otherwise. */
int opts_parse(int argc, char **argv, struct run_opts *o, char *err, size_t errlen);

void opts_usage(FILE *f);

#endif
