/* The load command of each track and variant, word for word: what the
 * runner hands client/build/runtest (or runtest-tsung), with the seconds
 * and variant names worked out by hand from the config below. */
#include "command.h"
#include "config.h"
#include "suite.h"
#include "track.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/suite-test-command-XXXXXX";
static struct suite_config cfg;

static void load(const char *text)
{
    char path[256], err[1024];
    snprintf(path, sizeof(path), "%s/suite.ini", dir);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    if (config_load(path, &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
}

/* argv joined by single spaces (no quoting: the words below have none). */
static void joined(char *const *argv, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; argv[i]; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "", argv[i]);
}

static void expect(const struct variant *v, const struct load_target *t, const char *want)
{
    static struct command c;
    char got[4096];
    int rc = command_build(&cfg, v, t, &c);
    joined(c.argv, got, sizeof(got));
    CHECK(rc == 0 && !strcmp(got, want), "%s %s:\n  got      %s\n  expected %s",
          config_track_name(v->track), v->name, got, want);
    CHECK(c.argv[c.argc] == NULL, "argv is NULL-terminated");
}

static const char *const config =
    "results = r\n"
    "host = 127.0.0.9\n"
    "port = 8123\n"
    "tracks = c10k, throughput, capacity, handshakes, slo\n"
    "clients = 50\nseconds = 7\narrival_us = 200\ninterval_ms = 500\nsize = 40\n"
    "[throughput]\nconnections = 10, 100\nin_flight = 1, 16\nsizes = 20, 4096\n"
    "seconds = 5\nwarmup_s = 1\n"
    "[capacity]\nconnections = 2500\nsettle_s = 4\narrival_us = 1000\n"
    "[handshakes]\nconnections = 300\nin_flight = 32\nseconds = 6\n"
    "[slo]\nconnections = 1001\nrates = 1000, 2000, 4000\nstep_s = 3\np99_us = 2500\n"
    "arrival_us = 1000\n";

static void variants(void)
{
    static struct variant v[TRACK_VARIANTS_MAX];
    int n = track_variants(&cfg, TRACK_THROUGHPUT, v, TRACK_VARIANTS_MAX);
    static const char *const names[] = { "c10-k1-s20", "c10-k1-s4096", "c10-k16-s20",
                                         "c10-k16-s4096", "c100-k1-s20", "c100-k1-s4096",
                                         "c100-k16-s20", "c100-k16-s4096" };
    CHECK(n == 8, "throughput: 2 x 2 x 2 variants, got %d", n);
    for (int i = 0; i < n && i < 8; i++)
        CHECK(!strcmp(v[i].name, names[i]) && v[i].seconds == 5, "variant %d: %s", i, v[i].name);
    n = track_variants(&cfg, TRACK_CAPACITY, v, TRACK_VARIANTS_MAX);
    /* 2500 x 1000 us = 2.5 s of arrivals, rounded up to 3, + 4 s settling */
    CHECK(n == 1 && !strcmp(v[0].name, "default") && v[0].seconds == 7 &&
          v[0].connections == 2500, "capacity: one variant, 3 + 4 s");
    n = track_variants(&cfg, TRACK_SLO, v, TRACK_VARIANTS_MAX);
    /* the last of 1001 clients starts at 1000 x 1000 us = 1 s; step 1 at
     * the second whole second after it, 3 s (the client's rule, steps.c),
     * then 3 whole steps of 3 s */
    CHECK(n == 1 && v[0].seconds == 12, "slo: 3 + 3 x 3 s, got %ld", v[0].seconds);
    CHECK(track_ramp_seconds(1000, 1000) == 1 && track_ramp_seconds(0, 1000) == 0 &&
          track_ramp_seconds(10000, 0) == 0, "ramp: exact seconds stay, none is 0");
    CHECK(track_max_connections(&cfg) == 2500, "the biggest run: capacity's 2500");

    char db[512];
    suite_db_path(&cfg, "throughput", "c-epoll-1", "c10-k1-s20", 2, db, sizeof(db));
    CHECK(!strcmp(db, "r/db/throughput/c-epoll-1/c10-k1-s20-2.db"), "db path: %s", db);
}

static void commands(void)
{
    static struct variant v[TRACK_VARIANTS_MAX];
    struct load_target t = { .db = "D.db", .label = "c-epoll-1", .server_pid = 4242 };
    track_variants(&cfg, TRACK_C10K, v, TRACK_VARIANTS_MAX);
    expect(&v[0], &t, "client/build/runtest D.db 7 127.0.0.9 8123 50 --arrival-us 200 "
           "--interval-ms 500 --size 40 --label c-epoll-1 --server-pid 4242");
    track_variants(&cfg, TRACK_THROUGHPUT, v, TRACK_VARIANTS_MAX);
    expect(&v[0], &t, "client/build/runtest D.db 5 127.0.0.9 8123 10 --saturate 1 --size 20 "
           "--warmup-s 1 --label c-epoll-1 --server-pid 4242");
    expect(&v[7], &t, "client/build/runtest D.db 5 127.0.0.9 8123 100 --saturate 16 --size 4096 "
           "--warmup-s 1 --label c-epoll-1 --server-pid 4242");
    track_variants(&cfg, TRACK_CAPACITY, v, TRACK_VARIANTS_MAX);
    expect(&v[0], &t, "client/build/runtest D.db 7 127.0.0.9 8123 2500 --hold --arrival-us 1000 "
           "--label c-epoll-1 --server-pid 4242");
    track_variants(&cfg, TRACK_HANDSHAKES, v, TRACK_VARIANTS_MAX);
    expect(&v[0], &t, "client/build/runtest D.db 6 127.0.0.9 8123 300 --storm 32 "
           "--interval-ms 3600000 --label c-epoll-1 --server-pid 4242");
    track_variants(&cfg, TRACK_SLO, v, TRACK_VARIANTS_MAX);
    expect(&v[0], &t, "client/build/runtest D.db 12 127.0.0.9 8123 1001 --rate-steps "
           "1000,2000,4000 --step-s 3 --slo-p99-us 2500 --arrival-us 1000 --label c-epoll-1 "
           "--server-pid 4242");

    /* A plain-TCP reference, sampled through supervisord. */
    struct load_target tcp = { .db = "T.db", .label = "tcp-echo", .tcp = true,
                               .stats_cmd = "suite/build/server_stats \"U\" \"tcp-echo\"" };
    track_variants(&cfg, TRACK_THROUGHPUT, v, TRACK_VARIANTS_MAX);
    expect(&v[1], &tcp, "client/build/runtest T.db 5 127.0.0.9 8123 10 --saturate 1 --size 4096 "
           "--warmup-s 1 --tcp --label tcp-echo --server-stats suite/build/server_stats \"U\" "
           "\"tcp-echo\"");
}

static void shared_keys_and_tsung(void)
{
    static struct variant v[TRACK_VARIANTS_MAX];
    struct load_target t = { .db = "D.db", .label = "s", .server_pid = 7 };
    load("results = r\ntracks = throughput\nworkers = 3\nbind = 127.0.0.1-127.0.0.4\n"
         "[throughput]\nconnections = 10\nin_flight = 2\nsizes = 16\nseconds = 3\nwarmup_s = 0\n"
         "arrival_us = 0\n");
    track_variants(&cfg, TRACK_THROUGHPUT, v, TRACK_VARIANTS_MAX);
    /* warmup_s = 0, the client's default: no --warmup-s at all. */
    expect(&v[0], &t, "client/build/runtest D.db 3 127.0.0.1 8000 10 --saturate 2 --size 16 "
           "--arrival-us 0 --workers 3 --bind 127.0.0.1-127.0.0.4 --label s "
           "--server-pid 7");
    /* --dry-run: the server has no pid yet. */
    struct load_target unstarted = { .db = "D.db", .label = "s" };
    expect(&v[0], &unstarted, "client/build/runtest D.db 3 127.0.0.1 8000 10 --saturate 2 "
           "--size 16 --arrival-us 0 --workers 3 --bind 127.0.0.1-127.0.0.4 --label s "
           "--server-pid PID");

    load("results = r\nengine = tsung\nload_hosts = n1:2:100,n2\nclients = 1000\nseconds = 30\n");
    track_variants(&cfg, TRACK_C10K, v, TRACK_VARIANTS_MAX);
    expect(&v[0], &t, "client/tsung/runtest-tsung D.db 30 127.0.0.1 8000 1000 --label s "
           "--server-pid 7 --load-hosts n1:2:100,n2");
    load("results = r\nengine = tsung\nclients = 10\nseconds = 5\n");
    track_variants(&cfg, TRACK_C10K, v, TRACK_VARIANTS_MAX);
    expect(&v[0], &t, "client/tsung/runtest-tsung D.db 5 127.0.0.1 8000 10 --label s "
           "--server-pid 7");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    load(config);
    variants();
    commands();
    shared_keys_and_tsung();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("test_command");
}
