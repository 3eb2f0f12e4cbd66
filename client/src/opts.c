#include "opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "message.h"

void opts_usage(FILE *f)
{
    fprintf(f,
"usage: runtest DB_PATH SECONDS HOST PORT CLIENTS [options]\n"
"  --arrival-us N          client i starts at t0 + i*N us (default 1000)\n"
"  --interval-ms N         one message per client every N ms (default 1000)\n"
"  --size N                message payload bytes, %u..%u (default 33)\n"
"  --connect-timeout-ms N  TCP connect deadline (default 2000)\n"
"  --handshake-timeout-ms N  upgrade response deadline (default 5000)\n"
"  --drain-ms N            after SECONDS, wait for echoes (default 2000)\n"
"  --close-wait-ms N       then wait for the server's close (default 1000)\n"
"  --path P                request path (default /)\n"
"  --workers N             worker processes (default: online CPUs, at least\n"
"                          one per %u clients)\n"
"  --bind A,B | A-B        IPv4 source addresses, used round-robin\n"
"  --port-range LO-HI      source ports (default 32768-60999)\n"
"  --label L               the server's label, stored in meta\n"
"  --server-pid PID        sample this server's process group memory and CPU\n"
"  --server-stats CMD      or read them from CMD's output (sh -c CMD), one line\n"
"                          'PSS_BYTES RSS_BYTES CPU_SECONDS' a second: a server\n"
"                          on another machine (suite/build/server_stats)\n"
"  --saturate K            throughput mode: K messages in flight per client\n"
"  --timer-grid-us N       wake for timers on an N us grid (default 0: exact)\n"
"  --lag-threshold-us N    send-lag p99 that, in over 5%% of the seconds, marks the run client_bound (default 5000)\n"
"  --quiet                 no progress line\n",
            MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE, OPTS_PER_WORKER_MAX);
}

static int bad(char *err, size_t errlen, const char *what, const char *val,
               const char *expect)
{
    snprintf(err, errlen, "%s: expected %s, got '%s'", what, expect, val);
    return -1;
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* An integer option in lo..hi; the message states the range it checked. */
static int parse_range(const char *what, const char *a, uint64_t lo, uint64_t hi,
                       uint64_t *out, char *err, size_t errlen)
{
    char expect[64];
    if (parse_u64(a, lo, hi, out) == 0)
        return 0;
    snprintf(expect, sizeof expect, "an integer %llu..%llu", (unsigned long long)lo,
             (unsigned long long)hi);
    return bad(err, errlen, what, a, expect);
}

static int parse_addr(const char *s, size_t n, struct in_addr *a)
{
    char buf[INET_ADDRSTRLEN];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return inet_pton(AF_INET, buf, a) == 1 ? 0 : -1;
}

static int parse_bind(const char *s, struct run_opts *o)
{
    const char *dash = strchr(s, '-');
    o->n_bind = 0;
    if (dash) {
        struct in_addr a, b;
        if (parse_addr(s, (size_t)(dash - s), &a) ||
            parse_addr(dash + 1, strlen(dash + 1), &b))
            return -1;
        uint32_t lo = ntohl(a.s_addr), hi = ntohl(b.s_addr);
        if (hi < lo || hi - lo >= OPTS_MAX_BIND)
            return -1;
        for (uint32_t x = lo; x <= hi; x++)
            o->bind[o->n_bind++].s_addr = htonl(x);
        return 0;
    }
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (o->n_bind == OPTS_MAX_BIND || parse_addr(s, n, &o->bind[o->n_bind]))
            return -1;
        o->n_bind++;
        s += n + (comma ? 1 : 0);
    }
    return o->n_bind ? 0 : -1;
}

