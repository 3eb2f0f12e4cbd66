#include "opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "message.h"

/* ---- the option table ------------------------------------------------ */

enum opt_kind {
    OPT_U64,       /* uint64_t field, in lo..hi */
    OPT_U32,       /* uint32_t field, in lo..hi */
    OPT_UINT,      /* unsigned field, in lo..hi */
    OPT_FLAG,      /* bool field, no argument */
    OPT_FUNC,      /* parsed by fn */
    OPT_HELP,
};

typedef int (*opt_fn)(const char *a, struct run_opts *o, char *err, size_t errlen);

struct opt_spec {
    const char *name;
    const char *arg;           /* shown in the usage; NULL: no argument */
    enum opt_kind kind;
    size_t off;                /* offsetof the field in struct run_opts */
    uint64_t lo, hi, def;      /* range and default of integer options */
    const char *def_text;      /* the default in words, where def does not say it */
    opt_fn fn;
    const char *help;
};

static int parse_path(const char *a, struct run_opts *o, char *err, size_t errlen);
static int parse_bind_opt(const char *a, struct run_opts *o, char *err, size_t errlen);
static int parse_ports(const char *a, struct run_opts *o, char *err, size_t errlen);
static int parse_label(const char *a, struct run_opts *o, char *err, size_t errlen);
static int parse_pid(const char *a, struct run_opts *o, char *err, size_t errlen);
static int parse_stats(const char *a, struct run_opts *o, char *err, size_t errlen);
static int parse_rate_steps(const char *a, struct run_opts *o, char *err, size_t errlen);

#define F(field) offsetof(struct run_opts, field)
#define RATE_MAX 10000000u

static const struct opt_spec OPTS[] = {
    {"arrival-us", "N", OPT_U64, F(arrival_us), 0, 60000000, 1000, NULL, NULL,
     "client i starts at t0 + i*N us"},
    {"interval-ms", "N", OPT_U64, F(interval_ms), 1, 3600000, 1000, NULL, NULL,
     "one message per client every N ms"},
    {"size", "N", OPT_U32, F(size), MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE, 33, NULL, NULL,
     "message payload bytes (16-byte head + filler)"},
    {"connect-timeout-ms", "N", OPT_U64, F(connect_timeout_ms), 1, 600000, 2000, NULL, NULL,
     "TCP connect deadline"},
    {"handshake-timeout-ms", "N", OPT_U64, F(handshake_timeout_ms), 1, 600000, 5000, NULL, NULL,
     "upgrade response deadline, from TCP connect"},
    {"drain-ms", "N", OPT_U64, F(drain_ms), 0, 600000, 2000, NULL, NULL,
     "after SECONDS, wait this long for echoes"},
    {"close-wait-ms", "N", OPT_U64, F(close_wait_ms), 0, 600000, 1000, NULL, NULL,
     "then wait this long for the server's close"},
    {"path", "P", OPT_FUNC, 0, 0, 0, 0, "/", parse_path, "request path"},
    {"workers", "N", OPT_UINT, F(workers), 1, OPTS_MAX_WORKERS, 0,
     "online CPUs, at least one per 15000 clients", NULL, "worker processes"},
    {"bind", "A,B|A-B", OPT_FUNC, 0, 0, 0, 0, "none", parse_bind_opt,
     "IPv4 source addresses (at most 256), used round-robin"},
    {"port-range", "LO-HI", OPT_FUNC, 0, 0, 0, 0, "32768-60999", parse_ports,
     "source ports per source address"},
    {"label", "L", OPT_FUNC, 0, 0, 0, 0, "empty", parse_label, "the server's label, stored in meta"},
    {"server-pid", "PID", OPT_FUNC, 0, 0, 0, 0, "none", parse_pid,
     "sample this server's process group memory and CPU"},
    {"server-stats", "CMD", OPT_FUNC, 0, 0, 0, 0, "none", parse_stats,
     "or read them from `sh -c CMD`, one line 'PSS_BYTES RSS_BYTES CPU_SECONDS' a second "
     "(a server elsewhere: suite/build/server_stats)"},
    {"saturate", "K", OPT_U32, F(saturate), 1, 1024, 0, "off", NULL,
     "throughput mode: K messages in flight per client, the next as each echo arrives"},
    {"hold", NULL, OPT_FLAG, F(hold), 0, 0, 0, NULL, NULL,
     "capacity mode: message 0 at the handshake, silence until SECONDS, then one "
     "probe message per open connection, drain and close"},
    {"storm", "K", OPT_U32, F(storm), 1, 1000000, 0, "off", NULL,
     "connection storm: clients start as fast as possible with at most K connects "
     "or handshakes in flight over all workers (instead of --arrival-us)"},
    {"rate-steps", "R1,R2,..", OPT_FUNC, 0, 0, 0, 0, "off", parse_rate_steps,
     "after the ramp, offer R1 messages/s in total for --step-s, then R2, ... "
     "(open loop, each client evenly phased; at most 32 steps of 1..10000000)"},
    {"step-s", "S", OPT_U64, F(step_s), 1, 3600, 10, NULL, NULL, "length of each rate step"},
    {"slo-p99-us", "U", OPT_U64, F(slo_p99_us), 1, 60000000, 0, "off", NULL,
     "end after the first step whose p99 latency exceeds U or that loses a message"},
    {"warmup-s", "W", OPT_U64, F(warmup_s), 0, 86400, 0, NULL, NULL,
     "throughput figures leave the first W seconds out (stored in meta)"},
    {"tcp", NULL, OPT_FLAG, F(tcp), 0, 0, 0, NULL, NULL,
     "plain TCP (for tcp-echo): no upgrade, raw payloads, echoes checked byte for byte"},
    {"timer-grid-us", "N", OPT_U64, F(timer_grid_us), 0, 100000, 0, NULL, NULL,
     "wake for timers on an N us grid (0: exactly)"},
    {"lag-threshold-us", "N", OPT_U64, F(lag_threshold_us), 1, 60000000, 5000, NULL, NULL,
     "send-lag p99 that, in over 5% of the seconds, marks the run client_bound"},
    {"quiet", NULL, OPT_FLAG, F(quiet), 0, 0, 0, NULL, NULL, "no progress line"},
    {"help", NULL, OPT_HELP, 0, 0, 0, 0, NULL, NULL, "this text"},
};
#define N_OPTS (sizeof OPTS / sizeof OPTS[0])

