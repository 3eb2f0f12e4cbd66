/* ./runtest: starts the workers, then records what they report. The parent
 * never touches a connection: it reads event records from the workers'
 * pipes, stores them, and once a second writes a sample, commits and
 * prints a progress line. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "clock.h"
#include "db.h"
#include "opts.h"
#include "recorder.h"
#include "sampler.h"
#include "stats_cmd.h"
#include "stats.h"
#include "worker.h"

#define TOOL_VERSION "c10k-client 1.0"
#define MAX_WORKERS 256
#define MAX_REASONS 64
#define START_MARGIN_US 200000   /* workers set up before t0 */
/* --server-stats: its first reading before the run, and how old the last
 * one may be for a sample (it prints once a second). */
#define SERVER_STATS_FIRST_MS 10000
#define SERVER_STATS_MAX_AGE_US 2500000

/* A second whose machine idle share is under this is a busy second; a
 * run with more than LAG_SECONDS_PCT of them is machine_bound. */
#define MACHINE_IDLE_MIN 0.05

/* --rate-steps: what the parent knows of one step, by scheduled send time. */
struct step_tally {
    uint64_t sent, recv;
    struct stats_vec lat;      /* latency from the scheduled send */
    bool judged;
};

struct reason_count {
    char name[EVENT_TEXT_MAX];
    uint64_t n;
};

struct parent {
    struct run_opts o;
    struct db db;
    bool db_failed;
    uint64_t t0;
    unsigned nw;
    pid_t pids[MAX_WORKERS];
    struct recorder_reader *readers;
    int64_t last_cpu[MAX_WORKERS + 1];
    uint64_t last_tick_us;
    double server_cpu_base;
    struct stats_cmd server_stats;

    uint64_t started, connected, sent, recv, timeouts, others, stalls;
    unsigned workers_done;
    struct reason_count reasons[MAX_REASONS];
    unsigned n_reasons;
    uint64_t sec_sent, sec_recv;
    struct stats_vec lat, lag;
    int64_t last_p50, last_p99;
    bool client_bound;
    char bound_reason[160];
    /* Seconds with sends, and those whose lag p99 was over the threshold:
     * one hiccup of the OS scheduler does not make the client the bottleneck,
     * a lag that keeps coming back does. */
    uint64_t lag_seconds, lag_seconds_over;
    int64_t lag_worst_p99;
    long lag_worst_second;

    /* /proc/stat at the baseline sample and at the last tick */
    uint64_t cpu_total0, cpu_idle0, cpu_total_last, cpu_idle_last;
    bool have_cpu0;
    uint64_t busy_seconds, machine_seconds;
    double busiest_idle;
    long busiest_second;

    struct step_tally steps[STEPS_MAX];
    unsigned steps_judged;     /* steps 0..steps_judged-1 are judged */
    int steps_failed;          /* the first step over the SLO, or -1 */
    char steps_reason[160];
    bool end_sent;             /* SIGUSR2 sent: the workers drain and close */
};

/* A run is client-bound when more than this share of its seconds (in %)
 * had a send-lag p99 over --lag-threshold-us. */
#define LAG_SECONDS_PCT 5

static volatile sig_atomic_t interrupted;

/* --rate-steps: the step of a message scheduled at sched, or NULL. */
static struct step_tally *step_of(struct parent *p, int64_t sched)
{
    if (p->o.mode != MODE_STEPS || sched < 0)
        return NULL;
    int j = steps_index(&p->o.steps, (uint64_t)sched);
    return j >= 0 && j < (int)p->o.steps.n ? &p->steps[j] : NULL;
}

static void on_signal(int sig)
{
    (void)sig;
    interrupted++;
}

static void count_reason(struct parent *p, const char *reason)
{
    for (unsigned i = 0; i < p->n_reasons; i++)
        if (strcmp(p->reasons[i].name, reason) == 0) {
            p->reasons[i].n++;
            return;
        }
    unsigned i = p->n_reasons < MAX_REASONS ? p->n_reasons++ : MAX_REASONS - 1;
    if (i == MAX_REASONS - 1)
        snprintf(p->reasons[i].name, sizeof p->reasons[i].name, "other");
    else
        snprintf(p->reasons[i].name, sizeof p->reasons[i].name, "%s", reason);
    p->reasons[i].n++;
}

