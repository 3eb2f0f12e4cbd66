/* One case's run against the server: its connection, the frames it sends
 * and what it expects back, and the verdict that accumulates as it goes.
 * Every expectation helper does nothing once the case has failed, so a case
 * reads as a straight list of sends and expectations. */
#ifndef CF_RUN_H
#define CF_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "util.h"

/* How long the server may stay silent when an answer is due. */
#define RUN_IDLE_MS 2000
/* How long after the close handshake the server has to close TCP. */
#define RUN_TCP_CLOSE_MS 1000

enum verdict { VERDICT_PASS, VERDICT_NONSTRICT, VERDICT_FAIL };

struct run_config {
    struct conn_addr addr;
    const char *host;
    int port;
};

struct run {
    const struct run_config *cfg;
    struct conn conn;
    bool connected;
    enum verdict verdict;
    char reason[256];
    int64_t hard_deadline;
    uint32_t rng;          /* masks: deterministic per case */
    struct bytes wire;     /* frames built by run_frame, sent by run_send */
    struct bytes msg;      /* server message being reassembled */
    int frag_opcode;       /* its opcode, or -1 between messages */
    bool close_sent;       /* a close frame went into r->wire */
};

enum run_event_kind {
    EV_MESSAGE,   /* a complete text or binary message */
    EV_PONG,
    EV_CLOSE,
    EV_EOF,       /* TCP closed without (further) frames */
    EV_TIMEOUT,
    EV_BAD,       /* the server broke the protocol; run already failed */
};

struct run_event {
    enum run_event_kind kind;
    uint8_t opcode;
    const uint8_t *data;   /* valid until the next event */
    size_t len;
    int close_code;        /* -1: close without a status code */
};

void run_init(struct run *r, const struct run_config *cfg, unsigned seed,
              int budget_ms);
void run_finish(struct run *r);

void run_fail(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void run_nonstrict(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline bool run_failed(const struct run *r)
{
    return r->verdict == VERDICT_FAIL;
}

/* TCP connect only (handshake cases). */
bool run_connect(struct run *r);
/* TCP connect and a checked opening handshake. */
bool run_open(struct run *r);

/* Appends one masked frame to r->wire. rsv holds byte-0 bits 0x70, opcode
 * any 4-bit value: malformed frames are built the same way. */
void run_frame(struct run *r, bool fin, uint8_t rsv, uint8_t opcode,
               const void *p, size_t n);
/* Appends a close frame: code < 0 sends no payload at all. */
void run_close_frame(struct run *r, int code, const void *reason, size_t n);
/* Sends r->wire in writes of chop bytes (0: all at once) and empties it.
 * A server that stops reading (it failed the connection) is not an error
 * here: the expectations that follow judge it. */
void run_send(struct run *r, size_t chop, unsigned delay_us);
void run_send_raw(struct run *r, const void *p, size_t n, size_t chop,
                  unsigned delay_us);

/* Next message-level event, reassembling fragments and answering pings. */
void run_next_event(struct run *r, struct run_event *ev, int idle_ms);
/* "text message of 5 bytes", "close 1002", "TCP close", ... */
void run_describe(const struct run_event *ev, char *out, size_t cap);

void run_expect_message(struct run *r, uint8_t opcode, const void *p, size_t n);
void run_expect_pong(struct run *r, const void *p, size_t n);
/* Judges an event already read as the echo of p[0..n). */
void run_judge_message(struct run *r, const struct run_event *ev, uint8_t opcode,
                       const void *p, size_t n);
/* For a valid message sent in one write with a bad frame after it: its
 * echo (pass), or at once the failure close for code (non-strict, as
 * Autobahn allows). Returns true when the close was read and judged. */
bool run_expect_message_or_fail(struct run *r, uint8_t opcode, const void *p, size_t n,
                                unsigned code);

/* The server must fail the connection: close with code (pass), another
 * code or a bare TCP close (non-strict); anything else fails. Then the
 * close is answered and the TCP close awaited. */
void run_expect_fail_close(struct run *r, unsigned code);
/* Judges an event already read as the start of run_expect_fail_close. */
void run_judge_fail_close(struct run *r, const struct run_event *ev,
                          unsigned code, const char *late);

/* Client-initiated close: sends close 1000 and expects a close back (1000
 * or no code), nothing before it, then the server's TCP close. */
void run_close_handshake(struct run *r);

/* The rest of run_close_handshake, for cases that built their own close. */
void run_expect_close_reply(struct run *r);
void run_judge_close_reply(struct run *r, const struct run_event *ev);

/* After a close exchange: the server must close TCP, sending nothing. */
void run_expect_tcp_close(struct run *r);

/* Deterministic payloads: text is printable ASCII, binary all byte values. */
uint8_t *run_pattern(size_t n, bool text);

#endif