void opts_usage(FILE *f)
{
    fprintf(f, "usage: runtest DB_PATH SECONDS HOST PORT CLIENTS [options]\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        const struct opt_spec *s = &OPTS[i];
        char left[48], range[96] = "";
        snprintf(left, sizeof left, "--%s%s%s", s->name, s->arg ? " " : "",
                 s->arg ? s->arg : "");
        bool integer = s->kind == OPT_U64 || s->kind == OPT_U32 || s->kind == OPT_UINT;
        if (integer && s->def_text)
            snprintf(range, sizeof range, " (%llu..%llu, default %s)",
                     (unsigned long long)s->lo, (unsigned long long)s->hi, s->def_text);
        else if (integer)
            snprintf(range, sizeof range, " (%llu..%llu, default %llu)",
                     (unsigned long long)s->lo, (unsigned long long)s->hi,
                     (unsigned long long)s->def);
        else if (s->def_text)
            snprintf(range, sizeof range, " (default %s)", s->def_text);
        fprintf(f, "  %-24s %s%s\n", left, s->help, range);
    }
}

/* ---- values ------------------------------------------------------------ */

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

/* An integer in lo..hi; the message states the range it checked. */
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

static void store(const struct opt_spec *s, struct run_opts *o, uint64_t v)
{
    char *field = (char *)o + s->off;
    switch (s->kind) {
    case OPT_U64: *(uint64_t *)field = v; break;
    case OPT_U32: *(uint32_t *)field = (uint32_t)v; break;
    case OPT_UINT: *(unsigned *)field = (unsigned)v; break;
    case OPT_FLAG: *(bool *)field = v != 0; break;
    default: break;
    }
}