static void on_record(void *ctx, const struct event_record *e)
{
    struct parent *p = ctx;
    struct event_record r = *e;
    r.text[EVENT_TEXT_MAX - 1] = '\0';   /* records come from our workers, but still */

    switch (r.type) {
    case EVENT_WS_INIT:
        p->started++;
        stats_vec_push(&p->lag, r.data);
        break;
    case EVENT_WS_ONOPEN:
        p->connected++;
        break;
    case EVENT_MESSAGE_SEND: {
        p->sent++;
        p->sec_sent++;
        stats_vec_push(&p->lag, r.data);
        struct step_tally *st = step_of(p, (int64_t)r.t_us - r.data);
        if (st)
            st->sent++;
        break;
    }
    case EVENT_MESSAGE_RECV: {
        p->recv++;
        p->sec_recv++;
        stats_vec_push(&p->lat, r.data);
        struct step_tally *st = step_of(p, (int64_t)r.t_us - r.data);
        if (st) {
            st->recv++;
            stats_vec_push(&st->lat, r.data);
        }
        break;
    }
    case EVENT_EXIT:
        if (r.data2)
            p->connected--;
        count_reason(p, r.text);
        if (event_exit_is_timeout(r.text))
            p->timeouts++;
        else if (event_exit_is_crash(r.text))
            p->others++;
        break;
    case EVENT_WORKER_DONE:
        p->workers_done++;
        p->stalls += (uint64_t)r.key;
        return;
    default:
        return;
    }
    if (!p->db_failed && db_event(&p->db, &r) < 0)
        p->db_failed = true;
}

static void exits_json(const struct parent *p, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "{");
    for (unsigned i = 0; i < p->n_reasons && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, "%s\"%s\":%llu", i ? "," : "",
                              p->reasons[i].name, (unsigned long long)p->reasons[i].n);
    if (n < len)
        snprintf(out + n, len - n, "}");
}

static void progress(const struct parent *p, double elapsed, bool final)
{
    if (p->o.quiet)
        return;
    bool tty = isatty(2);
    char p50[32] = "-", p99[32] = "-";
    if (p->last_p50 >= 0) {
        snprintf(p50, sizeof p50, "%.2fms", p->last_p50 / 1000.0);
        snprintf(p99, sizeof p99, "%.2fms", p->last_p99 / 1000.0);
    }
    fprintf(stderr, "%s[%5.0f/%.0fs] started %llu connected %llu sent %llu recv %llu "
            "p50 %s p99 %s timeouts %llu other exits %llu%s",
            tty ? "\r" : "", elapsed, p->o.seconds,
            (unsigned long long)p->started, (unsigned long long)p->connected,
            (unsigned long long)p->sent, (unsigned long long)p->recv, p50, p99,
            (unsigned long long)p->timeouts, (unsigned long long)p->others,
            tty ? (final ? "\033[K\n" : "\033[K") : "\n");
}

/* The machine's idle share since the last reading (all CPUs, /proc/stat),
 * or -1 for the baseline and when /proc/stat cannot be read. Busy seconds
 * count towards machine_bound; the last, partial second does not. */
static double machine_idle(struct parent *p, long second, bool final)
{
    uint64_t total, idle;
    if (sampler_machine_cpu(&total, &idle) < 0)
        return -1;
    bool first = !p->have_cpu0;
    if (first) {
        p->cpu_total0 = total, p->cpu_idle0 = idle;
        p->have_cpu0 = true;
    }
    uint64_t dt = total - p->cpu_total_last, di = idle - p->cpu_idle_last;
    p->cpu_total_last = total, p->cpu_idle_last = idle;
    /* Under 20 ticks (0.1 s of two CPUs at 100 Hz), a closing fraction of
     * a second, the share says nothing. */
    if (first || dt < 20)
        return -1;
    double share = (double)di / (double)dt;
    if (!final) {
        p->machine_seconds++;
        if (share < MACHINE_IDLE_MIN)
            p->busy_seconds++;
        if (p->machine_seconds == 1 || share < p->busiest_idle)
            p->busiest_idle = share, p->busiest_second = second;
    }
    return share;
}

