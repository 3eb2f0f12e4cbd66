/* Config parsing: a good file with every key, the defaults, and each kind
 * of bad file with the exact message (file, line, key) the user sees. */
#include "config.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/suite-test-config-XXXXXX";

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

/* Loads text and checks that it fails with exactly "PATH" + want. */
static void expect_error(const char *name, const char *text, const char *want)
{
    static struct suite_config cfg;
    char err[1024], expected[1024];
    const char *path = write_ini(name, text);
    int rc = config_load(path, &cfg, err, sizeof(err));
    snprintf(expected, sizeof(expected), "%s%s", path, want);
    CHECK(rc == -1 && !strcmp(err, expected), "%s:\n  got      \"%s\"\n  expected \"%s\"", name,
          rc ? err : "(no error)", expected);
}

static void good_file(void)
{
    static struct suite_config cfg;
    char err[1024];
    const char *good = write_ini("good.ini",
        "; comment\n"
        "[suite]\n"
        "host = 127.0.0.2\n"
        "port = 8601\n"
        "db_root = results/x/db\n"
        "results = results/x\n"
        "supervisord = http://127.0.0.1:9601/RPC2\n"
        "supervisord_conf = /tmp/s.conf\n"
        "clients = 250\n"
        "seconds = 7\n"
        "servers = c-epoll-1, c-libwebsockets-1 ,x_y.z\n"
        "references = tcp-echo, node-ws\n"
        "servers_root = /tmp/refs\n"
        "tracks = slo, c10k , throughput,capacity,handshakes\n"
        "repeat = 3\n"
        "seed = 42\n"
        "pin = client_cpus=1 server_cpus=0,2-3\n"
        "arrival_us = 0\n"
        "interval_ms = 1000\n"
        "size = 16\n"
        "workers = 2\n"
        "bind = 127.0.0.1,127.0.0.2-127.0.0.9\n"
        "server_stats = supervisord\n"
        "server_env = WS_WORKERS=64, EMPTY=, _X1=a=b\n"
        "[throughput]\n"
        "connections = 10, 1000\n"
        "in_flight = 1,16,1024\n"
        "sizes = 20\n"
        "seconds = 6\n"
        "warmup_s = 5\n"
        "arrival_us = 10\n"
        "[capacity]\n"
        "connections = 19000\n"
        "settle_s = 0\n"
        "arrival_us = 50\n"
        "[handshakes]\n"
        "connections = 30\n"
        "in_flight = 4\n"
        "seconds = 3600\n"
        "[slo]\n"
        "connections = 40\n"
        "rates = 100, 200 ,400\n"
        "step_s = 2\n"
        "p99_us = 1500\n"
        "arrival_us = 0\n");
    int rc = config_load(good, &cfg, err, sizeof(err));
    CHECK(rc == 0, "good.ini loads: %s", rc ? err : "");
    CHECK(!strcmp(cfg.host, "127.0.0.2") && cfg.port == 8601, "host and port");
    CHECK(!strcmp(cfg.db_root, "results/x/db") && !strcmp(cfg.results, "results/x"), "db_root and results");
    CHECK(!strcmp(cfg.supervisord, "http://127.0.0.1:9601/RPC2"), "supervisord URL");
    CHECK(!strcmp(cfg.supervisord_conf, "/tmp/s.conf"), "supervisord_conf");
    CHECK(cfg.clients == 250 && cfg.seconds == 7 && cfg.repeat == 3, "clients, seconds, repeat");
    CHECK(cfg.n_servers == 3 && !strcmp(cfg.servers[0], "c-epoll-1") &&
          !strcmp(cfg.servers[1], "c-libwebsockets-1") && !strcmp(cfg.servers[2], "x_y.z"),
          "servers trimmed and in order");
    CHECK(cfg.references == REFS_LIST && cfg.n_reference_names == 2 &&
          !strcmp(cfg.reference_names[0], "tcp-echo") && !strcmp(cfg.reference_names[1], "node-ws"),
          "references = tcp-echo, node-ws");
    CHECK(!strcmp(cfg.servers_root, "/tmp/refs"), "servers_root");
    CHECK(cfg.n_tracks == 5 && cfg.tracks[0] == TRACK_SLO && cfg.tracks[1] == TRACK_C10K &&
          cfg.tracks[2] == TRACK_THROUGHPUT && cfg.tracks[3] == TRACK_CAPACITY &&
          cfg.tracks[4] == TRACK_HANDSHAKES, "tracks in the config's order");
    CHECK(cfg.seed_set && cfg.seed == 42, "seed");
    CHECK(cfg.pin_client && CPU_COUNT(&cfg.client_cpus) == 1 && CPU_ISSET(1, &cfg.client_cpus), "client_cpus=1");
    CHECK(cfg.pin_server && CPU_COUNT(&cfg.server_cpus) == 3 && CPU_ISSET(0, &cfg.server_cpus) &&
          CPU_ISSET(2, &cfg.server_cpus) && CPU_ISSET(3, &cfg.server_cpus), "server_cpus=0,2-3");
    CHECK(cfg.arrival_us == 0 && cfg.interval_ms == 1000 && cfg.size == 16 && cfg.workers == 2, "workload numbers");
    CHECK(!strcmp(cfg.bind, "127.0.0.1,127.0.0.2-127.0.0.9"), "bind list with a range");
    CHECK(cfg.server_stats == STATS_SUPERVISORD, "server_stats = supervisord");
    CHECK(cfg.n_server_env == 3 && !strcmp(cfg.server_env_keys[0], "WS_WORKERS") &&
          !strcmp(cfg.server_env_values[0], "64") && !strcmp(cfg.server_env_keys[1], "EMPTY") &&
          !strcmp(cfg.server_env_values[1], "") && !strcmp(cfg.server_env_keys[2], "_X1") &&
          !strcmp(cfg.server_env_values[2], "a=b"), "server_env: names and values split at the first =");
    CHECK(!strcmp(cfg.server_env, "WS_WORKERS=64, EMPTY=, _X1=a=b"), "server_env kept as written");
    const struct throughput_keys *t = &cfg.throughput;
    CHECK(t->n_connections == 2 && t->connections[0] == 10 && t->connections[1] == 1000 &&
          t->n_in_flight == 3 && t->in_flight[2] == 1024 && t->n_sizes == 1 && t->sizes[0] == 20 &&
          t->seconds == 6 && t->warmup_s == 5 && t->arrival_us == 10, "[throughput]");
    CHECK(cfg.capacity.connections == 19000 && cfg.capacity.settle_s == 0 &&
          cfg.capacity.arrival_us == 50, "[capacity]");
    CHECK(cfg.handshakes.connections == 30 && cfg.handshakes.in_flight == 4 &&
          cfg.handshakes.seconds == 3600, "[handshakes]");
    CHECK(cfg.slo.connections == 40 && cfg.slo.n_rates == 3 && cfg.slo.rates[0] == 100 &&
          cfg.slo.rates[2] == 400 && cfg.slo.step_s == 2 && cfg.slo.p99_us == 1500 &&
          cfg.slo.arrival_us == 0, "[slo]");
    CHECK(cfg.engine == ENGINE_KIT, "engine kit by default");

    const char *tsung = write_ini("tsung.ini", "results = r\nengine = tsung\n"
                                  "load_hosts = node1:2:30000, 10.0.0.2, n-3:4\n");
    rc = config_load(tsung, &cfg, err, sizeof(err));
    CHECK(rc == 0 && cfg.engine == ENGINE_TSUNG &&
          !strcmp(cfg.load_hosts, "node1:2:30000, 10.0.0.2, n-3:4"), "engine tsung: %s", rc ? err : "");
    const char *none = write_ini("none.ini", "results = r\nreferences = none\n");
    CHECK(config_load(none, &cfg, err, sizeof(err)) == 0 && cfg.references == REFS_NONE, "references = none");
}