static int parse_path(const char *a, struct run_opts *o, char *err, size_t errlen)
{
    if (a[0] != '/' || strlen(a) > 1024 || strpbrk(a, " \r\n"))
        return bad(err, errlen, "--path", a, "a path starting with / without spaces");
    o->path = a;
    return 0;
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

static int parse_bind(const char *s, struct in_addr *out, unsigned *n_out)
{
    const char *dash = strchr(s, '-');
    unsigned n = 0;
    *n_out = 0;
    if (dash) {
        struct in_addr a, b;
        if (parse_addr(s, (size_t)(dash - s), &a) ||
            parse_addr(dash + 1, strlen(dash + 1), &b))
            return -1;
        uint32_t lo = ntohl(a.s_addr), hi = ntohl(b.s_addr);
        if (hi < lo || hi - lo >= OPTS_MAX_BIND)
            return -1;
        for (uint32_t x = lo; x <= hi; x++)
            out[n++].s_addr = htonl(x);
        *n_out = n;
        return 0;
    }
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (n == OPTS_MAX_BIND || parse_addr(s, len, &out[n]))
            return -1;
        n++;
        s += len + (comma ? 1 : 0);
    }
    *n_out = n;
    return n ? 0 : -1;
}

int opts_parse_bind(const char *a, struct in_addr *out, unsigned *n, char *err, size_t errlen)
{
    if (parse_bind(a, out, n))
        return bad(err, errlen, "--bind", a, "IPv4 addresses A,B,... or a range A-B of at most 256");
    return 0;
}

int opts_parse_port_range(const char *a, unsigned *lo, unsigned *hi, char *err, size_t errlen)
{
    unsigned l, h;
    char tail;
    if (sscanf(a, "%u-%u%c", &l, &h, &tail) != 2 || l < 1 || h > 65535 || l > h)
        return bad(err, errlen, "--port-range", a, "LO-HI within 1-65535");
    *lo = l;
    *hi = h;
    return 0;
}

static int parse_bind_opt(const char *a, struct run_opts *o, char *err, size_t errlen)
{
    return opts_parse_bind(a, o->bind, &o->n_bind, err, errlen);
}

static int parse_ports(const char *a, struct run_opts *o, char *err, size_t errlen)
{
    return opts_parse_port_range(a, &o->port_lo, &o->port_hi, err, errlen);
}

static int parse_label(const char *a, struct run_opts *o, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    o->label = a;
    return 0;
}

static int parse_pid(const char *a, struct run_opts *o, char *err, size_t errlen)
{
    uint64_t v;
    if (parse_u64(a, 1, 4194304, &v))
        return bad(err, errlen, "--server-pid", a, "a process id");
    if (kill((pid_t)v, 0) != 0 && errno == ESRCH)
        return bad(err, errlen, "--server-pid", a, "a running process");
    o->server_pid = (pid_t)v;
    return 0;
}

static int parse_stats(const char *a, struct run_opts *o, char *err, size_t errlen)
{
    if (!*a)
        return bad(err, errlen, "--server-stats", a, "a command");
    o->server_stats = a;
    return 0;
}

static int parse_rate_steps(const char *a, struct run_opts *o, char *err, size_t errlen)
{
    const char *expect = "rates R1,R2,... (messages/s in total), at most 32, each 1..10000000";
    o->steps.n = 0;
    for (const char *s = a;;) {
        char num[24];
        size_t n = strcspn(s, ",");
        uint64_t v;
        if (o->steps.n == STEPS_MAX || n == 0 || n >= sizeof num)
            return bad(err, errlen, "--rate-steps", a, expect);
        memcpy(num, s, n);
        num[n] = '\0';
        if (parse_u64(num, 1, RATE_MAX, &v))
            return bad(err, errlen, "--rate-steps", a, expect);
        o->steps.rate[o->steps.n++] = v;
        if (!s[n])
            return 0;
        s += n + 1;
    }
}

/* ---- the command line ---------------------------------------------------- */