/* Closes the second that ends now: one samples row, a commit. Second 0 is
 * the baseline, taken before the first connection. */
static void tick(struct parent *p, long second, bool final)
{
    uint64_t now = clock_mono_us();
    double dt = (double)(now - p->last_tick_us) / 1e6;
    if (dt <= 0)
        dt = 1e-6;
    p->last_tick_us = now;

    struct db_sample s = {.second = second};
    char exits[2048];
    exits_json(p, exits, sizeof exits);
    s.exits_json = exits;
    s.started = (long long)p->started;
    s.connected = (long long)p->connected;
    s.sent = (long long)p->sec_sent;
    s.recv = (long long)p->sec_recv;
    s.exits_timeout = (long long)p->timeouts;
    s.exits_other = (long long)p->others;

    struct stats_summary lat, lag;
    stats_summarize(p->lat.v, p->lat.n, &lat);
    stats_summarize(p->lag.v, p->lag.n, &lag);
    s.latency_p50_us = lat.count ? lat.p50 : -1;
    s.latency_p99_us = lat.count ? lat.p99 : -1;
    s.latency_max_us = lat.count ? lat.max : -1;
    s.lag_p99_us = lag.count ? lag.p99 : -1;
    s.lag_max_us = lag.count ? lag.max : -1;
    p->last_p50 = lat.count ? lat.p50 : -1;
    p->last_p99 = lat.count ? lat.p99 : -1;

    /* Our own cost: every worker and this process. */
    s.client_rss_bytes = s.client_pss_bytes = 0;
    for (unsigned i = 0; i <= p->nw; i++) {
        pid_t pid = i < p->nw ? p->pids[i] : getpid();
        if (pid <= 0)
            continue;           /* the baseline: no worker yet */
        int64_t cpu = sampler_cpu_ns(pid), rss, pss;
        if (cpu >= 0 && p->last_cpu[i] >= 0) {
            double share = (double)(cpu - p->last_cpu[i]) / 1e9 / dt;
            s.client_cpu += share;
            if (i < p->nw && share > s.client_worker_cpu_max)
                s.client_worker_cpu_max = share;
        }
        if (cpu >= 0)
            p->last_cpu[i] = cpu;
        sampler_memory(pid, &rss, &pss);
        if (rss > 0)
            s.client_rss_bytes += rss;
        if (pss > 0)
            s.client_pss_bytes += pss;
        if (pss > 0 && i < p->nw)
            s.client_workers_pss_bytes += pss;
    }
    s.tcp_mem_pages = sampler_tcp_mem_pages();
    s.slab_bytes = sampler_slab_bytes();
    s.machine_idle_share = machine_idle(p, second, final);
    sampler_listen_counters(&s.listen_overflows, &s.listen_drops);
    s.server_pss_bytes = s.server_rss_bytes = -1;
    s.server_cpu_seconds = -1;
    if (p->o.server_pid) {
        double cpu;
        sampler_group(p->o.server_pid, &s.server_pss_bytes, &s.server_rss_bytes, &cpu);
        if (cpu >= 0)
            s.server_cpu_seconds = cpu - p->server_cpu_base;
    }
    struct stats_reading sr;
    if (p->o.server_stats &&
        stats_cmd_latest(&p->server_stats, SERVER_STATS_MAX_AGE_US, &sr)) {
        s.server_pss_bytes = sr.pss_bytes;
        s.server_rss_bytes = sr.rss_bytes;
        s.server_cpu_seconds = sr.cpu_seconds - p->server_cpu_base;
    }

    /* A measurement the client could not keep up with says nothing about
     * the server: mark it. The last, partial second of closing is skipped. */
    if (!final && lag.count) {
        p->lag_seconds++;
        if ((uint64_t)lag.p99 > p->o.lag_threshold_us)
            p->lag_seconds_over++;
        if (lag.p99 > p->lag_worst_p99)
            p->lag_worst_p99 = lag.p99, p->lag_worst_second = second;
    }
    if (!final && !p->client_bound) {
        if (s.client_worker_cpu_max > p->o.cpu_threshold) {
            p->client_bound = true;
            snprintf(p->bound_reason, sizeof p->bound_reason,
                     "second %ld: a worker used %.0f%% of a core", second,
                     s.client_worker_cpu_max * 100);
        }
    }
    p->lat.n = p->lag.n = 0;
    p->sec_sent = p->sec_recv = 0;

    if (!p->db_failed && (db_sample(&p->db, &s) < 0 || db_commit(&p->db) < 0 ||
                          db_begin(&p->db) < 0))
        p->db_failed = true;
    if (second > 0)
        progress(p, (double)second, final);
}

