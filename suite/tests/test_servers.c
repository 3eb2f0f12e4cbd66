/* What the suite runs: contestants and references from a fake servers
 * root: reference.conf's keys, a missing requirement (not available, with
 * the install hint), bad files with FILE:LINE, and the selection by
 * `references`. */
#include "config.h"
#include "db.h"
#include "servers.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/suite-test-servers-XXXXXX";
static struct suite_config cfg;

static void write_file(const char *rel, const char *text, int mode)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    db_mkdir_p(path);
    *slash = '/';
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0 || chmod(path, (mode_t)mode) < 0) {
        perror(path);
        exit(2);
    }
}

static void load(const char *text)
{
    char path[512], err[1024], full[2048];
    snprintf(path, sizeof(path), "%s/suite.ini", dir);
    snprintf(full, sizeof(full), "results = r\nservers_root = %s/servers\n%s", dir, text);
    write_file("suite.ini", full, 0644);
    if (config_load(path, &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
}

static const struct server *find(const struct server *s, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s[i].name, name))
            return &s[i];
    return NULL;
}

static void reference_files(void)
{
    struct server s = { .name = "r" };
    char err[1024], d[512], want[1024];
    load("tracks = c10k, throughput\n");

    write_file("servers/tcp-echo/reference.conf",
               "; plain TCP\nprotocol = tcp   ; no upgrade\ntracks = throughput, capacity\n"
               "requires = sh, build/tcp-echo\ninstall = make -C servers/tcp-echo\n", 0644);
    write_file("servers/tcp-echo/build/tcp-echo", "", 0755);
    snprintf(d, sizeof(d), "%s/servers/tcp-echo", dir);
    int rc = servers_load_reference(d, &cfg, &s, err, sizeof(err));
    CHECK(rc == 0 && s.kind == KIND_REFERENCE && s.protocol == PROTO_TCP, "tcp reference: %s",
          rc ? err : "loaded");
    CHECK(s.tracks[TRACK_THROUGHPUT] && s.tracks[TRACK_CAPACITY] && !s.tracks[TRACK_C10K] &&
          !s.tracks[TRACK_SLO], "its tracks: throughput and capacity");
    CHECK(!s.unavailable[0] && !s.install[0], "sh on PATH and build/tcp-echo present: available "
          "(%s)", s.unavailable);

    write_file("servers/node-ws/reference.conf", "requires = no-such-command-x1\n"
               "install = ./install\n", 0644);
    snprintf(d, sizeof(d), "%s/servers/node-ws", dir);
    rc = servers_load_reference(d, &cfg, &s, err, sizeof(err));
    CHECK(rc == 0 && s.protocol == PROTO_WEBSOCKET && s.tracks[TRACK_C10K] && s.tracks[TRACK_SLO],
          "defaults: websocket, every track");
    CHECK(!strcmp(s.unavailable, "requires no-such-command-x1, which is missing (not on PATH); "
                  "install: ./install"), "missing command: %s", s.unavailable);
    CHECK(!strcmp(s.install, "./install"), "the install command alone: %s", s.install);

    write_file("servers/gone/reference.conf", "requires = lib/x.so\n", 0644);
    snprintf(d, sizeof(d), "%s/servers/gone", dir);
    servers_load_reference(d, &cfg, &s, err, sizeof(err));
    CHECK(!strcmp(s.unavailable, "requires lib/x.so, which is missing (no such file in its "
                  "directory); install: see its README.md"), "missing file: %s", s.unavailable);

    /* An absolute path stays absolute (python-websockets names Debian's
     * module file). */
    write_file("servers/abs/reference.conf", "requires = /bin/sh, /no/such/file-wskit\n", 0644);
    snprintf(d, sizeof(d), "%s/servers/abs", dir);
    servers_load_reference(d, &cfg, &s, err, sizeof(err));
    CHECK(!strcmp(s.unavailable, "requires /no/such/file-wskit, which is missing (no such "
                  "file); install: see its README.md"), "absolute path: %s", s.unavailable);
    write_file("servers/abs/reference.conf", "requires = /bin/sh\n", 0644);
    servers_load_reference(d, &cfg, &s, err, sizeof(err));
    CHECK(!s.unavailable[0], "absolute path present: available (%s)", s.unavailable);

    write_file("servers/bad/reference.conf", "protocol = tcp\n\nprotocol2 = x\n", 0644);
    snprintf(d, sizeof(d), "%s/servers/bad", dir);
    rc = servers_load_reference(d, &cfg, &s, err, sizeof(err));
    snprintf(want, sizeof(want), "%s/reference.conf:3: unknown key 'protocol2' (reference.conf "
             "keys: protocol, tracks, requires, install)", d);
    CHECK(rc == -1 && !strcmp(err, want), "unknown key: %s", err);
    write_file("servers/bad/reference.conf", "protocol = udp\n", 0644);
    rc = servers_load_reference(d, &cfg, &s, err, sizeof(err));
    snprintf(want, sizeof(want), "%s/reference.conf:1: bad value 'udp' for key 'protocol': "
             "expected websocket or tcp", d);
    CHECK(rc == -1 && !strcmp(err, want), "bad protocol: %s", err);
    write_file("servers/bad/reference.conf", "tracks = c10k, c1m\n", 0644);
    rc = servers_load_reference(d, &cfg, &s, err, sizeof(err));
    snprintf(want, sizeof(want), "%s/reference.conf:1: bad value 'c10k, c1m' for key 'tracks': "
             "expected all or a comma list of tracks: c10k, throughput, capacity, handshakes, slo", d);
    CHECK(rc == -1 && !strcmp(err, want), "bad track: %s", err);
    snprintf(d, sizeof(d), "%s/servers/none", dir);
    rc = servers_load_reference(d, &cfg, &s, err, sizeof(err));
    CHECK(rc == -1 && strstr(err, "none/reference.conf: cannot open: No such file"),
          "no reference.conf: %s", err);

    /* Tsung has no plain-TCP mode. */
    load("engine = tsung\n");
    snprintf(d, sizeof(d), "%s/servers/tcp-echo", dir);
    servers_load_reference(d, &cfg, &s, err, sizeof(err));
    CHECK(!strcmp(s.unavailable, "plain TCP, and engine = tsung speaks WebSocket only "
                  "(engine = kit measures it)"), "tsung and tcp: %s", s.unavailable);
}