static void set_defaults(struct run_opts *o)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < N_OPTS; i++)
        if (OPTS[i].kind == OPT_U64 || OPTS[i].kind == OPT_U32 || OPTS[i].kind == OPT_UINT)
            store(&OPTS[i], o, OPTS[i].def);
    o->path = "/";
    o->port_lo = 32768;
    o->port_hi = 60999;
    o->label = "";
    o->cpu_threshold = 0.9;
}

/* One option from the table; seen[] notes which were given. */
static int apply_option(const struct opt_spec *s, const char *a, struct run_opts *o,
                        char *err, size_t errlen)
{
    char what[48];
    uint64_t v;
    snprintf(what, sizeof what, "--%s", s->name);
    switch (s->kind) {
    case OPT_U64:
    case OPT_U32:
    case OPT_UINT:
        if (parse_range(what, a, s->lo, s->hi, &v, err, errlen))
            return -1;
        store(s, o, v);
        return 0;
    case OPT_FLAG:
        store(s, o, 1);
        return 0;
    case OPT_FUNC:
        return s->fn(a, o, err, errlen);
    default:
        return 0;
    }
}

static int parse_options(int argc, char **argv, struct run_opts *o, bool *seen,
                         char *err, size_t errlen)
{
    struct option longopts[N_OPTS + 1];
    for (size_t i = 0; i < N_OPTS; i++)
        longopts[i] = (struct option){OPTS[i].name,
                                      OPTS[i].arg ? required_argument : no_argument,
                                      NULL, 256 + (int)i};
    longopts[N_OPTS] = (struct option){0, 0, 0, 0};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c < 256 || c >= 256 + (int)N_OPTS) {
            snprintf(err, errlen, "unknown or incomplete option '%s' (see --help)",
                     argv[optind - 1]);
            return -1;
        }
        const struct opt_spec *s = &OPTS[c - 256];
        if (s->kind == OPT_HELP) {
            opts_usage(stdout);
            return 1;
        }
        if (apply_option(s, optarg, o, err, errlen) < 0)
            return -1;
        seen[c - 256] = true;
    }
    return 0;
}

static bool given(const bool *seen, const char *name)
{
    for (size_t i = 0; i < N_OPTS; i++)
        if (strcmp(OPTS[i].name, name) == 0)
            return seen[i];
    return false;
}

int opts_parse_positional(int n, char **pos, struct opts_positional *p, char *err,
                          size_t errlen)
{
    uint64_t v;
    if (n != 5) {
        snprintf(err, errlen, "expected DB_PATH SECONDS HOST PORT CLIENTS, got %d arguments (see --help)",
                 n);
        return -1;
    }
    p->db_path = pos[0];
    char *end;
    errno = 0;
    p->seconds = strtod(pos[1], &end);
    if (errno || *end || !(p->seconds > 0 && p->seconds <= 86400))
        return bad(err, errlen, "SECONDS", pos[1], "a number of seconds in (0, 86400]");
    p->host = pos[2];
    if (parse_u64(pos[3], 1, 65535, &v))
        return bad(err, errlen, "PORT", pos[3], "a port 1..65535");
    p->port = (unsigned)v;
    if (parse_range("CLIENTS", pos[4], 1, 10000000, &v, err, errlen))
        return -1;
    p->clients = (uint32_t)v;
    return 0;
}

static int parse_positional(int argc, char **argv, struct run_opts *o, char *err,
                            size_t errlen)
{
    struct opts_positional p;
    if (opts_parse_positional(argc - optind, argv + optind, &p, err, errlen) < 0)
        return -1;
    o->db_path = p.db_path;
    o->seconds = p.seconds;
    o->host = p.host;
    o->port = p.port;
    o->clients = p.clients;
    return 0;
}

static int resolve_host(struct run_opts *o, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    int r = getaddrinfo(o->host, NULL, &hints, &ai);
    if (r) {
        snprintf(err, errlen, "HOST '%s': %s", o->host, gai_strerror(r));
        return -1;
    }
    memcpy(&o->dest, ai->ai_addr, sizeof o->dest);
    o->dest.sin_port = htons((uint16_t)o->port);
    freeaddrinfo(ai);
    return 0;
}