static void iso_time(char *out, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, len - n, ".%06ldZ", ts.tv_nsec / 1000);
}

static int write_start_meta(struct parent *p, const char *command)
{
    const struct run_opts *o = &p->o;
    char buf[4096], t[64];
    struct db *d = &p->db;
    int r = 0;

#define META(k, ...) do { snprintf(buf, sizeof buf, __VA_ARGS__); r |= db_meta(d, k, buf); } while (0)
    r |= db_meta(d, "command", command);
    size_t n;
    r |= db_meta(d, "label", o->label);
    r |= db_meta(d, "host", o->host);
    META("port", "%u", o->port);
    META("clients", "%u", o->clients);
    META("seconds", "%g", o->seconds);
    META("arrival_us", "%llu", (unsigned long long)o->arrival_us);
    META("interval_ms", "%llu", (unsigned long long)o->interval_ms);
    META("size", "%u", o->size);
    META("connect_timeout_ms", "%llu", (unsigned long long)o->connect_timeout_ms);
    META("handshake_timeout_ms", "%llu", (unsigned long long)o->handshake_timeout_ms);
    META("drain_ms", "%llu", (unsigned long long)o->drain_ms);
    META("close_wait_ms", "%llu", (unsigned long long)o->close_wait_ms);
    r |= db_meta(d, "path", o->path);
    META("workers", "%u", o->workers);
    n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < o->n_bind && n < sizeof buf; i++) {
        char a[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &o->bind[i], a, sizeof a);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? "," : "", a);
    }
    r |= db_meta(d, "bind", buf);
    META("port_range", "%u-%u", o->port_lo, o->port_hi);
    META("server_pid", "%d", (int)o->server_pid);
    if (o->server_stats)
        r |= db_meta(d, "server_stats", o->server_stats);
    META("saturate", "%u", o->saturate);
    META("timer_grid_us", "%llu", (unsigned long long)o->timer_grid_us);
    META("lag_threshold_us", "%llu", (unsigned long long)o->lag_threshold_us);
    META("cpu_threshold", "%g", o->cpu_threshold);
    r |= db_meta(d, "protocol", o->tcp ? "tcp" : "websocket");
    r |= db_meta(d, "mode", opts_mode_name(o));
    META("storm", "%u", o->storm);
    META("warmup_s", "%llu", (unsigned long long)o->warmup_s);
    if (o->mode == MODE_STEPS) {
        n = 0;
        for (unsigned i = 0; i < o->steps.n && n < sizeof buf; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%llu", i ? "," : "",
                                  (unsigned long long)o->steps.rate[i]);
        r |= db_meta(d, "rate_steps", buf);
        META("step_s", "%llu", (unsigned long long)o->step_s);
        META("slo_p99_us", "%llu", (unsigned long long)o->slo_p99_us);
        META("steps_start_us", "%llu", (unsigned long long)o->steps.start_us);
    }
    iso_time(t, sizeof t);
    r |= db_meta(d, "start_time", t);
    r |= db_meta(d, "tool_version", TOOL_VERSION);
    sampler_cpu_model(buf, sizeof buf);
    r |= db_meta(d, "cpu_model", buf);
    META("cpus", "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    struct utsname u;
    if (uname(&u) == 0)
        META("kernel", "%s %s", u.sysname, u.release);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        META("open_file_limit", "%llu", (unsigned long long)rl.rlim_max);
    r |= db_meta(d, "complete", "0");
    r |= db_meta(d, "client_bound", "0");
#undef META
    return r ? -1 : 0;
}

