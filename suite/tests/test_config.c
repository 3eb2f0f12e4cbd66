/* Config parsing: a good file, and each kind of bad file with the exact
 * message (file, line, key) the user sees. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
static char dir[] = "/tmp/suite-test-config-XXXXXX";

#define CHECK(cond, ...) do { \
    if (cond) { printf("ok   "); printf(__VA_ARGS__); printf("\n"); } \
    else { printf("FAIL "); printf(__VA_ARGS__); printf("  (%s:%d)\n", __FILE__, __LINE__); failures++; } \
} while (0)

static const char *write_ini(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    return path;
}

/* Loads text and checks that it fails with exactly "PATH:" + want. */
static void expect_error(const char *name, const char *text, const char *want)
{
    struct suite_config cfg;
    char err[1024], expected[1024];
    const char *path = write_ini(name, text);
    int rc = config_load(path, &cfg, err, sizeof(err));
    snprintf(expected, sizeof(expected), "%s:%s", path, want);
    CHECK(rc == -1 && !strcmp(err, expected), "%s: error \"%s\"", name, rc ? err : "(none)");
    if (rc == -1 && strcmp(err, expected))
        printf("     expected \"%s\"\n", expected);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    struct suite_config cfg;
    char err[1024];

    const char *good = write_ini("good.ini",
        "; comment\n"
        "[suite]\n"
        "host = 127.0.0.2\n"
        "port = 8601\n"
        "db_root = results/x/db\n"
        "results = results/x\n"
        "supervisord = http://127.0.0.1:9601/RPC2\n"
        "clients = 250\n"
        "seconds = 7\n"
        "servers = c-epoll-1, c-libwebsockets-1 ,x_y.z\n"
        "repeat = 3\n"
        "seed = 42\n"
        "pin = client_cpus=1 server_cpus=0,2-3\n"
        "arrival_us = 0\n"
        "interval_ms = 1000\n"
        "size = 32\n"
        "workers = 2\n"
        "bind = 127.0.0.1,127.0.0.2-127.0.0.9\n"
        "server_stats = supervisord\n");
    int rc = config_load(good, &cfg, err, sizeof(err));
    CHECK(rc == 0, "good.ini loads (%s)", rc ? err : "no error");
    CHECK(!strcmp(cfg.host, "127.0.0.2") && cfg.port == 8601, "host and port");
    CHECK(!strcmp(cfg.db_root, "results/x/db") && !strcmp(cfg.results, "results/x"), "paths");
    CHECK(!strcmp(cfg.supervisord, "http://127.0.0.1:9601/RPC2"), "supervisord URL");
    CHECK(cfg.clients == 250 && cfg.seconds == 7 && cfg.repeat == 3, "clients, seconds, repeat");
    CHECK(cfg.n_servers == 3 && !strcmp(cfg.servers[0], "c-epoll-1") &&
          !strcmp(cfg.servers[1], "c-libwebsockets-1") && !strcmp(cfg.servers[2], "x_y.z"),
          "servers trimmed and in order");
    CHECK(cfg.seed_set && cfg.seed == 42, "seed");
    CHECK(cfg.pin_client && CPU_COUNT(&cfg.client_cpus) == 1 && CPU_ISSET(1, &cfg.client_cpus),
          "client_cpus=1");
    CHECK(cfg.pin_server && CPU_COUNT(&cfg.server_cpus) == 3 && CPU_ISSET(0, &cfg.server_cpus) &&
          CPU_ISSET(2, &cfg.server_cpus) && CPU_ISSET(3, &cfg.server_cpus), "server_cpus=0,2-3");
    CHECK(cfg.arrival_us == 0 && cfg.interval_ms == 1000 && cfg.size == 32 && cfg.workers == 2,
          "workload numbers");
    CHECK(!strcmp(cfg.bind, "127.0.0.1,127.0.0.2-127.0.0.9"), "bind list with a range");
    CHECK(cfg.server_stats == STATS_SUPERVISORD, "server_stats = supervisord");

    const char *minimal = write_ini("minimal.ini", "results = r\n");
    rc = config_load(minimal, &cfg, err, sizeof(err));
    CHECK(rc == 0 && cfg.port == 8000 && cfg.clients == 10000 && cfg.seconds == 600 &&
          cfg.repeat == 1 && cfg.n_servers == 0 && !strcmp(cfg.host, "127.0.0.1") &&
          !strcmp(cfg.supervisord, "http://127.0.0.1:9001/RPC2") && cfg.size == -1 &&
          !cfg.pin_client && !cfg.pin_server && cfg.server_stats == STATS_AUTO,
          "defaults: port 8000, 10000 clients, 600 s, server_stats auto");

    expect_error("unknown.ini", "results = r\nclients = 5\ncleints = 5\n",
                 "3: unknown key 'cleints' (see suite/README.md for the keys)");
    expect_error("badnum.ini", "results = r\n\nclients = 10k\n",
                 "3: bad value '10k' for key 'clients': expected a count 1-10000000");
    expect_error("zero.ini", "seconds = 0\nresults = r\n",
                 "1: bad value '0' for key 'seconds': expected a duration 1-86400");
    expect_error("port.ini", "results = r\nport = 70000\n",
                 "2: bad value '70000' for key 'port': expected a port 1-65535");
    expect_error("host.ini", "host = localhost\n",
                 "1: bad value 'localhost' for key 'host': expected an IPv4 address such as 127.0.0.1");
    expect_error("servers.ini", "servers = a,,b\n",
                 "1: bad value 'a,,b' for key 'servers': expected a comma list of distinct "
                 "supervisor program names");
    expect_error("dup-server.ini", "servers = a,a\n",
                 "1: bad value 'a,a' for key 'servers': expected a comma list of distinct "
                 "supervisor program names");
    expect_error("pin.ini", "results = r\npin = client_cpus=1-\n",
                 "2: bad value 'client_cpus=1-' for key 'pin': expected client_cpus=LIST and/or "
                 "server_cpus=LIST, e.g. client_cpus=1 server_cpus=0");
    expect_error("url.ini", "supervisord = 127.0.0.1:9001\n",
                 "1: bad value '127.0.0.1:9001' for key 'supervisord': expected a URL such as "
                 "http://127.0.0.1:9001/RPC2");
    expect_error("bind.ini", "bind = 127.0.0.1,::1\n",
                 "1: bad value '127.0.0.1,::1' for key 'bind': expected IPv4 addresses A,B,... or a range A-B");
    expect_error("size.ini", "size = 23\n",
                 "1: bad value '23' for key 'size': expected bytes 24-1048576 (the client's range)");
    expect_error("stats.ini", "results = r\nserver_stats = remote\n",
                 "2: bad value 'remote' for key 'server_stats': expected auto, proc or supervisord");
    expect_error("twice.ini", "results = r\nclients = 1\nclients = 2\n",
                 "3: key 'clients' given twice");
    expect_error("section.ini", "results = r\n[client]\nsize = 3\n",
                 "3: unknown section [client] (keys go at the top or under [suite])");
    expect_error("syntax.ini", "results = r\nthis line has no equals sign\n",
                 "2: syntax error (expected key = value or [section])");
    expect_error("noresults.ini", "clients = 5\n",
                 " key 'results' is required (the report directory)");

    char missing[300];
    snprintf(missing, sizeof(missing), "%s/missing.ini", dir);
    rc = config_load(missing, &cfg, err, sizeof(err));
    char want[400];
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", missing);
    CHECK(rc == -1 && !strcmp(err, want), "missing file: error \"%s\"", err);

    cpu_set_t set;
    CHECK(config_parse_cpus("0-1,3", &set) == 0 && CPU_COUNT(&set) == 3, "cpus 0-1,3");
    CHECK(config_parse_cpus("3-1", &set) == -1 && config_parse_cpus("", &set) == -1 &&
          config_parse_cpus("1,", &set) == -1 && config_parse_cpus("a", &set) == -1,
          "bad cpu lists rejected");

    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    printf("%s: %d failure(s)\n", __FILE__, failures);
    return failures ? 1 : 0;
}
