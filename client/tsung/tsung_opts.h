/* runtest-tsung's arguments: DB SECONDS HOST PORT CLIENTS and the workload
 * options of ./runtest that Tsung can follow, plus --load-hosts. Parsed
 * once here for the generator and the importer alike; the five positional
 * arguments, --bind and --port-range by the client's own parsers (opts.h),
 * so both engines take them alike. */
#ifndef TSUNG_OPTS_H
#define TSUNG_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opts.h"

#define TOPTS_MAX_HOSTS 64
#define TOPTS_MAX_BIND 256
/* How long Tsung waits for the upgrade response or an echo (its
 * global_ack_timeout): the kit client's default handshake timeout. */
#define ACK_TIMEOUT_MS 5000

/* The dump record the session writes with the run's t0 (see tsung_config.c). */
#define T0_RECORD "KIT-T0 "
/* ... and the one each user writes just before it connects: its id and
 * its Erlang node (which load host). */
#define INIT_RECORD "KIT-INIT "

struct load_host {
    char name[256];
    unsigned cpu;          /* Erlang VMs Tsung starts there */
    uint32_t maxusers;     /* users per VM before Tsung starts another */
};

struct tsung_opts {
    struct opts_positional args;       /* DB SECONDS HOST PORT CLIENTS */

    uint64_t arrival_us;
    uint64_t interval_ms;
    uint32_t size;
    uint64_t connect_timeout_ms;
    char bind[TOPTS_MAX_BIND][16];     /* dotted IPv4 source addresses */
    unsigned n_bind;
    unsigned port_lo, port_hi;
    bool port_range_set;
    const char *label;
    long server_pid;                   /* 0: none */
    const char *server_stats;
    bool quiet;
    struct load_host hosts[TOPTS_MAX_HOSTS];
    unsigned n_hosts;                  /* 0: Tsung's controller VM alone */
};

/* Parses argv (argv[0] is the program). On a bad or unsupported argument
 * writes a message naming it into err and returns -1; 1 after --help. */
int topts_parse(int argc, char **argv, struct tsung_opts *o, char *err, size_t errlen);

void topts_usage(const char *prog);

#endif