/* machine_idle_share over the run (baseline to now) and machine_bound: a
 * run in which the CPUs had no idle time left measured the machine, not
 * only the server. */
static int machine_meta(struct parent *p)
{
    char buf[256];
    int r = 0;
    uint64_t total, idle;
    double share = -1;
    if (p->have_cpu0 && sampler_machine_cpu(&total, &idle) == 0 && total > p->cpu_total0)
        share = (double)(idle - p->cpu_idle0) / (double)(total - p->cpu_total0);
    if (share >= 0)
        snprintf(buf, sizeof buf, "%.4f", share);
    else
        buf[0] = '\0';
    r |= db_meta(&p->db, "machine_idle_share", buf);
    bool bound = p->busy_seconds * 100 > p->machine_seconds * LAG_SECONDS_PCT;
    r |= db_meta(&p->db, "machine_bound", bound ? "1" : "0");
    if (bound)
        snprintf(buf, sizeof buf, "%llu of %llu seconds had under %.0f%% of the machine's CPU "
                 "time idle (least: %.1f%%, second %ld; over the run %.1f%%)",
                 (unsigned long long)p->busy_seconds, (unsigned long long)p->machine_seconds,
                 MACHINE_IDLE_MIN * 100, p->busiest_idle * 100, p->busiest_second, share * 100);
    else
        buf[0] = '\0';
    r |= db_meta(&p->db, "machine_bound_reason", buf);
    return r;
}

/* --rate-steps: how many steps the run's figures cover, the failing one
 * included; those that had started when the run stopped sending. */
static unsigned steps_run(const struct parent *p)
{
    const struct steps *st = &p->o.steps;
    if (p->steps_failed >= 0)
        return (unsigned)p->steps_failed + 1;
    uint64_t end = (uint64_t)(p->o.seconds * 1e6);
    if (end <= st->start_us)
        return 0;
    uint64_t n = (end - st->start_us + st->step_us - 1) / st->step_us;
    return n < st->n ? (unsigned)n : st->n;
}

static int write_end_meta(struct parent *p, double seconds_run)
{
    char buf[64], t[64];
    struct db *d = &p->db;
    int r = 0;
    iso_time(t, sizeof t);
    r |= db_meta(d, "end_time", t);
    snprintf(buf, sizeof buf, "%.6f", seconds_run);
    r |= db_meta(d, "seconds_run", buf);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)p->stalls);
    r |= db_meta(d, "recorder_stalls", buf);
    r |= db_meta(d, "interrupted", interrupted ? "1" : "0");
    if (!p->client_bound && p->lag_seconds_over * 100 > p->lag_seconds * LAG_SECONDS_PCT) {
        p->client_bound = true;
        snprintf(p->bound_reason, sizeof p->bound_reason,
                 "%llu of %llu seconds had a scheduling lag p99 over %llu us (worst %lld us, second %ld)",
                 (unsigned long long)p->lag_seconds_over, (unsigned long long)p->lag_seconds,
                 (unsigned long long)p->o.lag_threshold_us, (long long)p->lag_worst_p99,
                 p->lag_worst_second);
    }
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)p->lag_seconds_over);
    r |= db_meta(d, "lag_seconds_over_threshold", buf);
    snprintf(buf, sizeof buf, "%lld", (long long)p->lag_worst_p99);
    r |= db_meta(d, "lag_worst_second_p99_us", buf);
    r |= db_meta(d, "client_bound", p->client_bound ? "1" : "0");
    r |= db_meta(d, "client_bound_reason", p->bound_reason);
    r |= machine_meta(p);
    if (p->o.mode == MODE_STEPS) {
        snprintf(buf, sizeof buf, "%u", steps_run(p));
        r |= db_meta(d, "steps_run", buf);
        r |= db_meta(d, "steps_end_reason", p->steps_reason);
    }
    r |= db_meta(d, "complete", "1");
    return r ? -1 : 0;
}