/* The options that cannot go together, each refused with the reason. */
static int refuse_combinations(const struct run_opts *o, const bool *seen, char *err,
                               size_t errlen)
{
    if (o->server_pid && o->server_stats) {
        snprintf(err, errlen, "--server-pid and --server-stats: give one (the local pid or "
                 "a command for a server elsewhere)");
        return -1;
    }
    unsigned modes = (o->saturate > 0) + o->hold + (o->steps.n > 0);
    if (modes > 1) {
        snprintf(err, errlen, "--saturate, --hold and --rate-steps are different message "
                 "modes: give at most one");
        return -1;
    }
    if (!o->steps.n && (given(seen, "step-s") || given(seen, "slo-p99-us"))) {
        snprintf(err, errlen, "--step-s and --slo-p99-us apply to --rate-steps only");
        return -1;
    }
    if (o->steps.n && o->storm) {
        /* The steps start once every client has had its turn, which the
         * arrival schedule knows in advance and a storm does not. */
        snprintf(err, errlen, "--rate-steps starts after the --arrival-us ramp; it does "
                 "not combine with --storm");
        return -1;
    }
    if (o->warmup_s && (double)o->warmup_s >= o->seconds) {
        snprintf(err, errlen, "--warmup-s %llu: must be less than SECONDS (%g)",
                 (unsigned long long)o->warmup_s, o->seconds);
        return -1;
    }
    return 0;
}

/* The message mode the options chose, and the steps' schedule. */
static void derive_mode(struct run_opts *o)
{
    o->mode = o->saturate ? MODE_SATURATE : o->hold ? MODE_HOLD
            : o->steps.n ? MODE_STEPS : MODE_INTERVAL;
    if (o->steps.n) {
        o->steps.clients = o->clients;
        o->steps.step_us = o->step_s * 1000000;
        o->steps.start_us = steps_start_after_ramp(o->clients, o->arrival_us);
    }
}

/* Enough workers for the sockets, and with --storm no more than K (each
 * worker keeps its share of the K in flight). */
static int choose_workers(struct run_opts *o, char *err, size_t errlen)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned need = (o->clients + OPTS_PER_WORKER_MAX - 1) / OPTS_PER_WORKER_MAX;
    bool chosen = o->workers != 0;
    if (!chosen) {
        o->workers = cpus > 0 ? (unsigned)cpus : 1;
        if (o->workers < need)
            o->workers = need;
        if (o->storm && o->workers > o->storm && o->storm >= need)
            o->workers = o->storm;
    }
    if (o->workers > o->clients)
        o->workers = o->clients;
    if (o->storm && o->storm < o->workers) {
        snprintf(err, errlen, "--storm %u: at least one in flight per worker, and this run "
                 "has %u workers%s", o->storm, o->workers,
                 chosen ? " (--workers)" : " (one per 15000 clients)");
        return -1;
    }
    return 0;
}

/* Defaults, then the options, the positional arguments, what does not go
 * together, and what follows from the rest: the mode, the address, the
 * workers. */
int opts_parse(int argc, char **argv, struct run_opts *o, char *err, size_t errlen)
{
    bool seen[N_OPTS] = {0};
    set_defaults(o);
    int r = parse_options(argc, argv, o, seen, err, errlen);
    if (r)
        return r;
    if (parse_positional(argc, argv, o, err, errlen) < 0 ||
        refuse_combinations(o, seen, err, errlen) < 0)
        return -1;
    derive_mode(o);
    if (resolve_host(o, err, errlen) < 0 || choose_workers(o, err, errlen) < 0)
        return -1;
    return 0;
}

const char *opts_mode_name(const struct run_opts *o)
{
    switch (o->mode) {
    case MODE_SATURATE: return "saturate";
    case MODE_HOLD: return "hold";
    case MODE_STEPS: return "steps";
    default: return o->storm ? "storm" : "interval";
    }
}

uint64_t opts_end_us(const struct run_opts *o)
{
    uint64_t end = (uint64_t)(o->seconds * 1e6);
    if (o->mode == MODE_STEPS && steps_end(&o->steps) < end)
        end = steps_end(&o->steps);
    return end;
}