int opts_parse(int argc, char **argv, struct run_opts *o, char *err, size_t errlen)
{
    enum { O_ARRIVAL = 256, O_INTERVAL, O_SIZE, O_CTO, O_HTO, O_DRAIN, O_CLOSEW,
           O_PATH, O_WORKERS, O_BIND, O_PORTS, O_LABEL, O_PID, O_STATS, O_SAT, O_LAG,
           O_QUIET, O_HELP, O_GRID };
    static const struct option longopts[] = {
        {"arrival-us", required_argument, 0, O_ARRIVAL},
        {"interval-ms", required_argument, 0, O_INTERVAL},
        {"size", required_argument, 0, O_SIZE},
        {"connect-timeout-ms", required_argument, 0, O_CTO},
        {"handshake-timeout-ms", required_argument, 0, O_HTO},
        {"drain-ms", required_argument, 0, O_DRAIN},
        {"close-wait-ms", required_argument, 0, O_CLOSEW},
        {"path", required_argument, 0, O_PATH},
        {"workers", required_argument, 0, O_WORKERS},
        {"bind", required_argument, 0, O_BIND},
        {"port-range", required_argument, 0, O_PORTS},
        {"label", required_argument, 0, O_LABEL},
        {"server-pid", required_argument, 0, O_PID},
        {"server-stats", required_argument, 0, O_STATS},
        {"saturate", required_argument, 0, O_SAT},
        {"lag-threshold-us", required_argument, 0, O_LAG},
        {"quiet", no_argument, 0, O_QUIET},
        {"timer-grid-us", required_argument, 0, O_GRID},
        {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0},
    };
    uint64_t v;

    memset(o, 0, sizeof *o);
    o->arrival_us = 1000;
    o->interval_ms = 1000;
    o->size = 33;
    o->connect_timeout_ms = 2000;
    o->handshake_timeout_ms = 5000;
    o->drain_ms = 2000;
    o->close_wait_ms = 1000;
    o->path = "/";
    o->port_lo = 32768;
    o->port_hi = 60999;
    o->label = "";
    o->lag_threshold_us = 5000;
    o->cpu_threshold = 0.9;

    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case O_ARRIVAL:
            if (parse_range("--arrival-us", a, 0, 60000000, &o->arrival_us, err, errlen))
                return -1;
            break;
        case O_INTERVAL:
            if (parse_range("--interval-ms", a, 1, 3600000, &o->interval_ms, err, errlen))
                return -1;
            break;
        case O_SIZE:
            if (parse_range("--size", a, MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE, &v, err, errlen))
                return -1;
            o->size = (uint32_t)v;
            break;
        case O_CTO:
            if (parse_range("--connect-timeout-ms", a, 1, 600000, &o->connect_timeout_ms, err, errlen))
                return -1;
            break;
        case O_HTO:
            if (parse_range("--handshake-timeout-ms", a, 1, 600000, &o->handshake_timeout_ms, err, errlen))
                return -1;
            break;
        case O_DRAIN:
            if (parse_range("--drain-ms", a, 0, 600000, &o->drain_ms, err, errlen))
                return -1;
            break;
        case O_CLOSEW:
            if (parse_range("--close-wait-ms", a, 0, 600000, &o->close_wait_ms, err, errlen))
                return -1;
            break;
        case O_PATH:
            if (a[0] != '/' || strlen(a) > 1024 || strpbrk(a, " \r\n"))
                return bad(err, errlen, "--path", a, "a path starting with / without spaces");
            o->path = a;
            break;
        case O_WORKERS:
            if (parse_range("--workers", a, 1, 256, &v, err, errlen))
                return -1;
            o->workers = (unsigned)v;
            break;
        case O_BIND:
            if (parse_bind(a, o))
                return bad(err, errlen, "--bind", a, "IPv4 addresses A,B,... or a range A-B of at most 256");
            break;
        case O_PORTS: {
            unsigned lo, hi;
            char tail;
            if (sscanf(a, "%u-%u%c", &lo, &hi, &tail) != 2 || lo < 1 || hi > 65535 || lo > hi)
                return bad(err, errlen, "--port-range", a, "LO-HI within 1-65535");
            o->port_lo = lo;
            o->port_hi = hi;
            break;
        }
        case O_LABEL:
            o->label = a;
            break;
        case O_PID:
            if (parse_u64(a, 1, 4194304, &v))
                return bad(err, errlen, "--server-pid", a, "a process id");
            if (kill((pid_t)v, 0) != 0 && errno == ESRCH)
                return bad(err, errlen, "--server-pid", a, "a running process");
            o->server_pid = (pid_t)v;
            break;
        case O_STATS:
            if (!*a)
                return bad(err, errlen, "--server-stats", a, "a command");
            o->server_stats = a;
            break;
        case O_SAT:
            if (parse_range("--saturate", a, 1, 1024, &v, err, errlen))
                return -1;
            o->saturate = (uint32_t)v;
            break;
        case O_LAG:
            if (parse_range("--lag-threshold-us", a, 1, 60000000, &o->lag_threshold_us, err, errlen))
                return -1;
            break;
        case O_GRID:
            if (parse_range("--timer-grid-us", a, 0, 100000, &o->timer_grid_us, err, errlen))
                return -1;
            break;
        case O_QUIET:
            o->quiet = true;
            break;
        case O_HELP:
            opts_usage(stdout);
            return 1;
        default:
            snprintf(err, errlen, "unknown or incomplete option '%s' (see --help)",
                     argv[optind - 1]);
            return -1;
        }
    }
    if (o->server_pid && o->server_stats) {
        snprintf(err, errlen, "--server-pid and --server-stats: give one (the local pid or "
                 "a command for a server elsewhere)");
        return -1;
    }
    if (argc - optind != 5) {
        snprintf(err, errlen, "expected DB_PATH SECONDS HOST PORT CLIENTS, got %d arguments (see --help)",
                 argc - optind);
        return -1;
    }
    char **pos = argv + optind;
    o->db_path = pos[0];
    char *end;
    errno = 0;
    o->seconds = strtod(pos[1], &end);
    if (errno || *end || !(o->seconds > 0 && o->seconds <= 86400))
        return bad(err, errlen, "SECONDS", pos[1], "a number of seconds in (0, 86400]");
    o->host = pos[2];
    if (parse_u64(pos[3], 1, 65535, &v))
        return bad(err, errlen, "PORT", pos[3], "a port 1..65535");
    o->port = (unsigned)v;
    if (parse_range("CLIENTS", pos[4], 1, 10000000, &v, err, errlen))
        return -1;
    o->clients = (uint32_t)v;

    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    int r = getaddrinfo(o->host, NULL, &hints, &ai);
    if (r) {
        snprintf(err, errlen, "HOST '%s': %s", o->host, gai_strerror(r));
        return -1;
    }
    memcpy(&o->dest, ai->ai_addr, sizeof o->dest);
    o->dest.sin_port = htons((uint16_t)o->port);
    freeaddrinfo(ai);

    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned need = (o->clients + OPTS_PER_WORKER_MAX - 1) / OPTS_PER_WORKER_MAX;
    if (!o->workers) {
        o->workers = cpus > 0 ? (unsigned)cpus : 1;
        if (o->workers < need)
            o->workers = need;
    }
    if (o->workers > o->clients)
        o->workers = o->clients;
    return 0;
}
