#include "config.h"

#include "config_values.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Where a key may stand: the top of the file (or [suite]) or its track's
 * section. */
enum section { SEC_SUITE, SEC_THROUGHPUT, SEC_CAPACITY, SEC_HANDSHAKES, SEC_SLO, SEC_COUNT };

static const char *const section_names[SEC_COUNT] = {
    "suite", "throughput", "capacity", "handshakes", "slo",
};

enum key_kind {
    K_LONG, K_INT, K_LIST, K_RISING, K_STR, K_URL, K_HOST, K_SERVERS, K_REFERENCES,
    K_TRACKS, K_BIND, K_PIN, K_SEED, K_STATS, K_ENGINE, K_LOAD_HOSTS, K_ENV,
};

struct key_def {
    enum section section;
    const char *name;
    enum key_kind kind;
    size_t off;                 /* into struct suite_config */
    size_t size;                /* K_STR and friends: buffer size */
    long min, max;              /* K_LONG, K_INT, K_LIST, K_RISING */
    size_t count_off;           /* K_LIST, K_RISING: the int that counts */
    int cap;                    /* K_LIST, K_RISING: array length */
    const char *expect;         /* for the error message */
};

#define OFF(f) offsetof(struct suite_config, f)
#define SZ(f) sizeof(((struct suite_config *)0)->f)
#define LIST(f, n, min, max) OFF(f), 0, min, max, OFF(n), (int)(SZ(f) / sizeof(long))