/* After the fork, the parent steps aside (SCHED_IDLE): it runs only when
 * no worker or server wants the CPU. Its second's work (sampling /proc,
 * sorting the second's latencies, a commit) is a 7-10 ms burst at C10K,
 * and at normal priority it took a worker's core for 1-3 ms at a time
 * (perf sched; client/README.md, "The instrument's floor"). The workers'
 * 6 MiB buffers and 1 MiB pipes hold seconds of events while it waits.
 * Not with --saturate or --rate-steps: there the events come as fast as
 * the workers can make them, and the parent must keep up. */
static const char *parent_yields(const struct run_opts *o)
{
    if (o->mode == MODE_SATURATE || o->mode == MODE_STEPS)
        return "normal";
    struct sched_param sp = {0};
    if (sched_setscheduler(0, SCHED_IDLE, &sp) < 0) {
        perror("runtest: sched_setscheduler(SCHED_IDLE) (the parent keeps its priority)");
        return "normal";
    }
    return "idle";
}

static int spawn_workers(struct parent *p)
{
    int fds[MAX_WORKERS][2];

    p->readers = calloc(p->nw, sizeof *p->readers);
    if (!p->readers) {
        fprintf(stderr, "runtest: out of memory\n");
        return -1;
    }
    for (unsigned i = 0; i < p->nw; i++) {
        if (pipe2(fds[i], O_CLOEXEC) < 0) {
            perror("runtest: pipe");
            return -1;
        }
        /* A deep pipe absorbs the writer's commit pauses. */
        (void)fcntl(fds[i][1], F_SETPIPE_SZ, 1 << 20);
        if (fcntl(fds[i][0], F_SETFL, O_NONBLOCK) < 0 ||
            fcntl(fds[i][1], F_SETFL, O_NONBLOCK) < 0) {
            perror("runtest: fcntl");
            return -1;
        }
        p->readers[i].fd = fds[i][0];
    }
    fflush(NULL);
    pid_t self = getpid();
    for (unsigned i = 0; i < p->nw; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("runtest: fork");
            return -1;
        }
        if (pid == 0) {
            for (unsigned j = 0; j < p->nw; j++) {
                close(fds[j][0]);
                if (j != i)
                    close(fds[j][1]);
            }
            if (p->server_stats.command)
                close(p->server_stats.fd);
            _exit(worker_main(&p->o, i, p->t0, fds[i][1], self));
        }
        p->pids[i] = pid;
    }
    for (unsigned i = 0; i < p->nw; i++)
        close(fds[i][1]);
    return 0;
}

static void signal_workers(struct parent *p, int sig)
{
    for (unsigned i = 0; i < p->nw; i++)
        if (p->pids[i] > 0)
            kill(p->pids[i], sig);
}

/* --rate-steps with --slo-p99-us: step j is judged drain_ms after it
 * ends (an echo not back by then is lost, as at the end of a run) or, with
 * final, once the workers are done. The first step that served less than
 * its offered messages or whose p99 latency exceeds the SLO ends the run:
 * the workers drain and close. Steps cut short by SECONDS are not judged. */
