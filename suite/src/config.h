/* The suite's configuration: one ini file (see suite/README.md for keys).
 * The top (or [suite]) holds what every run shares and the c10k track's
 * workload; [throughput], [capacity], [handshakes] and [slo] hold their
 * track's keys. */
#ifndef SUITE_CONFIG_H
#define SUITE_CONFIG_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_SERVERS 64
#define CONFIG_NAME_MAX 64
#define CONFIG_LIST_MAX 8       /* values per throughput list */
#define CONFIG_RATES_MAX 32     /* slo steps */
#define CONFIG_ENV_MAX 32       /* server_env entries */

/* Where the server's memory and CPU come from: /proc when it runs here, the
 * wsstats extension of its supervisord when it runs elsewhere. */
enum stats_source { STATS_AUTO, STATS_PROC, STATS_SUPERVISORD };

/* The competition's tracks, in the order the report shows them. */
enum track { TRACK_C10K, TRACK_THROUGHPUT, TRACK_CAPACITY, TRACK_HANDSHAKES, TRACK_SLO,
             TRACK_COUNT };

enum references_mode { REFS_ALL, REFS_NONE, REFS_LIST };
enum engine { ENGINE_KIT, ENGINE_TSUNG };

/* [throughput]: every combination of the three lists is a variant. */
struct throughput_keys {
    long connections[CONFIG_LIST_MAX];
    int n_connections;
    long in_flight[CONFIG_LIST_MAX];
    int n_in_flight;
    long sizes[CONFIG_LIST_MAX];
    int n_sizes;
    long seconds;               /* each variant's run, warm-up included */
    long warmup_s;              /* left out of the figures */
    long arrival_us;            /* -1: the client's default */
};

/* [capacity]: open, exchange one message, hold for settle_s, probe. */
struct capacity_keys {
    long connections;
    long settle_s;
    long arrival_us;
};

/* [handshakes]: a storm with at most in_flight handshakes at once. */
struct handshakes_keys {
    long connections;
    long in_flight;
    long seconds;
};

/* [slo]: rising offered load until p99 exceeds p99_us. */
struct slo_keys {
    long connections;
    long rates[CONFIG_RATES_MAX];
    int n_rates;
    long step_s;
    long p99_us;
    long arrival_us;
};

struct suite_config {
    char host[64];
    int port;
    char db_root[4096];
    char results[4096];
    char supervisord[512];
    char supervisord_conf[4096];    /* what --supervise starts */
    enum stats_source server_stats; /* STATS_AUTO: decided from the URL */
    char servers[CONFIG_MAX_SERVERS][CONFIG_NAME_MAX];
    int n_servers;              /* 0: every contestant */
    enum references_mode references;
    char reference_names[CONFIG_MAX_SERVERS][CONFIG_NAME_MAX];
    int n_reference_names;      /* REFS_LIST */
    char servers_root[4096];    /* where servers/references lives */
    enum track tracks[TRACK_COUNT];
    int n_tracks;               /* in the config's order */
    int repeat;
    unsigned long seed;
    bool seed_set;
    bool pin_client, pin_server;
    cpu_set_t client_cpus, server_cpus;
    char pin[256];              /* as written, for the record */
    long start_timeout;         /* seconds to wait for a port to accept */
    long stop_timeout;          /* seconds to wait for a port to be free */
    enum engine engine;
    char load_hosts[512];       /* engine tsung: HOST[:CPU[:MAXUSERS]],... */
    char server_env[1024];      /* as written, for the record */
    char server_env_keys[CONFIG_ENV_MAX][64];
    char server_env_values[CONFIG_ENV_MAX][256];
    int n_server_env;
    /* every run: -1 / "" leave the client's default */
    long workers;
    char bind[512];
    /* the c10k track's workload (top level, as before tracks existed) */
    long clients;
    long seconds;
    long arrival_us;
    long interval_ms;
    long size;
    struct throughput_keys throughput;
    struct capacity_keys capacity;
    struct handshakes_keys handshakes;
    struct slo_keys slo;
};

/* Fills *cfg with defaults, then the file's keys, then checks the keys
 * against each other. Returns 0, or -1 with a message "FILE:LINE: ..." (or
 * "FILE: ..." for a rule between keys) in err. */
int config_load(const char *path, struct suite_config *cfg, char *err, size_t errlen);

/* A decimal integer in [min, max], nothing else. Returns 0 or -1. */
int config_parse_long(const char *s, long min, long max, long *out);

/* Parses a CPU list such as "0", "0-3" or "0,2-3". Returns 0 or -1. */
int config_parse_cpus(const char *s, cpu_set_t *set);

/* A supervisor program name that is also safe in a file name. */
bool config_valid_name(const char *s, size_t n);

/* "c10k" ... "slo"; config_track_parse returns -1 for an unknown name. */
const char *config_track_name(enum track t);
int config_track_parse(const char *s, size_t n, enum track *out);

/* Whether the config selects track t. */
bool config_has_track(const struct suite_config *cfg, enum track t);

#endif
