#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* inih reports only the line of the first failing handler call, so the
 * handler keeps the first message and config_load joins the two. */
struct parse_state {
    struct suite_config *cfg;
    char msg[512];
    unsigned seen;              /* bit per key, to reject duplicates */
};

static int set_msg(struct parse_state *st, const char *fmt, const char *a, const char *b)
{
    if (!st->msg[0]) {
        int n = snprintf(st->msg, sizeof(st->msg), fmt, a, b);
        (void)n;                /* a long message is cut, which is fine */
    }
    return 0;
}

int config_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
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

static int valid_ipv4(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1;
}

/* Supervisor program names: what [program:x] accepts that is safe in a
 * file name. */
static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= CONFIG_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
            !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.')
            return 0;
    }
    return s[0] != '.';
}

static int parse_servers(struct suite_config *cfg, const char *v)
{
    cfg->n_servers = 0;
    const char *p = v;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *end = p + strcspn(p, ",");
        const char *last = end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
            last--;
        size_t n = (size_t)(last - p);
        if (!valid_name(p, n) || cfg->n_servers == CONFIG_MAX_SERVERS)
            return -1;
        for (int i = 0; i < cfg->n_servers; i++)
            if (strlen(cfg->servers[i]) == n && !memcmp(cfg->servers[i], p, n))
                return -1;
        memcpy(cfg->servers[cfg->n_servers], p, n);
        cfg->servers[cfg->n_servers][n] = 0;
        cfg->n_servers++;
        if (!*end)
            return 0;
        p = end + 1;
    }
}

static int parse_bind(const char *v)
{
    char buf[512];
    if (copy_str(buf, sizeof(buf), v))
        return -1;
    char *save = NULL;
    int n = 0;
    /* As the client takes them: A,B,... or a range A-B. */
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(t, '-');
        if (dash)
            *dash = 0;
        if (!valid_ipv4(t) || (dash && !valid_ipv4(dash + 1)))
            return -1;
        n++;
    }
    return n ? 0 : -1;
}

int config_parse_cpus(const char *s, cpu_set_t *set)
{
    CPU_ZERO(set);
    const char *p = s;
    if (!*p)
        return -1;
    for (;;) {
        char *end;
        errno = 0;
        long a = strtol(p, &end, 10);
        if (errno || end == p || a < 0 || a >= CPU_SETSIZE)
            return -1;
        long b = a;
        if (*end == '-') {
            p = end + 1;
            b = strtol(p, &end, 10);
            if (errno || end == p || b < a || b >= CPU_SETSIZE)
                return -1;
        }
        for (long c = a; c <= b; c++)
            CPU_SET((int)c, set);
        if (!*end)
            return 0;
        if (*end != ',')
            return -1;
        p = end + 1;
    }
}

/* pin = client_cpus=1 server_cpus=0 (either part may be left out) */
static int parse_pin(struct suite_config *cfg, const char *v)
{
    char buf[256];
    if (copy_str(buf, sizeof(buf), v))
        return -1;
    strcpy(cfg->pin, buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (!strncmp(t, "client_cpus=", 12)) {
            if (cfg->pin_client || config_parse_cpus(t + 12, &cfg->client_cpus))
                return -1;
            cfg->pin_client = true;
        } else if (!strncmp(t, "server_cpus=", 12)) {
            if (cfg->pin_server || config_parse_cpus(t + 12, &cfg->server_cpus))
                return -1;
            cfg->pin_server = true;
        } else {
            return -1;
        }
    }
    return cfg->pin_client || cfg->pin_server ? 0 : -1;
}

enum key_kind { K_LONG, K_STR, K_URL, K_HOST, K_SERVERS, K_BIND, K_PIN, K_SEED, K_STATS };

struct key_def {
    const char *name;
    enum key_kind kind;
    size_t off;                 /* into struct suite_config */
    size_t size;                /* K_STR: buffer size */
    long min, max;              /* K_LONG */
    const char *expect;         /* for the error message */
};

#define OFF(f) offsetof(struct suite_config, f)
#define SZ(f) sizeof(((struct suite_config *)0)->f)

