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
#include "recorder.h"
#include "schedule.h"

enum conn_state {
    CONN_IDLE, CONN_CONNECTING, CONN_HANDSHAKE, CONN_OPEN, CONN_CLOSING, CONN_DONE,
};

enum conn_out {        /* what the partly written frame is */
    OUT_NONE, OUT_REQUEST, OUT_MESSAGE, OUT_PONG, OUT_CLOSE,
};

/* One flat struct per socket, allocated once per worker. */
struct conn {
    int fd;
    uint32_t client;
    uint8_t state;
    uint8_t out;             /* enum conn_out */
    bool pong_pending;
    uint8_t mask[4];
    uint32_t out_off;        /* bytes of the current frame already written */
    uint32_t next_seq;       /* next message to send */
    uint32_t recv_seq;       /* next echo expected */
    char key[HANDSHAKE_KEY_LEN];
    uint64_t start_us;       /* connect started (all times: us since t0) */
    uint64_t open_us;        /* handshake done; message seq is due at open + seq*interval */
    uint64_t out_sent_us;    /* of the message being written */
    struct message_rx rx;
};

enum worker_phase { PHASE_RUN, PHASE_DRAIN, PHASE_CLOSE, PHASE_DONE };

struct worker {
    const struct run_opts *o;
    uint64_t t0;             /* absolute CLOCK_MONOTONIC us */
    uint64_t end_us;         /* SECONDS after t0 */
    uint64_t interval_us;
    struct conn *conns;
    uint32_t n;
    struct schedule sched;
    uint64_t *sat_sched;     /* --saturate: sched time of each in-flight seq */
    int ep;
    uint8_t *scratch;        /* frames being written */
    size_t scratch_len;
    uint8_t *rbuf;           /* bytes being read */
    size_t rbuf_len;
    uint64_t prng;
    struct recorder rec;
    uint64_t last_flush_us;
    enum worker_phase phase;
    uint64_t phase_deadline;
    uint32_t live;           /* sockets open */
    uint64_t in_flight;      /* messages sent and not yet echoed */
};

/* Runs worker index of o->workers until the run ends; returns the process
 * exit status. Events go to the pipe fd; parent is the runtest process. */
int worker_main(const struct run_opts *o, unsigned index, uint64_t t0, int fd,
                pid_t parent);

/* conn.c: the callbacks, named after the event. */
uint64_t worker_now(const struct worker *w);
void conn_timer_fired(struct worker *w, struct conn *c);
void conn_socket_event(struct worker *w, struct conn *c, uint32_t events);
void conn_exit(struct worker *w, struct conn *c, const char *reason);
void conn_start_close(struct worker *w, struct conn *c);
void conn_stop_sending(struct worker *w, struct conn *c);

#endif
