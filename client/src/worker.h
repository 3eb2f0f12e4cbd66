/* One worker process: its connections, its timers, its epoll loop. Worker
 * w of W holds clients i with i % W == w, in slot i / W, so every worker
 * keeps the global arrival order (client i starts at t0 + i * arrival). */
#ifndef WORKER_H
#define WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "handshake.h"
#include "message.h"
#include "opts.h"
#include "plain.h"
#include "recorder.h"
#include "schedule.h"

enum conn_state {
    CONN_IDLE, CONN_CONNECTING, CONN_HANDSHAKE, CONN_OPEN, CONN_CLOSING, CONN_DONE,
};

enum conn_out {        /* what the partly written frame is */
    OUT_NONE, OUT_REQUEST, OUT_MESSAGE, OUT_PONG, OUT_CLOSE,
};

/* One flat struct per socket, allocated once per worker. Everything a
 * frame holds is derived from these fields (the handshake key from the
 * worker's seed and the client id), so a partial write needs no buffer. */
struct conn {
    int fd;
    uint32_t client;
    uint8_t state;
    uint8_t out;             /* enum conn_out */
    bool pong_pending;
    bool blocked;            /* the socket took less than offered: wait for EPOLLOUT */
    uint8_t mask[4];         /* of the frame being written */
    uint32_t out_off;        /* bytes of the current frame already written */
    uint32_t next_seq;       /* next message to send */
    uint32_t recv_seq;       /* next echo expected */
    uint64_t start_us;       /* connect started (all times: us since t0) */
    uint64_t open_us;        /* handshake done (--tcp: connected) */
    uint64_t out_sent_us;    /* of the message being written */
    union {
        struct message_rx ws;
        struct plain_rx tcp;
    } rx;
};

enum worker_phase { PHASE_RUN, PHASE_DRAIN, PHASE_CLOSE, PHASE_DONE };

/* Messages one send() carries at most: with several due at once (--saturate
 * K, or catching up), one syscall instead of one per message. */
#define BATCH_MAX 64

struct worker {
    const struct run_opts *o;
    uint64_t t0;             /* absolute CLOCK_MONOTONIC us */
    uint64_t end_us;         /* no new client or message after this */
    uint64_t interval_us;
    struct conn *conns;
    uint32_t n;
    struct schedule sched;
    int ep;
    uint8_t *scratch;        /* frames being written */
    size_t scratch_len;
    size_t frame_len;        /* bytes of one message on the wire */
    unsigned batch_max;
    uint64_t batch_sched[BATCH_MAX];   /* the batch being written */
    uint8_t batch_mask[BATCH_MAX][4];
    uint8_t *rbuf;           /* bytes being read */
    size_t rbuf_len;
    uint64_t prng;
    uint64_t key_seed;       /* handshake keys: f(seed, client) */
    struct recorder rec;
    uint64_t last_flush_us;
    enum worker_phase phase;
    uint64_t phase_deadline;
    uint32_t live;           /* sockets open */
    uint32_t connecting;     /* in TCP connect or handshake */
    uint32_t storm_quota;    /* --storm: this worker's share of K */
    uint32_t next_start;     /* --storm: the next slot to start */
    uint64_t in_flight;      /* messages sent and not yet echoed */
};

/* Runs worker index of o->workers until the run ends; returns the process
 * exit status. Events go to the pipe fd; parent is the runtest process.
 * SIGUSR1: close now (Ctrl-C); SIGUSR2: stop sending, drain and close (the
 * parent ends a --rate-steps run early). */
int worker_main(const struct run_opts *o, unsigned index, uint64_t t0, int fd,
                pid_t parent);

/* conn.c: the callbacks, named after the event. */
uint64_t worker_now(const struct worker *w);
void conn_start(struct worker *w, struct conn *c);
void conn_timer_fired(struct worker *w, struct conn *c);
void conn_socket_event(struct worker *w, struct conn *c, uint32_t events);
void conn_exit(struct worker *w, struct conn *c, const char *reason);
void conn_run_ended(struct worker *w, struct conn *c);
void conn_start_close(struct worker *w, struct conn *c);

/* The bytes of one message on the wire, its frame header included
 * (built once into the scratch buffer to measure it). */
size_t conn_frame_len(struct worker *w);

#endif
