#include "servers.h"

#include "child.h"
#include "config_values.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIST_TIMEOUT_MS 10000

const char *servers_kind_name(enum server_kind k)
{
    return k == KIND_REFERENCE ? "reference" : "contestant";
}

const char *servers_protocol_name(enum protocol p)
{
    return p == PROTO_TCP ? "tcp" : "websocket";
}

/* The names a listing script prints, one a line (competition/contestants,
 * servers/references). Returns how many, or -1 with err. */
static int list_names(const char *script, char names[][CONFIG_NAME_MAX], int cap, char *err,
                      size_t errlen)
{
    char out[8192], why[256];
    char *argv[] = { (char *)script, NULL };
    struct child_opts o = { .timeout_ms = LIST_TIMEOUT_MS, .capture = out,
                            .capture_cap = sizeof(out) };
    struct child_result r;
    if (child_run(argv, &o, &r, why, sizeof(why)) < 0 || !r.exited || r.code != 0) {
        snprintf(err, errlen, "%s failed: %s", script, r.exited ? out : why);
        return -1;
    }
    int n = 0;
    for (char *save = NULL, *t = strtok_r(out, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
        if (n == cap || !config_valid_name(t, strlen(t))) {
            snprintf(err, errlen, "%s: too many names, or not a program name: %.100s", script, t);
            return -1;
        }
        strcpy(names[n++], t);
    }
    return n;
}

/* reference.conf, parsed with inih like the suite's own config. */
struct ref_state {
    const struct suite_config *cfg;
    struct server *s;
    const char *dir;
    char msg[512];
    char requires[512];
    char install[256];
};

static int ref_fail(struct ref_state *st, const char *key, const char *value, const char *expect)
{
    if (!st->msg[0])
        snprintf(st->msg, sizeof(st->msg), "bad value '%.100s' for key '%s': expected %s", value,
                 key, expect);
    return 0;
}

static int ref_key(void *user, const char *section, const char *name, const char *value)
{
    struct ref_state *st = user;
    if (section[0]) {
        snprintf(st->msg, sizeof(st->msg), "unknown section [%.100s] (reference.conf has "
                 "keys only)", section);
        return 0;
    }
    if (!strcmp(name, "protocol")) {
        if (!strcmp(value, "websocket"))
            st->s->protocol = PROTO_WEBSOCKET;
        else if (!strcmp(value, "tcp"))
            st->s->protocol = PROTO_TCP;
        else
            return ref_fail(st, name, value, "websocket or tcp");
    } else if (!strcmp(name, "tracks")) {
        enum track t[TRACK_COUNT];
        int n = 0;
        memset(st->s->tracks, 0, sizeof(st->s->tracks));
        if (!strcmp(value, "all"))
            for (int i = 0; i < TRACK_COUNT; i++)
                st->s->tracks[i] = true;
        else if (values_tracks(value, t, &n) < 0)
            return ref_fail(st, name, value, "all or a comma list of tracks: c10k, throughput, "
                            "capacity, handshakes, slo");
        for (int i = 0; i < n; i++)
            st->s->tracks[t[i]] = true;
    } else if (!strcmp(name, "requires")) {
        snprintf(st->requires, sizeof(st->requires), "%s", value);
    } else if (!strcmp(name, "install")) {
        snprintf(st->install, sizeof(st->install), "%s", value);
    } else {
        snprintf(st->msg, sizeof(st->msg), "unknown key '%.100s' (reference.conf keys: "
                 "protocol, tracks, requires, install)", name);
        return 0;
    }
    return 1;
}

/* A command on PATH. */
static bool on_path(const char *cmd)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char dir[4096];
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        char full[8192];
        snprintf(dir, sizeof(dir), "%.*s", (int)n, p);
        snprintf(full, sizeof(full), "%s/%s", n ? dir : ".", cmd);
        if (access(full, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

/* A `requires` entry: an absolute path, a file relative to the
 * reference's directory, or (without a slash) a command on PATH. */
static bool present(const char *dir, const char *item)
{
    if (item[0] == '/')
        return access(item, F_OK) == 0;
    char full[8192];
    snprintf(full, sizeof(full), "%s/%s", dir, item);
    if (access(full, F_OK) == 0)
        return true;
    return !strchr(item, '/') && on_path(item);
}

static void check_requires(struct ref_state *st)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", st->requires);
    char *save = NULL;
    for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
        if (present(st->dir, t))
            continue;
        snprintf(st->s->install, sizeof(st->s->install), "%s",
                 st->install[0] ? st->install : "see its README.md");
        snprintf(st->s->unavailable, sizeof(st->s->unavailable),
                 "requires %s, which is missing (%s); install: %s", t,
                 t[0] == '/' ? "no such file" : strchr(t, '/') ? "no such file in its directory"
                                                                : "not on PATH",
                 st->s->install);
        return;
    }
}

int servers_load_reference(const char *dir, const struct suite_config *cfg, struct server *s,
                           char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/reference.conf", dir);
    s->kind = KIND_REFERENCE;
    s->protocol = PROTO_WEBSOCKET;
    for (int i = 0; i < TRACK_COUNT; i++)
        s->tracks[i] = true;
    s->unavailable[0] = s->install[0] = 0;
    struct ref_state st = { .cfg = cfg, .s = s, .dir = dir };
    int rc = ini_parse(path, ref_key, &st);
    if (rc == -1) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s:%d: %s", path, rc,
                 st.msg[0] ? st.msg : "syntax error (expected key = value)");
        return -1;
    }
    check_requires(&st);
    if (!s->unavailable[0] && s->protocol == PROTO_TCP && cfg->engine == ENGINE_TSUNG)
        snprintf(s->unavailable, sizeof(s->unavailable),
                 "plain TCP, and engine = tsung speaks WebSocket only (engine = kit measures it)");
    return 0;
}

