/* What ./runtest was asked to do, parsed and checked before anything runs.
 * The option table in opts.c is the one place for every option's name,
 * range, default and help text. */
#ifndef OPTS_H
#define OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/types.h>

#include "steps.h"

#define OPTS_MAX_BIND 256
#define OPTS_PER_WORKER_MAX 15000   /* sockets one worker holds at most */
#define OPTS_MAX_WORKERS 256

/* How messages are sent (--storm changes only how clients arrive). */
enum run_mode {
    MODE_INTERVAL,   /* one message every --interval-ms from the handshake on */
    MODE_SATURATE,   /* --saturate K: K in flight, the next as each echo arrives */
    MODE_HOLD,       /* --hold: message 0 at open, one probe at SECONDS */
    MODE_STEPS,      /* --rate-steps: open-loop total rate in steps */
};

/* DB_PATH SECONDS HOST PORT CLIENTS: the positional arguments of ./runtest,
 * which runtest-tsung (client/tsung) takes too and parses here. */
struct opts_positional {
    const char *db_path;
    double seconds;
    const char *host;             /* as given: a name or an address */
    unsigned port;
    uint32_t clients;
};

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
    double cpu_threshold;         /* worker busy share that marks client_bound */
    bool quiet;

    bool tcp;                     /* plain TCP: no upgrade, no framing */
    bool hold;
    uint32_t storm;               /* 0: arrivals every arrival_us; else K in flight */
    struct steps steps;           /* --rate-steps (steps.n == 0: none) */
    uint64_t step_s;
    uint64_t slo_p99_us;          /* 0: no early end */
    uint64_t warmup_s;            /* meta only: figures leave these seconds out */
    enum run_mode mode;           /* derived from the options above */
};

/* Parses argv into o. On a bad argument writes a message naming it into
 * err and returns -1; returns 1 when --help was printed, 0 otherwise. */
int opts_parse(int argc, char **argv, struct run_opts *o, char *err, size_t errlen);

/* Parses the n arguments left after the options, pos[0..n-1]; there must be
 * five. On a bad one writes a message naming it into err and returns -1. */
int opts_parse_positional(int n, char **pos, struct opts_positional *p, char *err,
                          size_t errlen);

/* --bind A,B,... or A-B: at most OPTS_MAX_BIND IPv4 addresses into out,
 * their count into *n; and --port-range LO-HI within 1-65535. Shared with
 * runtest-tsung like the positional arguments; -1 with a message in err. */
int opts_parse_bind(const char *a, struct in_addr *out, unsigned *n, char *err, size_t errlen);
int opts_parse_port_range(const char *a, unsigned *lo, unsigned *hi, char *err, size_t errlen);

void opts_usage(FILE *f);

/* The name stored in meta.mode: interval, saturate, hold, steps, or storm
 * for a storm with the default interval messages. */
const char *opts_mode_name(const struct run_opts *o);

/* When the run stops sending, us since t0: SECONDS, or the end of the last
 * step when --rate-steps ends first. */
uint64_t opts_end_us(const struct run_opts *o);

#endif
