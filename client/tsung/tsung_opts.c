#include "tsung_opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head.h"

void topts_usage(const char *prog)
{
    fprintf(stderr,
"usage: %s DB SECONDS HOST PORT CLIENTS [options]\n"
"Runs the kit's workload through Tsung and imports what it recorded into DB\n"
"(the schema of ./runtest). Options, as ./runtest's:\n"
"  --arrival-us N          mean time between arrivals (default 1000; Tsung's\n"
"                          arrivals are a Poisson process, not evenly spaced)\n"
"  --interval-ms N         message k of a connection is due at open + k*N ms\n"
"                          (default 1000)\n"
"  --size N                payload bytes, %u..1048576 (default 33)\n"
"  --connect-timeout-ms N  TCP connect deadline (default 2000)\n"
"  --bind A,B,...|A-B      source addresses (local runs only)\n"
"  --port-range LO-HI      source ports\n"
"  --label TEXT            stored in meta\n"
"  --server-pid PID | --server-stats CMD   stored in meta (Tsung samples\n"
"                          no server)\n"
"  --quiet                 no progress lines\n"
"and Tsung's own:\n"
"  --load-hosts H[:CPU[:MAXUSERS]],...  load nodes Tsung starts over ssh\n"
"                          (default: the controller's VM alone)\n"
"Options of ./runtest that Tsung cannot follow are refused by name.\n",
            prog, HEAD_MIN_SIZE);
}

static int bad(char *err, size_t errlen, const char *opt, const char *val, const char *want)
{
    snprintf(err, errlen, "%s %s: expected %s", opt, val ? val : "(missing)", want);
    return -1;
}

static int parse_u64(const char *opt, const char *a, uint64_t lo, uint64_t hi,
                     uint64_t *out, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(a, &end, 10);
    if (errno || end == a || *end || a[0] == '-' || v < lo || v > hi) {
        char want[64];
        snprintf(want, sizeof want, "an integer in %llu..%llu",
                 (unsigned long long)lo, (unsigned long long)hi);
        return bad(err, errlen, opt, a, want);
    }
    *out = v;
    return 0;
}

_Static_assert(TOPTS_MAX_BIND == OPTS_MAX_BIND, "runtest's --bind limit");

/* Tsung takes the source addresses as text. */
static int parse_bind(struct tsung_opts *o, const char *a, char *err, size_t errlen)
{
    struct in_addr addr[OPTS_MAX_BIND];
    if (opts_parse_bind(a, addr, &o->n_bind, err, errlen))
        return -1;
    for (unsigned i = 0; i < o->n_bind; i++)
        inet_ntop(AF_INET, &addr[i], o->bind[i], sizeof o->bind[i]);
    return 0;
}

/* H[:CPU[:MAXUSERS]],... */
static int parse_hosts(struct tsung_opts *o, const char *a, char *err, size_t errlen)
{
    char buf[8192];
    snprintf(buf, sizeof buf, "%s", a);
    o->n_hosts = 0;
    char *save;
    for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        if (o->n_hosts >= TOPTS_MAX_HOSTS)
            return bad(err, errlen, "--load-hosts", a, "at most 64 hosts");
        struct load_host *h = &o->hosts[o->n_hosts++];
        char *cpu = strchr(s, ':'), *max = NULL;
        if (cpu) {
            *cpu++ = '\0';
            max = strchr(cpu, ':');
            if (max)
                *max++ = '\0';
        }
        if (!*s || strlen(s) >= sizeof h->name || strspn(s, "abcdefghijklmnopqrstuvwxyz"
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != strlen(s))
            return bad(err, errlen, "--load-hosts", a, "HOST[:CPU[:MAXUSERS]],... with host names or IPv4 addresses");
        snprintf(h->name, sizeof h->name, "%s", s);
        uint64_t v;
        h->cpu = 1;
        h->maxusers = 0;
        if (cpu) {
            if (parse_u64("--load-hosts CPU", cpu, 1, 256, &v, err, errlen))
                return -1;
            h->cpu = (unsigned)v;
        }
        if (max) {
            if (parse_u64("--load-hosts MAXUSERS", max, 1, 10000000, &v, err, errlen))
                return -1;
            h->maxusers = (uint32_t)v;
        }
    }
    return o->n_hosts ? 0 : bad(err, errlen, "--load-hosts", a, "at least one host");
}

