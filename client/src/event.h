/* The fixed-size record a worker sends the parent for every event. Workers
 * never touch the database: they append these to a buffer and write them
 * to a pipe, so recording costs one memcpy per event on the hot path. */
#ifndef EVENT_H
#define EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum event_type {
    EVENT_WS_INIT = 1,     /* TCP connect started; data = start lag us */
    EVENT_WS_ONOPEN,       /* handshake done; data = handshake time us */
    EVENT_MESSAGE_SEND,    /* key = seq; data = scheduling lag us */
    EVENT_MESSAGE_RECV,    /* key = seq; data = latency from schedule, data2 = from actual send */
    EVENT_EXIT,            /* text = reason; data2 = 1 if the connection had opened */
    EVENT_WORKER_DONE,     /* last record of a worker; key = recorder stalls */
};

#define EVENT_TEXT_MAX 56

struct event_record {
    uint64_t t_us;         /* since the run's t0 (CLOCK_MONOTONIC) */
    int64_t key;
    int64_t data;
    int64_t data2;
    uint32_t client;
    uint16_t type;
    uint16_t worker;
    char text[EVENT_TEXT_MAX];
};

/* The name stored in events.type. */
const char *event_type_name(unsigned type);

/* The exit taxonomy, in one place for runtest and compile_stats: a
 * connection ends cleanly (we closed it at the end of the run), by a
 * timeout (connect or handshake deadline), or otherwise: every other reason
 * (refused, reset, eof, a close from the server, a bad echo, ...) is a
 * crash of the connection. */
enum event_exit_class { EXIT_CLEAN, EXIT_TIMEOUT, EXIT_CRASH };

static inline enum event_exit_class event_exit_class(const char *reason)
{
    if (strcmp(reason, "run_end") == 0)
        return EXIT_CLEAN;
    if (strcmp(reason, "connection_timeout") == 0 ||
        strcmp(reason, "handshake_timeout") == 0)
        return EXIT_TIMEOUT;
    return EXIT_CRASH;
}

/* Exit reasons counted as timeouts rather than crashes. */
static inline bool event_exit_is_timeout(const char *reason)
{
    return event_exit_class(reason) == EXIT_TIMEOUT;
}

/* Exit reasons counted as crashes: every end but a timeout and the run's. */
static inline bool event_exit_is_crash(const char *reason)
{
    return !event_exit_is_timeout(reason) && strcmp(reason, "run_end") != 0;
}

#endif