static const struct key_def keys[] = {
    { SEC_SUITE, "host", K_HOST, OFF(host), SZ(host), 0, 0, 0, 0, "an IPv4 address such as 127.0.0.1" },
    { SEC_SUITE, "port", K_INT, OFF(port), 0, 1, 65535, 0, 0, "a port 1-65535" },
    { SEC_SUITE, "db_root", K_STR, OFF(db_root), SZ(db_root), 0, 0, 0, 0, "a directory path" },
    { SEC_SUITE, "results", K_STR, OFF(results), SZ(results), 0, 0, 0, 0, "a directory path" },
    { SEC_SUITE, "supervisord", K_URL, OFF(supervisord), SZ(supervisord), 0, 0, 0, 0, "a URL such as http://127.0.0.1:9001/RPC2" },
    { SEC_SUITE, "supervisord_conf", K_STR, OFF(supervisord_conf), SZ(supervisord_conf), 0, 0, 0, 0, "a file path" },
    { SEC_SUITE, "server_stats", K_STATS, 0, 0, 0, 0, 0, 0, "auto, proc or supervisord" },
    { SEC_SUITE, "servers", K_SERVERS, 0, 0, 0, 0, 0, 0, "a comma list of distinct supervisor program names" },
    { SEC_SUITE, "references", K_REFERENCES, 0, 0, 0, 0, 0, 0, "none, all or a comma list of distinct reference names" },
    { SEC_SUITE, "servers_root", K_STR, OFF(servers_root), SZ(servers_root), 0, 0, 0, 0, "a directory path" },
    { SEC_SUITE, "tracks", K_TRACKS, 0, 0, 0, 0, 0, 0, "a comma list of distinct tracks: c10k, throughput, capacity, handshakes, slo" },
    { SEC_SUITE, "repeat", K_INT, OFF(repeat), 0, 1, 100, 0, 0, "a count 1-100" },
    { SEC_SUITE, "seed", K_SEED, 0, 0, 0, 0, 0, 0, "a non-negative integer" },
    { SEC_SUITE, "pin", K_PIN, 0, 0, 0, 0, 0, 0, "client_cpus=LIST and/or server_cpus=LIST, e.g. client_cpus=1 server_cpus=0" },
    { SEC_SUITE, "start_timeout", K_LONG, OFF(start_timeout), 0, 1, 3600, 0, 0, "seconds 1-3600" },
    { SEC_SUITE, "stop_timeout", K_LONG, OFF(stop_timeout), 0, 1, 3600, 0, 0, "seconds 1-3600" },
    { SEC_SUITE, "engine", K_ENGINE, 0, 0, 0, 0, 0, 0, "kit or tsung" },
    { SEC_SUITE, "load_hosts", K_LOAD_HOSTS, OFF(load_hosts), SZ(load_hosts), 0, 0, 0, 0, "HOST[:CPU[:MAXUSERS]],... such as node1:2:30000,node2" },
    { SEC_SUITE, "server_env", K_ENV, OFF(server_env), SZ(server_env), 0, 0, 0, 0, "NAME=VALUE,... such as WS_WORKERS=64" },
    { SEC_SUITE, "workers", K_LONG, OFF(workers), 0, 1, 1024, 0, 0, "a count 1-1024" },
    { SEC_SUITE, "bind", K_BIND, OFF(bind), SZ(bind), 0, 0, 0, 0, "IPv4 addresses A,B,... or a range A-B" },
    { SEC_SUITE, "clients", K_LONG, OFF(clients), 0, 1, 10000000, 0, 0, "a count 1-10000000" },
    { SEC_SUITE, "seconds", K_LONG, OFF(seconds), 0, 1, 86400, 0, 0, "a duration 1-86400" },
    { SEC_SUITE, "arrival_us", K_LONG, OFF(arrival_us), 0, 0, 60000000, 0, 0, "microseconds 0-60000000" },
    { SEC_SUITE, "interval_ms", K_LONG, OFF(interval_ms), 0, 1, 3600000, 0, 0, "milliseconds 1-3600000" },
    { SEC_SUITE, "size", K_LONG, OFF(size), 0, 16, 1048576, 0, 0, "bytes 16-1048576 (the client's range)" },

    { SEC_THROUGHPUT, "connections", K_LIST, LIST(throughput.connections, throughput.n_connections, 1, 10000000), "a comma list of distinct counts 1-10000000" },
    { SEC_THROUGHPUT, "in_flight", K_LIST, LIST(throughput.in_flight, throughput.n_in_flight, 1, 1024), "a comma list of distinct counts 1-1024 (messages in flight per connection)" },
    { SEC_THROUGHPUT, "sizes", K_LIST, LIST(throughput.sizes, throughput.n_sizes, 16, 1048576), "a comma list of distinct payload sizes 16-1048576" },
    { SEC_THROUGHPUT, "seconds", K_LONG, OFF(throughput.seconds), 0, 1, 86400, 0, 0, "a duration 1-86400" },
    { SEC_THROUGHPUT, "warmup_s", K_LONG, OFF(throughput.warmup_s), 0, 0, 86400, 0, 0, "seconds 0-86400" },
    { SEC_THROUGHPUT, "arrival_us", K_LONG, OFF(throughput.arrival_us), 0, 0, 60000000, 0, 0, "microseconds 0-60000000" },

    { SEC_CAPACITY, "connections", K_LONG, OFF(capacity.connections), 0, 1, 10000000, 0, 0, "a count 1-10000000" },
    { SEC_CAPACITY, "settle_s", K_LONG, OFF(capacity.settle_s), 0, 0, 86400, 0, 0, "seconds 0-86400" },
    { SEC_CAPACITY, "arrival_us", K_LONG, OFF(capacity.arrival_us), 0, 0, 60000000, 0, 0, "microseconds 0-60000000" },

    { SEC_HANDSHAKES, "connections", K_LONG, OFF(handshakes.connections), 0, 1, 10000000, 0, 0, "a count 1-10000000" },
    { SEC_HANDSHAKES, "in_flight", K_LONG, OFF(handshakes.in_flight), 0, 1, 1000000, 0, 0, "a count 1-1000000 (handshakes at once)" },
    { SEC_HANDSHAKES, "seconds", K_LONG, OFF(handshakes.seconds), 0, 1, 3600, 0, 0, "a duration 1-3600" },

    { SEC_SLO, "connections", K_LONG, OFF(slo.connections), 0, 1, 10000000, 0, 0, "a count 1-10000000" },
    { SEC_SLO, "rates", K_RISING, LIST(slo.rates, slo.n_rates, 1, 100000000), "a rising comma list of rates 1-100000000 (messages/s in total)" },
    { SEC_SLO, "step_s", K_LONG, OFF(slo.step_s), 0, 1, 3600, 0, 0, "seconds 1-3600" },
    { SEC_SLO, "p99_us", K_LONG, OFF(slo.p99_us), 0, 1, 60000000, 0, 0, "microseconds 1-60000000" },
    { SEC_SLO, "arrival_us", K_LONG, OFF(slo.arrival_us), 0, 0, 60000000, 0, 0, "microseconds 0-60000000" },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* inih reports only the line of the first failing handler call, so the
 * handler keeps the first message and config_load joins the two. */
struct parse_state {
    struct suite_config *cfg;
    char msg[512];
    uint64_t seen;              /* bit per key, to reject duplicates */
};

static int fail(struct parse_state *st, const char *fmt, const char *a, const char *b)
{
    if (!st->msg[0]) {
        int n = snprintf(st->msg, sizeof(st->msg), fmt, a, b);
        (void)n;                /* a long message is cut, which is fine */
    }
    return 0;
}

static int copy_str(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(dst, s, n + 1);
    return 0;
}

static int find_section(const char *name, enum section *out)
{
    if (!name[0]) {
        *out = SEC_SUITE;
        return 0;
    }
    for (int s = 0; s < SEC_COUNT; s++) {
        if (!strcmp(section_names[s], name)) {
            *out = (enum section)s;
            return 0;
        }
    }
    return -1;
}

static int parse_references(struct suite_config *cfg, const char *v)
{
    if (!strcmp(v, "none"))
        cfg->references = REFS_NONE;
    else if (!strcmp(v, "all"))
        cfg->references = REFS_ALL;
    else {
        cfg->references = REFS_LIST;
        return values_names(v, cfg->reference_names, CONFIG_MAX_SERVERS, &cfg->n_reference_names);
    }
    return 0;
}

/* Sets one key's value; returns 0, or -1 when the value is bad. */
static int set_value(struct suite_config *cfg, const struct key_def *k, const char *value)
{
    char *field = (char *)cfg + k->off;
    long v;
    switch (k->kind) {
    case K_LONG:
    case K_INT:
        if (config_parse_long(value, k->min, k->max, &v))
            return -1;
        if (k->kind == K_INT)
            *(int *)(void *)field = (int)v;
        else
            *(long *)(void *)field = v;
        return 0;
    case K_LIST:
    case K_RISING:
        return values_longs(value, k->min, k->max, k->kind == K_RISING, (long *)(void *)field, k->cap,
                            (int *)(void *)((char *)cfg + k->count_off));
    case K_STR:
        return copy_str(field, k->size, value);
    case K_URL:
        /* No blanks or shell quotes: it goes into server_stats' command line. */
        if ((strncmp(value, "http://", 7) && strncmp(value, "https://", 8)) ||
            strpbrk(value, " \t'\"\\`$"))
            return -1;
        return copy_str(field, k->size, value);
    case K_HOST:
        return values_ipv4(value) ? copy_str(field, k->size, value) : -1;
    case K_BIND:
        return values_bind(value) < 0 ? -1 : copy_str(field, k->size, value);
    case K_LOAD_HOSTS:
        return values_load_hosts(value) < 0 ? -1 : copy_str(field, k->size, value);
    case K_ENV:
        return values_env(cfg, value) < 0 ? -1 : copy_str(field, k->size, value);
    case K_SERVERS:
        return values_names(value, cfg->servers, CONFIG_MAX_SERVERS, &cfg->n_servers);
    case K_REFERENCES:
        return parse_references(cfg, value);
    case K_TRACKS:
        return values_tracks(value, cfg->tracks, &cfg->n_tracks);
    case K_PIN:
        return values_pin(cfg, value);
    case K_STATS:
        if (!strcmp(value, "auto"))
            cfg->server_stats = STATS_AUTO;
        else if (!strcmp(value, "proc"))
            cfg->server_stats = STATS_PROC;
        else if (!strcmp(value, "supervisord"))
            cfg->server_stats = STATS_SUPERVISORD;
        else
            return -1;
        return 0;
    case K_ENGINE:
        if (!strcmp(value, "kit"))
            cfg->engine = ENGINE_KIT;
        else if (!strcmp(value, "tsung"))
            cfg->engine = ENGINE_TSUNG;
        else
            return -1;
        return 0;
    case K_SEED:
        if (config_parse_long(value, 0, LONG_MAX, &v))
            return -1;
        cfg->seed = (unsigned long)v;
        cfg->seed_set = true;
        return 0;
    }
    return -1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse_state *st = user;
    enum section sec;
    if (find_section(section, &sec) < 0)
        return fail(st, "unknown section [%s]%s (keys go at the top or under [suite]; a "
                    "track's keys under [throughput], [capacity], [handshakes] or [slo])",
                    section, "");
    size_t i;
    for (i = 0; i < N_KEYS; i++)
        if (keys[i].section == sec && !strcmp(keys[i].name, name))
            break;
    if (i == N_KEYS) {
        if (sec == SEC_SUITE)
            return fail(st, "unknown key '%s'%s (see suite/README.md for the keys)", name, "");
        return fail(st, "unknown key '%s' in [%s] (see suite/README.md for the keys)", name,
                    section_names[sec]);
    }
    if (st->seen & (UINT64_C(1) << i))
        return fail(st, "key '%s' given twice%s", name, "");
    st->seen |= UINT64_C(1) << i;

    if (set_value(st->cfg, &keys[i], value) < 0) {
        if (!st->msg[0]) {
            int n = snprintf(st->msg, sizeof(st->msg), "bad value '%.200s' for key '%s': expected %s",
                             value, name, keys[i].expect);
            (void)n;
        }
        return 0;
    }
    return 1;
}

static void set_defaults(struct suite_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    strcpy(cfg->host, "127.0.0.1");
    cfg->port = 8000;
    strcpy(cfg->supervisord, "http://127.0.0.1:9001/RPC2");
    strcpy(cfg->servers_root, "servers");
    strcpy(cfg->supervisord_conf, "competition/supervisord.conf");
    cfg->references = REFS_ALL;
    cfg->tracks[0] = TRACK_C10K;
    cfg->n_tracks = 1;
    cfg->repeat = 1;
    cfg->start_timeout = 30;
    cfg->stop_timeout = 30;
    cfg->engine = ENGINE_KIT;
    cfg->workers = -1;
    cfg->clients = 10000;
    cfg->seconds = 600;
    cfg->arrival_us = cfg->interval_ms = cfg->size = -1;

    /* The tracks' defaults: the workloads of issue 13 at full size. */
    struct throughput_keys *t = &cfg->throughput;
    t->connections[0] = 100, t->connections[1] = 1000, t->n_connections = 2;
    t->in_flight[0] = 1, t->in_flight[1] = 16, t->n_in_flight = 2;
    t->sizes[0] = 20, t->sizes[1] = 4096, t->n_sizes = 2;
    t->seconds = 10;
    t->warmup_s = 2;
    t->arrival_us = -1;
    cfg->capacity = (struct capacity_keys){ .connections = 10000, .settle_s = 5,
                                            .arrival_us = 1000 };
    cfg->handshakes = (struct handshakes_keys){ .connections = 10000, .in_flight = 256,
                                                .seconds = 10 };
    static const long rates[] = { 10000, 20000, 40000, 60000, 80000, 100000, 120000 };
    cfg->slo = (struct slo_keys){ .connections = 10000, .step_s = 10, .p99_us = 5000,
                                  .arrival_us = 1000 };
    cfg->slo.n_rates = (int)(sizeof(rates) / sizeof(rates[0]));
    memcpy(cfg->slo.rates, rates, sizeof(rates));
}

bool config_has_track(const struct suite_config *cfg, enum track t)
{
    for (int i = 0; i < cfg->n_tracks; i++)
        if (cfg->tracks[i] == t)
            return true;
    return false;
}

/* Rules between keys, which no single line breaks. */
static int check_keys(const char *path, const struct suite_config *cfg, char *err, size_t errlen)
{
    if (!cfg->results[0]) {
        snprintf(err, errlen, "%s: key 'results' is required (the report directory)", path);
        return -1;
    }
    if (config_has_track(cfg, TRACK_THROUGHPUT) && cfg->throughput.warmup_s >= cfg->throughput.seconds) {
        snprintf(err, errlen, "%s: [throughput] warmup_s (%ld) must be less than seconds (%ld)",
                 path, cfg->throughput.warmup_s, cfg->throughput.seconds);
        return -1;
    }
    if (cfg->load_hosts[0] && cfg->engine != ENGINE_TSUNG) {
        snprintf(err, errlen, "%s: load_hosts applies only to engine = tsung", path);
        return -1;
    }
    if (cfg->engine == ENGINE_TSUNG) {
        for (int i = 0; i < cfg->n_tracks; i++) {
            if (cfg->tracks[i] != TRACK_C10K) {
                snprintf(err, errlen, "%s: engine = tsung runs the c10k track only (Tsung has no "
                         "saturate, hold, storm or rate-step mode); track '%s' needs engine = kit",
                         path, config_track_name(cfg->tracks[i]));
                return -1;
            }
        }
        if (cfg->workers > 0) {
            snprintf(err, errlen, "%s: workers applies only to engine = kit (Tsung spreads its "
                     "users over load_hosts)", path);
            return -1;
        }
    }
    return 0;
}

int config_load(const char *path, struct suite_config *cfg, char *err, size_t errlen)
{
    set_defaults(cfg);
    struct parse_state st = { .cfg = cfg };
    int rc = ini_parse(path, handler, &st);
    if (rc == -1) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (rc == -2) {
        snprintf(err, errlen, "%s: out of memory while parsing", path);
        return -1;
    }
    if (rc > 0) {
        snprintf(err, errlen, "%s:%d: %s", path, rc,
                 st.msg[0] ? st.msg : "syntax error (expected key = value or [section])");
        return -1;
    }
    if (check_keys(path, cfg, err, errlen) < 0)
        return -1;
    /* The databases beside their report unless the config puts them elsewhere. */
    if (!cfg->db_root[0] && (size_t)snprintf(cfg->db_root, sizeof(cfg->db_root), "%s/db",
                                             cfg->results) >= sizeof(cfg->db_root)) {
        snprintf(err, errlen, "%s: key 'results' is too long for db_root = RESULTS/db", path);
        return -1;
    }
    return 0;
}