static void judge_steps(struct parent *p, uint64_t now_us, bool final)
{
    const struct run_opts *o = &p->o;
    const struct steps *st = &o->steps;
    if (o->mode != MODE_STEPS || !o->slo_p99_us)
        return;
    while (p->steps_judged < st->n && p->steps_failed < 0) {
        unsigned j = p->steps_judged;
        uint64_t end = st->start_us + (uint64_t)(j + 1) * st->step_us;
        if (end > opts_end_us(o) || (!final && now_us < end + o->drain_ms * 1000))
            return;
        struct step_tally *t = &p->steps[j];
        uint64_t offered = st->rate[j] * (st->step_us / 1000000);
        struct stats_summary sum;
        stats_summarize(t->lat.v, t->lat.n, &sum);
        if (t->recv < offered) {
            p->steps_failed = (int)j;
            snprintf(p->steps_reason, sizeof p->steps_reason,
                     "step %u (%llu/s): %llu of %llu messages echoed", j + 1,
                     (unsigned long long)st->rate[j], (unsigned long long)t->recv,
                     (unsigned long long)offered);
        } else if ((uint64_t)sum.p99 > o->slo_p99_us) {
            p->steps_failed = (int)j;
            snprintf(p->steps_reason, sizeof p->steps_reason,
                     "step %u (%llu/s): p99 %lld us over the SLO of %llu us", j + 1,
                     (unsigned long long)st->rate[j], (long long)sum.p99,
                     (unsigned long long)o->slo_p99_us);
        }
        stats_vec_free(&t->lat);
        p->steps_judged++;
    }
    if (p->steps_failed >= 0 && !p->end_sent) {
        signal_workers(p, SIGUSR2);
        p->end_sent = true;
    }
    if (p->steps_failed < 0 && p->steps_judged == st->n)
        snprintf(p->steps_reason, sizeof p->steps_reason, "every step within the SLO");
}