static void defaults(void)
{
    static struct suite_config cfg;
    char err[1024];
    const char *minimal = write_ini("minimal.ini", "results = r\n");
    int rc = config_load(minimal, &cfg, err, sizeof(err));
    CHECK(rc == 0 && cfg.port == 8000 && cfg.clients == 10000 && cfg.seconds == 600 &&
          cfg.repeat == 1 && cfg.n_servers == 0 && !strcmp(cfg.host, "127.0.0.1") &&
          !strcmp(cfg.supervisord, "http://127.0.0.1:9001/RPC2") && cfg.size == -1 &&
          !cfg.pin_client && !cfg.pin_server && cfg.server_stats == STATS_AUTO,
          "defaults: port 8000, 10000 clients, 600 s, server_stats auto");
    CHECK(cfg.n_tracks == 1 && cfg.tracks[0] == TRACK_C10K, "default tracks: c10k, as before");
    CHECK(cfg.references == REFS_ALL && !strcmp(cfg.servers_root, "servers") &&
          cfg.engine == ENGINE_KIT && !cfg.load_hosts[0] && cfg.n_server_env == 0 &&
          !strcmp(cfg.supervisord_conf, "competition/supervisord.conf"),
          "default references all, servers_root servers, engine kit");
    CHECK(!strcmp(cfg.db_root, "r/db"), "default db_root: RESULTS/db, got %s", cfg.db_root);
    const struct throughput_keys *t = &cfg.throughput;
    CHECK(t->n_connections == 2 && t->connections[0] == 100 && t->connections[1] == 1000 &&
          t->n_in_flight == 2 && t->in_flight[0] == 1 && t->in_flight[1] == 16 &&
          t->n_sizes == 2 && t->sizes[0] == 20 && t->sizes[1] == 4096 && t->seconds == 10 &&
          t->warmup_s == 2 && t->arrival_us == -1, "throughput defaults (issue 13)");
    CHECK(cfg.capacity.connections == 10000 && cfg.capacity.settle_s == 5 &&
          cfg.handshakes.connections == 10000 && cfg.handshakes.in_flight == 256 &&
          cfg.slo.connections == 10000 && cfg.slo.n_rates == 7 && cfg.slo.rates[0] == 10000 &&
          cfg.slo.rates[6] == 120000 && cfg.slo.step_s == 10 && cfg.slo.p99_us == 5000,
          "capacity, handshakes, slo defaults (issue 13)");
}

