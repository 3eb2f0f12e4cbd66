/* The conformance cases. Each family lives in its own file and exports a
 * table; cases.c strings them together in report order. IDs follow the
 * Autobahn|Testsuite fuzzing client where a case corresponds to one of its
 * cases, so results can be compared. */
#ifndef CF_CASES_H
#define CF_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run.h"

/* One step of a scripted case (see cases_run_script). */
struct step {
    char kind;        /* F frame, B raw bytes, S send, W wait, M message, P pong,
                       * m message or fail-close, C fail-close, H close handshake, R close reply,
                       * E end */
    bool fin;
    uint8_t rsv, op;
    const char *p;
    size_t n;         /* payload length; S: chop; W: ms; C: close code */
    unsigned us;      /* S: pause between chopped writes */
};

#define FRAME(fin, rsv, op, s) { 'F', fin, rsv, op, s, sizeof(s) - 1, 0 }
/* Bytes sent as they are: frames the codec will not build (unmasked). */
#define RAW(s) { 'B', 0, 0, 0, s, sizeof(s) - 1, 0 }
#define SEND_ALL { 'S', 0, 0, 0, NULL, 0, 0 }
#define SEND_CHOP(n, us) { 'S', 0, 0, 0, NULL, n, us }
#define WAIT(ms) { 'W', 0, 0, 0, NULL, ms, 0 }
#define EXPECT_MSG(op, s) { 'M', 0, 0, op, s, sizeof(s) - 1, 0 }
/* The echo of a valid message sent together with a bad frame, which must
 * be followed by EXPECT_FAIL: a server may fail before echoing. */
#define EXPECT_MSG_BEFORE_FAIL(op, s) { 'm', 0, 0, op, s, sizeof(s) - 1, 0 }
#define EXPECT_PONG(s) { 'P', 0, 0, 0, s, sizeof(s) - 1, 0 }
#define EXPECT_FAIL(code) { 'C', 0, 0, 0, NULL, code, 0 }
#define CLOSE_HANDSHAKE { 'H', 0, 0, 0, NULL, 0, 0 }
#define EXPECT_CLOSE_REPLY { 'R', 0, 0, 0, NULL, 0, 0 }
#define END { 'E', 0, 0, 0, NULL, 0, 0 }
#define SCRIPT(...) .fn = cases_run_script, .script = (const struct step[]){ __VA_ARGS__, END }

struct cf_case {
    const char *id;
    const char *desc;
    void (*fn)(struct run *r, const struct cf_case *c);
    const struct step *script;
    size_t n;           /* size, close code or split point: per fn */
    size_t chop;        /* write or fragment size: per fn */
    const char *data;   /* payload bytes: per fn */
    size_t data_len;
    unsigned flags;     /* per fn */
    int budget_ms;      /* the whole case; 0: CASES_BUDGET_MS */
};

#define DATA(s) .data = s, .data_len = sizeof(s) - 1

#define CASES_BUDGET_MS 10000
#define CASES_BIG_BUDGET_MS 25000

/* Runs c->script: opens the connection, then each step in order. */
void cases_run_script(struct run *r, const struct cf_case *c);

extern const struct cf_case cases_http[];
extern const size_t cases_http_count;
extern const struct cf_case cases_frames[];
extern const size_t cases_frames_count;
extern const struct cf_case cases_utf8[];
extern const size_t cases_utf8_count;
extern const struct cf_case cases_close[];
extern const size_t cases_close_count;
extern const struct cf_case cases_limits[];
extern const size_t cases_limits_count;

/* All cases in report order; the array lives for the whole program. */
const struct cf_case *const *cases_all(size_t *count);
const struct cf_case *cases_find(const char *id);

#endif