/* Reads worker pipes until every worker has closed its end. */
static int collect(struct parent *p)
{
    struct pollfd pf[MAX_WORKERS];
    long second = 0;
    int sent_stop = 0;

    p->last_tick_us = p->t0;
    for (;;) {
        if (interrupted > sent_stop) {
            /* First Ctrl-C: the workers close their connections and report;
             * a second one: they are killed. */
            signal_workers(p, sent_stop == 0 ? SIGUSR1 : SIGKILL);
            sent_stop = interrupted;
        }
        unsigned open = 0;
        for (unsigned i = 0; i < p->nw; i++) {
            pf[i].fd = p->readers[i].eof ? -1 : p->readers[i].fd;
            pf[i].events = POLLIN;
            open += !p->readers[i].eof;
        }
        if (!open)
            break;
        uint64_t now = clock_mono_us();
        uint64_t next_tick = p->t0 + (uint64_t)(second + 1) * 1000000;
        if (now >= next_tick) {
            tick(p, ++second, false);
            if (p->db_failed)
                return -1;
            judge_steps(p, now - p->t0, false);
            continue;
        }
        int ms = (int)((next_tick - now + 999) / 1000);
        int n = poll(pf, p->nw, ms);
        if (n < 0 && errno != EINTR) {
            perror("runtest: poll");
            return -1;
        }
        for (unsigned i = 0; n > 0 && i < p->nw; i++) {
            if (!pf[i].revents)
                continue;
            if (recorder_read(&p->readers[i], on_record, p) < 0) {
                perror("runtest: reading a worker's events");
                p->readers[i].eof = true;
            }
            if (p->db_failed)
                return -1;
        }
    }
    judge_steps(p, clock_mono_us() - p->t0, true);
    tick(p, second + 1, true);
    return p->db_failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    static struct parent p;
    char err[512], command[4096];

    /* getopt_long permutes argv: keep the command as it was typed */
    size_t cn = 0;
    command[0] = '\0';
    for (int i = 0; i < argc && cn < sizeof command; i++)
        cn += (size_t)snprintf(command + cn, sizeof command - cn, "%s%s", i ? " " : "", argv[i]);
    int r = opts_parse(argc, argv, &p.o, err, sizeof err);
    if (r == 1)
        return 0;
    if (r < 0) {
        fprintf(stderr, "runtest: %s\n", err);
        return 2;
    }
    p.nw = p.o.workers;
    if (p.nw > MAX_WORKERS) {
        fprintf(stderr, "runtest: at most %d workers\n", MAX_WORKERS);
        return 2;
    }
    struct rlimit rl;
    uint64_t per_worker = (p.o.clients + p.nw - 1) / p.nw;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
        per_worker + 64 > rl.rlim_max) {
        fprintf(stderr, "runtest: %u clients over %u workers is %llu sockets per worker, "
                "over the open-file limit %llu; use --workers %llu or more\n",
                p.o.clients, p.nw, (unsigned long long)per_worker,
                (unsigned long long)rl.rlim_max,
                (unsigned long long)((p.o.clients + rl.rlim_max - 65) / (rl.rlim_max - 64)));
        return 2;
    }
    uint64_t ports = (uint64_t)(p.o.port_hi - p.o.port_lo + 1) * (p.o.n_bind ? p.o.n_bind : 1);
    if (p.o.clients > ports)
        fprintf(stderr, "runtest: warning: %u clients but only %llu source ports "
                "(port range x source addresses); use --bind with more addresses\n",
                p.o.clients, (unsigned long long)ports);

    /* Before the database exists, so a command that does not work leaves
     * nothing behind; its first reading is the base for the run's CPU. */
    if (p.o.server_stats) {
        if (stats_cmd_start(&p.server_stats, p.o.server_stats, SERVER_STATS_FIRST_MS, err,
                            sizeof err) < 0) {
            fprintf(stderr, "runtest: %s\n", err);
            return 2;
        }
        p.server_cpu_base = p.server_stats.last.cpu_seconds;
    }
    if (db_create(&p.db, p.o.db_path) < 0) {
        fprintf(stderr, "runtest: %s\n", p.db.err);
        stats_cmd_stop(&p.server_stats);
        return 1;
    }
    if (db_begin(&p.db) < 0 || write_start_meta(&p, command) < 0 ||
        db_commit(&p.db) < 0 || db_begin(&p.db) < 0) {
        fprintf(stderr, "runtest: %s\n", p.db.err);
        stats_cmd_stop(&p.server_stats);
        db_close(&p.db);
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    p.last_p50 = p.last_p99 = -1;
    for (unsigned i = 0; i <= MAX_WORKERS; i++)
        p.last_cpu[i] = -1;
    if (p.o.server_pid) {
        int64_t a, b;
        sampler_group(p.o.server_pid, &a, &b, &p.server_cpu_base);
    }
    p.steps_failed = -1;
    /* The baseline of every "after minus before" figure: second 0, before
     * the first connection. */
    tick(&p, 0, false);
    if (p.db_failed) {
        fprintf(stderr, "runtest: %s\n", p.db.err);
        stats_cmd_stop(&p.server_stats);
        db_close(&p.db);
        return 1;
    }
    p.t0 = clock_mono_us() + START_MARGIN_US;
    int status = 0;
    if (spawn_workers(&p) < 0) {
        signal_workers(&p, SIGKILL);
        status = 1;
    } else {
        p.last_cpu[p.nw] = sampler_cpu_ns(getpid());
        if (db_meta(&p.db, "parent_sched", parent_yields(&p.o)) < 0)
            p.db_failed = true;
        if (p.db_failed || collect(&p) < 0) {
            fprintf(stderr, "\nruntest: %s\n", p.db.err[0] ? p.db.err : "recording failed");
            signal_workers(&p, SIGKILL);
            status = 1;
        }
    }
    unsigned failures = 0;
    for (unsigned i = 0; i < p.nw; i++) {
        int ws;
        if (p.pids[i] <= 0)
            continue;
        while (waitpid(p.pids[i], &ws, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
            failures++;
    }
    if (failures && status == 0) {
        fprintf(stderr, "runtest: %u worker(s) failed; the run is incomplete\n", failures);
        status = 1;
    }
    if (status == 0) {
        double seconds_run = (double)(clock_mono_us() - p.t0) / 1e6;
        if (write_end_meta(&p, seconds_run) < 0 || db_commit(&p.db) < 0 ||
            db_finish(&p.db) < 0) {
            fprintf(stderr, "runtest: %s\n", p.db.err);
            status = 1;
        }
    } else {
        /* Keep what was recorded: the database stays readable. */
        sqlite3_exec(p.db.h, "COMMIT", NULL, NULL, NULL);
    }
    stats_cmd_stop(&p.server_stats);
    db_close(&p.db);
    free(p.readers);
    stats_vec_free(&p.lat);
    stats_vec_free(&p.lag);
    for (unsigned j = 0; j < STEPS_MAX; j++)
        stats_vec_free(&p.steps[j].lat);
    return status;
}
