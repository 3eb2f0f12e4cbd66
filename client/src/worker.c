/* The worker's loop: fire due timers, wait for sockets until the next one
 * is due (epoll_pwait2 takes a timespec, so sends are scheduled to the
 * microsecond, not the millisecond), dispatch, hand events to the parent. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "prng.h"
#include "worker.h"

#define MAX_EVENTS 512
#define RECORDER_RECORDS 65536
#define FLUSH_EVERY_US 10000     /* events reach the parent within 10 ms */
#define FLUSH_BYTES (256 * 1024)
#define SCRATCH_MIN (64 * 1024)   /* room for a batch of small messages */

static volatile sig_atomic_t stop_requested, end_requested;

static void on_stop(int sig)
{
    if (sig == SIGUSR2)
        end_requested = 1;
    else
        stop_requested = 1;
}

static int setup_process(pid_t parent)
{
    /* Die with the parent: a SIGKILLed runtest must not leave load behind.
     * If it died before this line, we have been re-parented already. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return -1;
    if (getppid() != parent)
        _exit(1);
    /* Timers fire within a microsecond rather than the default 50 us slack. */
    (void)prctl(PR_SET_TIMERSLACK, 1000UL);
    struct sigaction sa = {.sa_handler = on_stop};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) < 0 || sigaction(SIGUSR2, &sa, NULL) < 0 ||
        sigaction(SIGTERM, &sa, NULL) < 0)
        return -1;
    /* Ctrl-C reaches the whole process group; the parent decides. */
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static void enter_drain(struct worker *w, uint64_t now)
{
    w->phase = PHASE_DRAIN;
    w->phase_deadline = now + w->o->drain_ms * 1000;
    for (uint32_t i = 0; i < w->n; i++)
        conn_run_ended(w, &w->conns[i]);
}

static void enter_close(struct worker *w, uint64_t now)
{
    w->phase = PHASE_CLOSE;
    for (uint32_t i = 0; i < w->n; i++)
        conn_run_ended(w, &w->conns[i]);
    w->phase_deadline = now + w->o->close_wait_ms * 1000;
    for (uint32_t i = 0; i < w->n; i++)
        conn_start_close(w, &w->conns[i]);
}

/* Moves the run through its phases; returns the time of the next phase
 * check, or 0 when the worker is done. */
static uint64_t advance_phase(struct worker *w, uint64_t now)
{
    if (stop_requested && w->phase < PHASE_CLOSE)
        enter_close(w, now);
    if (w->phase == PHASE_RUN && (now >= w->end_us || end_requested))
        enter_drain(w, now);
    if (w->phase == PHASE_DRAIN && (w->in_flight == 0 || now >= w->phase_deadline))
        enter_close(w, now);
    if (w->phase == PHASE_CLOSE && (w->live == 0 || now >= w->phase_deadline)) {
        for (uint32_t i = 0; i < w->n; i++)
            conn_exit(w, &w->conns[i], "run_end");
        w->phase = PHASE_DONE;
        return 0;
    }
    return w->phase == PHASE_RUN ? w->end_us : w->phase_deadline;
}

static int worker_init(struct worker *w, const struct run_opts *o,
                       unsigned index, uint64_t t0, int fd)
{
    memset(w, 0, sizeof *w);
    w->o = o;
    w->t0 = t0;
    w->end_us = opts_end_us(o);
    w->interval_us = o->interval_ms * 1000;
    w->ep = -1;
    w->n = (o->clients - index + o->workers - 1) / o->workers;
    /* --storm: worker w keeps its share of the K connects in flight */
    w->storm_quota = o->storm / o->workers + (index < o->storm % o->workers);

    w->conns = calloc(w->n ? w->n : 1, sizeof *w->conns);
    w->scratch_len = o->size + WSC_HEADER_MAX + 4096;
    if (w->scratch_len < SCRATCH_MIN)
        w->scratch_len = SCRATCH_MIN;
    w->scratch = malloc(w->scratch_len);
    w->rbuf_len = 1 << 16;
    w->rbuf = malloc(w->rbuf_len);
    if (!w->conns || !w->scratch || !w->rbuf || schedule_init(&w->sched, w->n) < 0 ||
        recorder_init(&w->rec, fd, (uint16_t)index, RECORDER_RECORDS) < 0) {
        fprintf(stderr, "runtest: worker %u: out of memory for %u connections\n",
                index, w->n);
        return -1;
    }
    w->frame_len = conn_frame_len(w);
    w->batch_max = (unsigned)(w->scratch_len / w->frame_len);
    if (w->batch_max > BATCH_MAX)
        w->batch_max = BATCH_MAX;
    if (getrandom(&w->prng, sizeof w->prng, 0) != sizeof w->prng || !w->prng)
        w->prng = clock_mono_us() | 1;
    w->key_seed = prng_next(&w->prng);
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    if (w->ep < 0) {
        perror("runtest: epoll_create1");
        return -1;
    }
    for (uint32_t j = 0; j < w->n; j++) {
        struct conn *c = &w->conns[j];
        c->fd = -1;
        c->client = index + j * o->workers;
        c->state = CONN_IDLE;
        uint64_t due = (uint64_t)c->client * o->arrival_us;
        if (o->storm)
            continue;           /* started by storm_fill, as fast as K allows */
        if (due < w->end_us)
            schedule_set(&w->sched, j, due);
        else
            c->state = CONN_DONE;
    }
    return 0;
}