static const struct key_def keys[] = {
    { "host", K_HOST, OFF(host), SZ(host), 0, 0, "an IPv4 address such as 127.0.0.1" },
    { "port", K_LONG, OFF(port), 0, 1, 65535, "a port 1-65535" },
    { "db_root", K_STR, OFF(db_root), SZ(db_root), 0, 0, "a directory path" },
    { "results", K_STR, OFF(results), SZ(results), 0, 0, "a directory path" },
    { "supervisord", K_URL, OFF(supervisord), SZ(supervisord), 0, 0, "a URL such as http://127.0.0.1:9001/RPC2" },
    { "server_stats", K_STATS, 0, 0, 0, 0, "auto, proc or supervisord" },
    { "clients", K_LONG, OFF(clients), 0, 1, 10000000, "a count 1-10000000" },
    { "seconds", K_LONG, OFF(seconds), 0, 1, 86400, "a duration 1-86400" },
    { "servers", K_SERVERS, 0, 0, 0, 0, "a comma list of distinct supervisor program names" },
    { "repeat", K_LONG, OFF(repeat), 0, 1, 100, "a count 1-100" },
    { "seed", K_SEED, 0, 0, 0, 0, "a non-negative integer" },
    { "pin", K_PIN, 0, 0, 0, 0, "client_cpus=LIST and/or server_cpus=LIST, e.g. client_cpus=1 server_cpus=0" },
    { "start_timeout", K_LONG, OFF(start_timeout), 0, 1, 3600, "seconds 1-3600" },
    { "stop_timeout", K_LONG, OFF(stop_timeout), 0, 1, 3600, "seconds 1-3600" },
    { "arrival_us", K_LONG, OFF(arrival_us), 0, 0, 60000000, "microseconds 0-60000000" },
    { "interval_ms", K_LONG, OFF(interval_ms), 0, 1, 3600000, "milliseconds 1-3600000" },
    { "size", K_LONG, OFF(size), 0, 24, 1048576, "bytes 24-1048576 (the client's range)" },
    { "workers", K_LONG, OFF(workers), 0, 1, 1024, "a count 1-1024" },
    { "bind", K_BIND, OFF(bind), SZ(bind), 0, 0, "IPv4 addresses A,B,... or a range A-B" },
};

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse_state *st = user;
    struct suite_config *cfg = st->cfg;

    if (section[0] && strcmp(section, "suite"))
        return set_msg(st, "unknown section [%s]%s (keys go at the top or under [suite])", section, "");
    size_t i;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strcmp(keys[i].name, name))
            break;
    if (i == sizeof(keys) / sizeof(keys[0]))
        return set_msg(st, "unknown key '%s'%s (see suite/README.md for the keys)", name, "");
    if (st->seen & (1u << i))
        return set_msg(st, "key '%s' given twice%s", name, "");
    st->seen |= 1u << i;

    const struct key_def *k = &keys[i];
    char *field = (char *)cfg + k->off;
    long v;
    int bad = 0;
    switch (k->kind) {
    case K_LONG:
        if (config_parse_long(value, k->min, k->max, &v))
            bad = 1;
        else if (k->off == OFF(port))
            cfg->port = (int)v;
        else if (k->off == OFF(repeat))
            cfg->repeat = (int)v;
        else
            memcpy(field, &v, sizeof(v));
        break;
    case K_STR:
        bad = copy_str(field, k->size, value);
        break;
    case K_URL:
        /* No blanks or shell quotes: it goes into server_stats' command line. */
        bad = (strncmp(value, "http://", 7) && strncmp(value, "https://", 8)) ||
              strpbrk(value, " \t'\"\\`$") || copy_str(field, k->size, value);
        break;
    case K_HOST:
        bad = !valid_ipv4(value) || copy_str(field, k->size, value);
        break;
    case K_BIND:
        bad = parse_bind(value) || copy_str(field, k->size, value);
        break;
    case K_SERVERS:
        bad = parse_servers(cfg, value);
        break;
    case K_PIN:
        bad = parse_pin(cfg, value);
        break;
    case K_STATS:
        if (!strcmp(value, "auto"))
            cfg->server_stats = STATS_AUTO;
        else if (!strcmp(value, "proc"))
            cfg->server_stats = STATS_PROC;
        else if (!strcmp(value, "supervisord"))
            cfg->server_stats = STATS_SUPERVISORD;
        else
            bad = 1;
        break;
    case K_SEED:
        if (config_parse_long(value, 0, LONG_MAX, &v))
            bad = 1;
        else {
            cfg->seed = (unsigned long)v;
            cfg->seed_set = true;
        }
        break;
    }
    if (bad) {
        if (!st->msg[0]) {
            int n = snprintf(st->msg, sizeof(st->msg), "bad value '%.200s' for key '%s': expected %s",
                             value, name, k->expect);
            (void)n;
        }
        return 0;
    }
    return 1;
}

int config_load(const char *path, struct suite_config *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    strcpy(cfg->host, "127.0.0.1");
    cfg->port = 8000;
    strcpy(cfg->db_root, "results/db");
    strcpy(cfg->supervisord, "http://127.0.0.1:9001/RPC2");
    cfg->clients = 10000;
    cfg->seconds = 600;
    cfg->repeat = 1;
    cfg->start_timeout = 30;
    cfg->stop_timeout = 30;
    cfg->arrival_us = cfg->interval_ms = cfg->size = cfg->workers = -1;

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
    if (!cfg->results[0]) {
        snprintf(err, errlen, "%s: key 'results' is required (the report directory)", path);
        return -1;
    }
    return 0;
}
