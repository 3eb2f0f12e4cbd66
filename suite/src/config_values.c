#include "config_values.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const track_names[TRACK_COUNT] = {
    [TRACK_C10K] = "c10k",
    [TRACK_THROUGHPUT] = "throughput",
    [TRACK_CAPACITY] = "capacity",
    [TRACK_HANDSHAKES] = "handshakes",
    [TRACK_SLO] = "slo",
};

const char *config_track_name(enum track t)
{
    return t < TRACK_COUNT ? track_names[t] : "?";
}

int config_track_parse(const char *s, size_t n, enum track *out)
{
    for (int t = 0; t < TRACK_COUNT; t++) {
        if (strlen(track_names[t]) == n && !memcmp(track_names[t], s, n)) {
            *out = (enum track)t;
            return 0;
        }
    }
    return -1;
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

bool values_ipv4(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1;
}

/* What [program:x] accepts that is safe in a file name. */
bool config_valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= CONFIG_NAME_MAX || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
            !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.')
            return false;
    }
    return true;
}

int values_each(const char *v, int (*fn)(void *ctx, const char *item, size_t len), void *ctx)
{
    const char *p = v;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *end = p + strcspn(p, ",");
        const char *last = end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
            last--;
        if (last == p || fn(ctx, p, (size_t)(last - p)) < 0)
            return -1;
        if (!*end)
            return 0;
        p = end + 1;
    }
}

struct longs_ctx {
    long min, max;
    bool rising;
    long *out;
    int cap, n;
};

static int one_long(void *c, const char *item, size_t len)
{
    struct longs_ctx *x = c;
    char buf[32];
    long v;
    if (len >= sizeof(buf) || x->n == x->cap)
        return -1;
    memcpy(buf, item, len);
    buf[len] = 0;
    if (config_parse_long(buf, x->min, x->max, &v) < 0)
        return -1;
    for (int i = 0; i < x->n; i++)
        if (x->out[i] == v || (x->rising && x->out[i] > v))
            return -1;
    x->out[x->n++] = v;
    return 0;
}

int values_longs(const char *v, long min, long max, bool rising, long *out, int cap, int *n)
{
    struct longs_ctx x = { .min = min, .max = max, .rising = rising, .out = out, .cap = cap };
    if (values_each(v, one_long, &x) < 0)
        return -1;
    *n = x.n;
    return 0;
}

struct names_ctx {
    char (*names)[CONFIG_NAME_MAX];
    int cap, n;
};

static int one_name(void *c, const char *item, size_t len)
{
    struct names_ctx *x = c;
    if (!config_valid_name(item, len) || x->n == x->cap)
        return -1;
    for (int i = 0; i < x->n; i++)
        if (strlen(x->names[i]) == len && !memcmp(x->names[i], item, len))
            return -1;
    memcpy(x->names[x->n], item, len);
    x->names[x->n][len] = 0;
    x->n++;
    return 0;
}

int values_names(const char *v, char names[][CONFIG_NAME_MAX], int cap, int *n)
{
    struct names_ctx x = { .names = names, .cap = cap };
    if (values_each(v, one_name, &x) < 0)
        return -1;
    *n = x.n;
    return 0;
}

struct tracks_ctx {
    enum track *out;
    int n;
};

static int one_track(void *c, const char *item, size_t len)
{
    struct tracks_ctx *x = c;
    enum track t;
    if (config_track_parse(item, len, &t) < 0)
        return -1;
    for (int i = 0; i < x->n; i++)
        if (x->out[i] == t)
            return -1;
    x->out[x->n++] = t;
    return 0;
}

int values_tracks(const char *v, enum track *out, int *n)
{
    struct tracks_ctx x = { .out = out };
    if (values_each(v, one_track, &x) < 0)
        return -1;
    *n = x.n;
    return 0;
}

static int one_bind(void *c, const char *item, size_t len)
{
    (void)c;
    char buf[64];
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, item, len);
    buf[len] = 0;
    char *dash = strchr(buf, '-');
    if (dash)
        *dash = 0;
    return values_ipv4(buf) && (!dash || values_ipv4(dash + 1)) ? 0 : -1;
}

int values_bind(const char *v)
{
    return values_each(v, one_bind, NULL);
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

int values_pin(struct suite_config *cfg, const char *v)
{
    char buf[256];
    if (strlen(v) >= sizeof(buf))
        return -1;
    strcpy(buf, v);
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

/* NAME as the shell takes it: a letter or _, then letters, digits, _. */
static bool env_name(const char *s, size_t n)
{
    if (n == 0 || n >= 64 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
            c != '_')
            return false;
    }
    return true;
}

static int one_env(void *c, const char *item, size_t len)
{
    struct suite_config *cfg = c;
    const char *eq = memchr(item, '=', len);
    if (!eq || cfg->n_server_env == CONFIG_ENV_MAX)
        return -1;
    size_t kn = (size_t)(eq - item), vn = len - kn - 1;
    if (!env_name(item, kn) || vn >= sizeof(cfg->server_env_values[0]))
        return -1;
    for (int i = 0; i < cfg->n_server_env; i++)
        if (strlen(cfg->server_env_keys[i]) == kn && !memcmp(cfg->server_env_keys[i], item, kn))
            return -1;
    int i = cfg->n_server_env++;
    memcpy(cfg->server_env_keys[i], item, kn);
    cfg->server_env_keys[i][kn] = 0;
    memcpy(cfg->server_env_values[i], eq + 1, vn);
    cfg->server_env_values[i][vn] = 0;
    return 0;
}

int values_env(struct suite_config *cfg, const char *v)
{
    cfg->n_server_env = 0;
    return values_each(v, one_env, cfg);
}

static int one_load_host(void *c, const char *item, size_t len)
{
    (void)c;
    char buf[256];
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, item, len);
    buf[len] = 0;
    char *cpu = strchr(buf, ':'), *users = NULL;
    if (cpu) {
        *cpu++ = 0;
        users = strchr(cpu, ':');
        if (users)
            *users++ = 0;
    }
    /* A host name or IPv4 address; nothing a shell or Tsung's XML would
     * read differently. */
    if (!*buf || strspn(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789.-_") != strlen(buf))
        return -1;
    long v;
    if (cpu && config_parse_long(cpu, 1, 1024, &v) < 0)
        return -1;
    if (users && config_parse_long(users, 1, 10000000, &v) < 0)
        return -1;
    return 0;
}

int values_load_hosts(const char *v)
{
    return values_each(v, one_load_host, NULL);
}