/* A name under servers_root with a reference.conf is a reference, also
 * when `servers` names it. */
static bool is_reference(const struct suite_config *cfg, const char *name)
{
    char path[8400];
    snprintf(path, sizeof(path), "%s/%s/reference.conf", cfg->servers_root, name);
    return access(path, F_OK) == 0;
}

/* Appends server `name`, a reference when it is one. 0 or -1 with err. */
static int add_server(const struct suite_config *cfg, const char *name, struct server *out,
                      int *n, int cap, char *err, size_t errlen)
{
    for (int j = 0; j < *n; j++)
        if (!strcmp(out[j].name, name))
            return 0;   /* `servers` named a reference that `references` selects too */
    if (*n == cap) {
        snprintf(err, errlen, "more than %d servers", cap);
        return -1;
    }
    struct server *s = &out[*n];
    memset(s, 0, sizeof(*s));
    strcpy(s->name, name);
    s->kind = KIND_CONTESTANT;
    s->protocol = PROTO_WEBSOCKET;
    for (int t = 0; t < TRACK_COUNT; t++)
        s->tracks[t] = true;
    if (is_reference(cfg, name)) {
        char dir[4200];
        snprintf(dir, sizeof(dir), "%s/%s", cfg->servers_root, name);
        if (servers_load_reference(dir, cfg, s, err, errlen) < 0)
            return -1;
    }
    (*n)++;
    return 0;
}

/* The references the config selects, in its order (or the listing's). */
static int reference_names(const struct suite_config *cfg, char names[][CONFIG_NAME_MAX],
                           char *err, size_t errlen)
{
    if (cfg->references == REFS_NONE)
        return 0;
    char script[4200];
    snprintf(script, sizeof(script), "%s/references", cfg->servers_root);
    if (access(script, X_OK) != 0) {
        if (cfg->references == REFS_ALL)
            return 0;   /* a kit without references: nothing to compare with */
        snprintf(err, errlen, "references = %s...: %s is missing (servers_root = %s)",
                 cfg->reference_names[0], script, cfg->servers_root);
        return -1;
    }
    static char listed[CONFIG_MAX_SERVERS][CONFIG_NAME_MAX];
    int n = list_names(script, listed, CONFIG_MAX_SERVERS, err, errlen);
    if (n < 0)
        return -1;
    if (cfg->references == REFS_ALL) {
        memcpy(names, listed, sizeof(listed));
        return n;
    }
    for (int i = 0; i < cfg->n_reference_names; i++) {
        int j = 0;
        while (j < n && strcmp(listed[j], cfg->reference_names[i]))
            j++;
        if (j == n) {
            snprintf(err, errlen, "references: '%s' is not a reference (%s lists %d)",
                     cfg->reference_names[i], script, n);
            return -1;
        }
        strcpy(names[i], cfg->reference_names[i]);
    }
    return cfg->n_reference_names;
}

int servers_plan(const struct suite_config *cfg, struct server *out, int cap, char *err,
                 size_t errlen)
{
    static char names[CONFIG_MAX_SERVERS][CONFIG_NAME_MAX];
    int n_names = cfg->n_servers;
    if (n_names)
        memcpy(names, cfg->servers, sizeof(cfg->servers));
    else if ((n_names = list_names("competition/contestants", names, CONFIG_MAX_SERVERS, err,
                                   errlen)) < 0)
        return -1;
    int n = 0;
    for (int i = 0; i < n_names; i++)
        if (add_server(cfg, names[i], out, &n, cap, err, errlen) < 0)
            return -1;
    int n_refs = reference_names(cfg, names, err, errlen);
    if (n_refs < 0)
        return -1;
    for (int i = 0; i < n_refs; i++) {
        if (!is_reference(cfg, names[i])) {
            snprintf(err, errlen, "reference %s has no %s/%s/reference.conf", names[i],
                     cfg->servers_root, names[i]);
            return -1;
        }
        if (add_server(cfg, names[i], out, &n, cap, err, errlen) < 0)
            return -1;
    }
    return n;
}