/* ./runtest options Tsung's model has no counterpart for. */
static const char *const REFUSED[] = {
    "handshake-timeout-ms", "drain-ms", "close-wait-ms", "path", "workers",
    "saturate", "timer-grid-us", "lag-threshold-us", "tcp", "hold", "storm",
    "rate-steps", "step-s", "slo-p99-us", "warmup-s", NULL,
};

static int refused(const char *arg, char *err, size_t errlen)
{
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    const char *name = arg + 2;
    size_t n = strcspn(name, "=");
    for (int i = 0; REFUSED[i]; i++)
        if (strlen(REFUSED[i]) == n && strncmp(name, REFUSED[i], n) == 0) {
            snprintf(err, errlen, "--%.*s: a ./runtest option Tsung cannot follow "
                     "(see client/tsung/README.md); run without it or use the kit's client",
                     (int)n, name);
            return -1;
        }
    return 0;
}

int topts_parse(int argc, char **argv, struct tsung_opts *o, char *err, size_t errlen)
{
    enum { O_ARRIVAL = 256, O_INTERVAL, O_SIZE, O_CTO, O_BIND, O_PORTS, O_LABEL,
           O_SPID, O_SSTATS, O_QUIET, O_HOSTS, O_HELP };
    static const struct option longopts[] = {
        {"arrival-us", required_argument, NULL, O_ARRIVAL},
        {"interval-ms", required_argument, NULL, O_INTERVAL},
        {"size", required_argument, NULL, O_SIZE},
        {"connect-timeout-ms", required_argument, NULL, O_CTO},
        {"bind", required_argument, NULL, O_BIND},
        {"port-range", required_argument, NULL, O_PORTS},
        {"label", required_argument, NULL, O_LABEL},
        {"server-pid", required_argument, NULL, O_SPID},
        {"server-stats", required_argument, NULL, O_SSTATS},
        {"quiet", no_argument, NULL, O_QUIET},
        {"load-hosts", required_argument, NULL, O_HOSTS},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->arrival_us = 1000;
    o->interval_ms = 1000;
    o->size = 33;
    o->connect_timeout_ms = 2000;
    o->label = "";
    for (int i = 1; i < argc; i++)
        if (refused(argv[i], err, errlen))
            return -1;

    opterr = 0;
    optind = 1;
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case O_ARRIVAL:
            if (parse_u64("--arrival-us", a, 0, 60000000, &o->arrival_us, err, errlen))
                return -1;
            break;
        case O_INTERVAL:
            if (parse_u64("--interval-ms", a, 1, 3600000, &o->interval_ms, err, errlen))
                return -1;
            break;
        case O_SIZE:
            if (parse_u64("--size", a, HEAD_MIN_SIZE, 1u << 20, &v, err, errlen))
                return -1;
            o->size = (uint32_t)v;
            break;
        case O_CTO:
            if (parse_u64("--connect-timeout-ms", a, 1, 600000, &o->connect_timeout_ms, err, errlen))
                return -1;
            break;
        case O_BIND:
            if (parse_bind(o, a, err, errlen))
                return -1;
            break;
        case O_PORTS:
            if (opts_parse_port_range(a, &o->port_lo, &o->port_hi, err, errlen))
                return -1;
            o->port_range_set = true;
            break;
        case O_LABEL:
            o->label = a;
            break;
        case O_SPID:
            if (parse_u64("--server-pid", a, 1, 1u << 22, &v, err, errlen))
                return -1;
            o->server_pid = (long)v;
            break;
        case O_SSTATS:
            if (!*a)
                return bad(err, errlen, "--server-stats", a, "a command");
            o->server_stats = a;
            break;
        case O_QUIET:
            o->quiet = true;
            break;
        case O_HOSTS:
            if (parse_hosts(o, a, err, errlen))
                return -1;
            break;
        case O_HELP:
            return 1;
        default:
            snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
            return -1;
        }
    }
    if (o->server_pid && o->server_stats) {
        snprintf(err, errlen, "--server-pid and --server-stats: give one");
        return -1;
    }
    if (o->n_bind && o->n_hosts) {
        snprintf(err, errlen, "--bind with --load-hosts: source addresses belong to one "
                 "machine; give them on a local run only");
        return -1;
    }
    if (opts_parse_positional(argc - optind, argv + optind, &o->args, err, errlen) < 0)
        return -1;
    struct in_addr ia;
    if (inet_pton(AF_INET, o->args.host, &ia) != 1)
        return bad(err, errlen, "HOST", o->args.host,
                   "an IPv4 address (Tsung's load nodes resolve no names for you)");
    return 0;
}