/* --storm: start the next clients while fewer than this worker's share of
 * K are connecting or handshaking. */
static void storm_fill(struct worker *w)
{
    while (w->phase == PHASE_RUN && w->connecting < w->storm_quota && w->next_start < w->n) {
        struct conn *c = &w->conns[w->next_start++];
        if (c->state == CONN_IDLE)
            conn_start(w, c);
    }
}

/* One pipe write per 10 ms rather than per loop iteration: at C10K that
 * is the difference between 200 and 20,000 write() calls a second. */
static void maybe_flush(struct worker *w, uint64_t now)
{
    if (w->rec.len == 0) {
        w->last_flush_us = now;
        return;
    }
    if (now - w->last_flush_us >= FLUSH_EVERY_US || w->rec.len >= FLUSH_BYTES) {
        recorder_flush(&w->rec, false);
        w->last_flush_us = now;
    }
}

static void worker_loop(struct worker *w)
{
    struct epoll_event evs[MAX_EVENTS];

    for (;;) {
        uint64_t now = worker_now(w);
        uint64_t phase_at = advance_phase(w, now);
        if (!phase_at)
            return;
        int64_t slot;
        while ((slot = schedule_pop_due(&w->sched, worker_now(w))) >= 0)
            conn_timer_fired(w, &w->conns[slot]);
        if (w->o->storm)
            storm_fill(w);
        now = worker_now(w);
        maybe_flush(w, now);

        uint64_t next = phase_at, due;
        if (schedule_next(&w->sched, &due)) {
            /* Wake on the grid: timers due within one grid step fire
             * together, trading at most grid_us of lag for fewer wakeups. */
            uint64_t grid = w->o->timer_grid_us;
            if (grid > 1)
                due = (due + grid - 1) / grid * grid;
            if (due < next)
                next = due;
        }
        if (w->rec.len && w->last_flush_us + FLUSH_EVERY_US < next)
            next = w->last_flush_us + FLUSH_EVERY_US;
        uint64_t wait = next > now ? next - now : 0;
        if (wait > 100000)
            wait = 100000;   /* look at the stop flag now and then */
        struct timespec ts = {(time_t)(wait / 1000000), (long)(wait % 1000000) * 1000};
        int n = epoll_pwait2(w->ep, evs, MAX_EVENTS, &ts, NULL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("runtest: epoll_pwait2");
            stop_requested = 1;
            continue;
        }
        for (int i = 0; i < n; i++)
            conn_socket_event(w, &w->conns[evs[i].data.u32], evs[i].events);
        if (w->o->storm)
            storm_fill(w);
        maybe_flush(w, worker_now(w));
    }
}

int worker_main(const struct run_opts *o, unsigned index, uint64_t t0, int fd,
                pid_t parent)
{
    static struct worker w;

    if (setup_process(parent) < 0) {
        perror("runtest: worker setup");
        return 1;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (worker_init(&w, o, index, t0, fd) < 0)
        return 1;
    /* Everyone starts at t0, set by the parent a little in the future. */
    struct timespec at = {(time_t)(t0 / 1000000), (long)(t0 % 1000000) * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
        ;
    worker_loop(&w);
    recorder_add(&w.rec, EVENT_WORKER_DONE, 0, worker_now(&w),
                 (int64_t)w.rec.stalls, 0, 0, NULL);
    recorder_flush(&w.rec, true);
    return 0;
}
