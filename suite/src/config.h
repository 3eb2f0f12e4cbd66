/* The suite's configuration: one ini file (see suite/README.md for keys). */
#ifndef SUITE_CONFIG_H
#define SUITE_CONFIG_H

#include <sched.h>
#include <stdbool.h>

#define CONFIG_MAX_SERVERS 64
#define CONFIG_NAME_MAX 64

/* Where the server's memory and CPU come from: /proc when it runs here, the
 * wsstats extension of its supervisord when it runs elsewhere. */
enum stats_source { STATS_AUTO, STATS_PROC, STATS_SUPERVISORD };

struct suite_config {
    char host[64];
    int port;
    char db_root[4096];
    char results[4096];
    char supervisord[512];
    enum stats_source server_stats; /* STATS_AUTO: decided from the URL */
    long clients;
    long seconds;
    char servers[CONFIG_MAX_SERVERS][CONFIG_NAME_MAX];
    int n_servers;              /* 0: every contestant */
    int repeat;
    unsigned long seed;
    bool seed_set;
    bool pin_client, pin_server;
    cpu_set_t client_cpus, server_cpus;
    char pin[256];              /* as written, for the record */
    long start_timeout;         /* seconds to wait for a port to accept */
    long stop_timeout;          /* seconds to wait for a port to be free */
    /* client workload; -1 / "" leave the client's default */
    long arrival_us;
    long interval_ms;
    long size;
    long workers;
    char bind[512];
};

/* Fills *cfg with defaults, then the file's keys. Returns 0, or -1 with a
 * message "FILE:LINE: ..." in err. */
int config_load(const char *path, struct suite_config *cfg, char *err, size_t errlen);

/* A decimal integer in [min, max], nothing else. Returns 0 or -1. */
int config_parse_long(const char *s, long min, long max, long *out);

/* Parses a CPU list such as "0", "0-3" or "0,2-3". Returns 0 or -1. */
int config_parse_cpus(const char *s, cpu_set_t *set);

#endif