static void plans(void)
{
    static struct server s[CONFIG_MAX_SERVERS];
    char err[1024];
    char bad[512];
    snprintf(bad, sizeof(bad), "%s/servers/bad/reference.conf", dir);
    unlink(bad);
    /* No listing script: references = all finds none. */
    load("servers = c-epoll-1, x\n");
    int n = servers_plan(&cfg, s, CONFIG_MAX_SERVERS, err, sizeof(err));
    CHECK(n == 2 && s[0].kind == KIND_CONTESTANT && !strcmp(s[1].name, "x"),
          "no servers/references: only the contestants (%d)", n);
    load("servers = c-epoll-1\nreferences = tcp-echo\n");
    n = servers_plan(&cfg, s, CONFIG_MAX_SERVERS, err, sizeof(err));
    CHECK(n == -1 && strstr(err, "servers/references is missing"), "a LIST needs the listing: %s", err);

    write_file("servers/references", "#!/bin/sh\necho tcp-echo\necho node-ws\n", 0755);
    load("servers = c-epoll-1\n");
    n = servers_plan(&cfg, s, CONFIG_MAX_SERVERS, err, sizeof(err));
    CHECK(n == 3 && !strcmp(s[0].name, "c-epoll-1") && !strcmp(s[1].name, "tcp-echo") &&
          !strcmp(s[2].name, "node-ws") && s[1].kind == KIND_REFERENCE && s[2].unavailable[0],
          "references = all: contestants, then every reference in the listing's order (%d: %s)",
          n, n < 0 ? err : "");
    load("servers = c-epoll-1\nreferences = none\n");
    n = servers_plan(&cfg, s, CONFIG_MAX_SERVERS, err, sizeof(err));
    CHECK(n == 1, "references = none: %d", n);
    load("servers = c-epoll-1\nreferences = node-ws\n");
    n = servers_plan(&cfg, s, CONFIG_MAX_SERVERS, err, sizeof(err));
    CHECK(n == 2 && !strcmp(s[1].name, "node-ws"), "references = node-ws: %d", n);
    load("servers = c-epoll-1\nreferences = nope\n");
    n = servers_plan(&cfg, s, CONFIG_MAX_SERVERS, err, sizeof(err));
    CHECK(n == -1 && strstr(err, "references: 'nope' is not a reference"), "unknown: %s", err);
    /* A reference named in `servers` is still a reference, and runs once. */
    load("servers = tcp-echo, c-epoll-1\nreferences = tcp-echo\n");
    n = servers_plan(&cfg, s, CONFIG_MAX_SERVERS, err, sizeof(err));
    CHECK(n == 2 && s[0].kind == KIND_REFERENCE && s[0].protocol == PROTO_TCP &&
          find(s, n, "c-epoll-1"), "servers = tcp-echo: a reference, once (%d)", n);
    write_file("servers/references", "#!/bin/sh\necho 'bad name'\n", 0755);
    load("servers = c-epoll-1\n");
    n = servers_plan(&cfg, s, CONFIG_MAX_SERVERS, err, sizeof(err));
    CHECK(n == -1 && strstr(err, "not a program name: bad name"), "a bad listing: %s", err);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    reference_files();
    plans();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("test_servers");
}