static void bad_files(void)
{
    expect_error("unknown.ini", "results = r\nclients = 5\ncleints = 5\n",
                 ":3: unknown key 'cleints' (see suite/README.md for the keys)");
    expect_error("badnum.ini", "results = r\n\nclients = 10k\n",
                 ":3: bad value '10k' for key 'clients': expected a count 1-10000000");
    expect_error("zero.ini", "seconds = 0\nresults = r\n",
                 ":1: bad value '0' for key 'seconds': expected a duration 1-86400");
    expect_error("port.ini", "results = r\nport = 70000\n",
                 ":2: bad value '70000' for key 'port': expected a port 1-65535");
    expect_error("host.ini", "host = localhost\n",
                 ":1: bad value 'localhost' for key 'host': expected an IPv4 address such as 127.0.0.1");
    expect_error("servers.ini", "servers = a,,b\n",
                 ":1: bad value 'a,,b' for key 'servers': expected a comma list of distinct "
                 "supervisor program names");
    expect_error("dup-server.ini", "servers = a,a\n",
                 ":1: bad value 'a,a' for key 'servers': expected a comma list of distinct "
                 "supervisor program names");
    expect_error("pin.ini", "results = r\npin = client_cpus=1-\n",
                 ":2: bad value 'client_cpus=1-' for key 'pin': expected client_cpus=LIST and/or "
                 "server_cpus=LIST, e.g. client_cpus=1 server_cpus=0");
    expect_error("url.ini", "supervisord = 127.0.0.1:9001\n",
                 ":1: bad value '127.0.0.1:9001' for key 'supervisord': expected a URL such as "
                 "http://127.0.0.1:9001/RPC2");
    expect_error("bind.ini", "bind = 127.0.0.1,::1\n",
                 ":1: bad value '127.0.0.1,::1' for key 'bind': expected IPv4 addresses A,B,... or a range A-B");
    expect_error("size.ini", "size = 15\n",
                 ":1: bad value '15' for key 'size': expected bytes 16-1048576 (the client's range)");
    expect_error("stats.ini", "results = r\nserver_stats = remote\n",
                 ":2: bad value 'remote' for key 'server_stats': expected auto, proc or supervisord");
    expect_error("twice.ini", "results = r\nclients = 1\nclients = 2\n",
                 ":3: key 'clients' given twice");
    expect_error("section.ini", "results = r\n[client]\nsize = 3\n",
                 ":3: unknown section [client] (keys go at the top or under [suite]; a track's "
                 "keys under [throughput], [capacity], [handshakes] or [slo])");
    expect_error("syntax.ini", "results = r\nthis line has no equals sign\n",
                 ":2: syntax error (expected key = value or [section])");
    expect_error("noresults.ini", "clients = 5\n",
                 ": key 'results' is required (the report directory)");

    /* The tracks and their sections. */
    expect_error("tracks.ini", "results = r\ntracks = c10k, latency\n",
                 ":2: bad value 'c10k, latency' for key 'tracks': expected a comma list of "
                 "distinct tracks: c10k, throughput, capacity, handshakes, slo");
    expect_error("tracks-dup.ini", "tracks = slo,slo\n",
                 ":1: bad value 'slo,slo' for key 'tracks': expected a comma list of "
                 "distinct tracks: c10k, throughput, capacity, handshakes, slo");
    expect_error("tp-key.ini", "results = r\n[throughput]\nconnections = 10\nclients = 5\n",
                 ":4: unknown key 'clients' in [throughput] (see suite/README.md for the keys)");
    expect_error("tp-twice.ini", "[throughput]\nsizes = 20\nsizes = 30\n",
                 ":3: key 'sizes' given twice");
    expect_error("tp-list.ini", "[throughput]\nconnections = 10, 10\n",
                 ":2: bad value '10, 10' for key 'connections': expected a comma list of "
                 "distinct counts 1-10000000");
    expect_error("tp-flight.ini", "[throughput]\nin_flight = 1, 2000\n",
                 ":2: bad value '1, 2000' for key 'in_flight': expected a comma list of "
                 "distinct counts 1-1024 (messages in flight per connection)");
    expect_error("tp-size.ini", "[throughput]\nsizes = 20,\n",
                 ":2: bad value '20,' for key 'sizes': expected a comma list of distinct "
                 "payload sizes 16-1048576");
    expect_error("tp-many.ini", "[throughput]\nsizes = 16,17,18,19,20,21,22,23,24\n",
                 ":2: bad value '16,17,18,19,20,21,22,23,24' for key 'sizes': expected a comma "
                 "list of distinct payload sizes 16-1048576");
    expect_error("tp-warmup.ini", "results = r\ntracks = throughput\n[throughput]\nseconds = 3\n"
                 "warmup_s = 3\n", ": [throughput] warmup_s (3) must be less than seconds (3)");
    expect_error("cap.ini", "[capacity]\nsettle_s = -1\n",
                 ":2: bad value '-1' for key 'settle_s': expected seconds 0-86400");
    expect_error("hs.ini", "[handshakes]\nseconds = 3601\n",
                 ":2: bad value '3601' for key 'seconds': expected a duration 1-3600");
    expect_error("slo.ini", "[slo]\nrates = 100, 300, 200\n",
                 ":2: bad value '100, 300, 200' for key 'rates': expected a rising comma list of "
                 "rates 1-100000000 (messages/s in total)");
    expect_error("slo-key.ini", "[slo]\np99 = 5\n",
                 ":2: unknown key 'p99' in [slo] (see suite/README.md for the keys)");

    /* References, engine, server_env. */
    expect_error("refs.ini", "references = tcp-echo, ../x\n",
                 ":1: bad value 'tcp-echo, ../x' for key 'references': expected none, all or a "
                 "comma list of distinct reference names");
    expect_error("engine.ini", "engine = wrk\n",
                 ":1: bad value 'wrk' for key 'engine': expected kit or tsung");
    expect_error("hosts.ini", "engine = tsung\nload_hosts = a:0\n",
                 ":2: bad value 'a:0' for key 'load_hosts': expected HOST[:CPU[:MAXUSERS]],... "
                 "such as node1:2:30000,node2");
    expect_error("hosts-kit.ini", "results = r\nload_hosts = a\n",
                 ": load_hosts applies only to engine = tsung");
    expect_error("tsung-track.ini", "results = r\nengine = tsung\ntracks = c10k, capacity\n",
                 ": engine = tsung runs the c10k track only (Tsung has no saturate, hold, storm "
                 "or rate-step mode); track 'capacity' needs engine = kit");
    expect_error("tsung-workers.ini", "results = r\nengine = tsung\nworkers = 2\n",
                 ": workers applies only to engine = kit (Tsung spreads its users over load_hosts)");
    expect_error("env.ini", "server_env = WS_WORKERS\n",
                 ":1: bad value 'WS_WORKERS' for key 'server_env': expected NAME=VALUE,... such as "
                 "WS_WORKERS=64");
    expect_error("env-name.ini", "server_env = 1X=2\n",
                 ":1: bad value '1X=2' for key 'server_env': expected NAME=VALUE,... such as "
                 "WS_WORKERS=64");
    expect_error("env-dup.ini", "server_env = A=1, A=2\n",
                 ":1: bad value 'A=1, A=2' for key 'server_env': expected NAME=VALUE,... such as "
                 "WS_WORKERS=64");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    good_file();
    defaults();
    bad_files();

    static struct suite_config cfg;
    char err[1024], missing[300], want[400];
    snprintf(missing, sizeof(missing), "%s/missing.ini", dir);
    int rc = config_load(missing, &cfg, err, sizeof(err));
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
    return check_done("test_config");
}
