#include "run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "wsc_frame.h"
#include "wsc_close.h"

void run_init(struct run *r, const struct run_config *cfg, unsigned seed,
              int budget_ms)
{
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    r->conn.fd = -1;
    r->frag_opcode = -1;
    r->rng = 2463534242u ^ (seed * 2654435761u);
    if (r->rng == 0)
        r->rng = 1;
    r->hard_deadline = util_now_ms() + budget_ms;
}

void run_finish(struct run *r)
{
    conn_close(&r->conn);
    bytes_free(&r->wire);
    bytes_free(&r->msg);
}

static void set_reason(struct run *r, const char *fmt, va_list ap)
{
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
}

void run_fail(struct run *r, const char *fmt, ...)
{
    if (r->verdict == VERDICT_FAIL)
        return;  /* the first failure is the one worth reading */
    r->verdict = VERDICT_FAIL;
    va_list ap;
    va_start(ap, fmt);
    set_reason(r, fmt, ap);
    va_end(ap);
}

void run_nonstrict(struct run *r, const char *fmt, ...)
{
    if (r->verdict != VERDICT_PASS)
        return;
    r->verdict = VERDICT_NONSTRICT;
    va_list ap;
    va_start(ap, fmt);
    set_reason(r, fmt, ap);
    va_end(ap);
}

bool run_connect(struct run *r)
{
    if (conn_open(&r->conn, &r->cfg->addr, RUN_IDLE_MS, r->hard_deadline) < 0) {
        run_fail(r, "%s", r->conn.err);
        return false;
    }
    r->connected = true;
    return true;
}

bool run_open(struct run *r)
{
    if (!run_connect(r))
        return false;
    char req[512];
    size_t n = http_upgrade_request(req, sizeof req, r->cfg->host, r->cfg->port);
    run_send_raw(r, req, n, 0, 0);
    struct http_response resp;
    char err[160];
    enum http_read_status s = http_read_response(&r->conn, &resp, RUN_IDLE_MS, err, sizeof err);
    if (s != HTTP_READ_OK) {
        run_fail(r, "opening handshake: %s", err);
        http_response_free(&resp);
        return false;
    }
    const char *why = http_check_upgrade(&resp);
    if (why)
        run_fail(r, "opening handshake: %s", why);
    http_response_free(&resp);
    return !why;
}

static uint32_t next_rand(struct run *r)
{
    uint32_t x = r->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return r->rng = x;
}

void run_frame(struct run *r, bool fin, uint8_t rsv, uint8_t opcode,
               const void *p, size_t n)
{
    uint8_t mask[4];
    uint32_t m = next_rand(r);
    memcpy(mask, &m, 4);
    bytes_reserve(&r->wire, WSC_HEADER_MAX + n);
    uint8_t *h = r->wire.p + r->wire.len;
    size_t hl = wsc_header_write(h, fin, opcode & 0x0F, n, mask);
    /* The codec never sets RSV bits: malformed frames patch byte 0. */
    h[0] |= rsv & 0x70;
    if ((opcode & 0x0F) == WSC_OP_CLOSE)
        r->close_sent = true;
    r->wire.len += hl;
    bytes_append(&r->wire, p, n);
    wsc_mask(r->wire.p + r->wire.len - n, n, mask, 0);
}

void run_close_frame(struct run *r, int code, const void *reason, size_t n)
{
    uint8_t payload[2 + 256];
    if (code < 0) {
        run_frame(r, true, 0, WSC_OP_CLOSE, NULL, 0);
        return;
    }
    if (n > sizeof payload - 2)
        n = sizeof payload - 2;
    payload[0] = (uint8_t)(code >> 8);
    payload[1] = (uint8_t)code;
    if (n)
        memcpy(payload + 2, reason, n);
    run_frame(r, true, 0, WSC_OP_CLOSE, payload, 2 + n);
}

void run_send_raw(struct run *r, const void *p, size_t n, size_t chop,
                  unsigned delay_us)
{
    if (run_failed(r) || !r->connected || r->conn.tx_closed)
        return;
    if (conn_send(&r->conn, p, n, chop, delay_us, RUN_IDLE_MS) != CONN_TIMEOUT)
        return;
    /* A server that answered and then stopped reading has failed the
     * connection on purpose: let the expectations judge its answer. */
    if (conn_pending(&r->conn) > 0 || r->conn.eof)
        r->conn.tx_closed = true;
    else
        run_fail(r, "timeout: server stopped reading for %d ms while we sent", RUN_IDLE_MS);
}

void run_send(struct run *r, size_t chop, unsigned delay_us)
{
    run_send_raw(r, r->wire.p, r->wire.len, chop, delay_us);
    r->wire.len = 0;
}

static void pong_back(struct run *r, const uint8_t *p, size_t n)
{
    /* Build apart from r->wire, which may hold frames not yet sent. */
    struct bytes saved = r->wire;
    memset(&r->wire, 0, sizeof r->wire);
    run_frame(r, true, 0, WSC_OP_PONG, p, n);
    if (!r->conn.tx_closed)
        conn_send(&r->conn, r->wire.p, r->wire.len, 0, 0, RUN_IDLE_MS);
    bytes_free(&r->wire);
    r->wire = saved;
}

void run_next_event(struct run *r, struct run_event *ev, int idle_ms)
{
    memset(ev, 0, sizeof *ev);
    ev->close_code = -1;
    for (;;) {
        struct conn_frame f;
        enum conn_status s = conn_next_frame(&r->conn, &f, idle_ms);
        if (s == CONN_TIMEOUT) {
            ev->kind = EV_TIMEOUT;
            return;
        }
        if (s == CONN_EOF) {
            ev->kind = EV_EOF;
            return;
        }
        if (s == CONN_BAD) {
            run_fail(r, "%s", r->conn.err);
            ev->kind = EV_BAD;
            return;
        }
        enum wsc_error bad = wsc_check_server_frame(&f.h);
        if (bad != WSC_OK) {
            run_fail(r, "server sent a bad frame: %s (opcode 0x%X)", wsc_error_text(bad),
                     f.h.opcode);
            ev->kind = EV_BAD;
            return;
        }
        size_t n = (size_t)f.h.len;
        switch (f.h.opcode) {
        case WSC_OP_PING:
            pong_back(r, f.payload, n);
            continue;
        case WSC_OP_PONG:
        case WSC_OP_CLOSE:
            ev->kind = f.h.opcode == WSC_OP_PONG ? EV_PONG : EV_CLOSE;
            ev->opcode = f.h.opcode;
            ev->data = f.payload;
            ev->len = n;
            if (f.h.opcode == WSC_OP_CLOSE && n >= 2) {
                /* (A 1-byte close payload was caught by wsc_check_server_frame.) */
                unsigned code;
                uint64_t bad_at;
                enum wsc_close_verdict v = wsc_close_parse(f.payload, n, &code, &bad_at);
                ev->close_code = (int)code;
                if (v == WSC_CLOSE_BAD_CODE) {
                    run_fail(r, "server sent a close frame with invalid code %d", ev->close_code);
                    ev->kind = EV_BAD;
                } else if (v == WSC_CLOSE_BAD_REASON) {
                    run_fail(r, "server close reason is not valid UTF-8");
                    ev->kind = EV_BAD;
                }
            }
            return;
        case WSC_OP_CONT:
            if (r->frag_opcode < 0) {
                run_fail(r, "server sent a continuation frame with no message started");
                ev->kind = EV_BAD;
                return;
            }
            break;
        default:  /* text or binary */
            if (r->frag_opcode >= 0) {
                run_fail(r, "server started a new message inside a fragmented one");
                ev->kind = EV_BAD;
                return;
            }
            r->frag_opcode = f.h.opcode;
            r->msg.len = 0;
            break;
        }
        bytes_append(&r->msg, f.payload, n);
        if (f.h.fin) {
            ev->kind = EV_MESSAGE;
            ev->opcode = (uint8_t)r->frag_opcode;
            ev->data = r->msg.p;
            ev->len = r->msg.len;
            r->frag_opcode = -1;
            return;
        }
    }
}

void run_describe(const struct run_event *ev, char *out, size_t cap)
{
    switch (ev->kind) {
    case EV_MESSAGE:
        snprintf(out, cap, "%s message of %zu bytes",
                 ev->opcode == WSC_OP_TEXT ? "text" : "binary", ev->len);
        break;
    case EV_PONG:
        snprintf(out, cap, "pong of %zu bytes", ev->len);
        break;
    case EV_CLOSE:
        if (ev->close_code < 0)
            snprintf(out, cap, "close without status code");
        else
            snprintf(out, cap, "close %d", ev->close_code);
        break;
    case EV_EOF:
        snprintf(out, cap, "TCP close");
        break;
    case EV_TIMEOUT:
        snprintf(out, cap, "nothing (timeout)");
        break;
    case EV_BAD:
        snprintf(out, cap, "a bad frame");
        break;
    }
}

/* Where two byte strings first differ. */
static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

static void judge_data(struct run *r, const struct run_event *ev, enum run_event_kind kind,
                       uint8_t opcode, const void *p, size_t n)
{
    if (run_failed(r) || ev->kind == EV_BAD)
        return;
    const char *what = kind == EV_PONG ? "pong"
                     : opcode == WSC_OP_TEXT ? "text echo" : "binary echo";
    if (ev->kind == EV_TIMEOUT) {
        run_fail(r, "timeout: no %s of %zu bytes after %d ms", what, n, RUN_IDLE_MS);
        return;
    }
    char got[64];
    run_describe(ev, got, sizeof got);
    if (ev->kind != kind || (kind == EV_MESSAGE && ev->opcode != opcode)) {
        run_fail(r, "expected %s of %zu bytes, got %s", what, n, got);
        return;
    }
    if (ev->len != n) {
        run_fail(r, "%s has %zu bytes, expected %zu", what, ev->len, n);
        return;
    }
    size_t at = first_diff(ev->data, p, n);
    if (at < n)
        run_fail(r, "%s differs at byte %zu (0x%02X, expected 0x%02X)",
                 what, at, ev->data[at], ((const uint8_t *)p)[at]);
}

static void expect_data(struct run *r, enum run_event_kind kind, uint8_t opcode,
                        const void *p, size_t n)
{
    if (run_failed(r))
        return;
    struct run_event ev;
    run_next_event(r, &ev, RUN_IDLE_MS);
    judge_data(r, &ev, kind, opcode, p, n);
}

void run_judge_message(struct run *r, const struct run_event *ev, uint8_t opcode,
                       const void *p, size_t n)
{
    judge_data(r, ev, EV_MESSAGE, opcode, p, n);
}

bool run_expect_message_or_fail(struct run *r, uint8_t opcode, const void *p, size_t n,
                                unsigned code)
{
    if (run_failed(r))
        return false;
    struct run_event ev;
    run_next_event(r, &ev, RUN_IDLE_MS);
    if (ev.kind == EV_CLOSE || ev.kind == EV_EOF) {
        run_nonstrict(r, "failed the connection without first echoing the valid message "
                         "sent before the bad frame");
        run_judge_fail_close(r, &ev, code, NULL);
        return true;
    }
    judge_data(r, &ev, EV_MESSAGE, opcode, p, n);
    return false;
}

void run_expect_message(struct run *r, uint8_t opcode, const void *p, size_t n)
{
    expect_data(r, EV_MESSAGE, opcode, p, n);
}

void run_expect_pong(struct run *r, const void *p, size_t n)
{
    expect_data(r, EV_PONG, 0, p, n);
}

void run_expect_tcp_close(struct run *r)
{
    if (run_failed(r))
        return;
    int64_t deadline = util_now_ms() + RUN_TCP_CLOSE_MS;
    for (;;) {
        int64_t left = deadline - util_now_ms();
        enum conn_status s = left > 0 ? conn_fill(&r->conn, (int)left) : CONN_TIMEOUT;
        if (s == CONN_EOF)
            break;
        if (s == CONN_TIMEOUT) {
            run_fail(r, "timeout: server did not close TCP within %d ms of the close handshake",
                     RUN_TCP_CLOSE_MS);
            return;
        }
    }
    size_t extra = conn_pending(&r->conn);
    if (extra > 0)
        run_fail(r, "server sent %zu bytes after its close frame", extra);
}

/* Answers a server's close as RFC 6455 5.5.1 asks, echoing its code. */
static void answer_close(struct run *r, int code)
{
    if (r->conn.tx_closed || r->close_sent)
        return;
    r->wire.len = 0;
    run_close_frame(r, code, NULL, 0);
    conn_send(&r->conn, r->wire.p, r->wire.len, 0, 0, RUN_IDLE_MS);
    r->wire.len = 0;
}

void run_judge_fail_close(struct run *r, const struct run_event *ev,
                          unsigned code, const char *late)
{
    if (run_failed(r) || ev->kind == EV_BAD)
        return;
    char got[64];
    run_describe(ev, got, sizeof got);
    switch (ev->kind) {
    case EV_CLOSE:
        if (ev->close_code == (int)code) {
            if (late)
                run_nonstrict(r, "close %u only %s", code, late);
        } else {
            run_nonstrict(r, "%s, expected close %u%s%s", got, code,
                          late ? " " : "", late ? late : "");
        }
        answer_close(r, ev->close_code);
        run_expect_tcp_close(r);
        return;
    case EV_EOF:
        run_nonstrict(r, "TCP close without a close frame, expected close %u%s%s",
                      code, late ? " " : "", late ? late : "");
        return;
    case EV_TIMEOUT:
        run_fail(r, "timeout: no close %u after %d ms", code, RUN_IDLE_MS);
        return;
    default:
        run_fail(r, "got %s, expected close %u", got, code);
        return;
    }
}

void run_expect_fail_close(struct run *r, unsigned code)
{
    if (run_failed(r))
        return;
    struct run_event ev;
    run_next_event(r, &ev, RUN_IDLE_MS);
    run_judge_fail_close(r, &ev, code, NULL);
}

void run_close_handshake(struct run *r)
{
    if (run_failed(r))
        return;
    r->wire.len = 0;
    run_close_frame(r, 1000, NULL, 0);
    run_send(r, 0, 0);
    run_expect_close_reply(r);
}

void run_expect_close_reply(struct run *r)
{
    if (run_failed(r))
        return;
    struct run_event ev;
    run_next_event(r, &ev, RUN_IDLE_MS);
    run_judge_close_reply(r, &ev);
}

void run_judge_close_reply(struct run *r, const struct run_event *ev)
{
    if (run_failed(r) || ev->kind == EV_BAD)
        return;
    char got[64];
    run_describe(ev, got, sizeof got);
    if (ev->kind == EV_TIMEOUT) {
        run_fail(r, "timeout: no close reply after %d ms", RUN_IDLE_MS);
        return;
    }
    if (ev->kind != EV_CLOSE) {
        run_fail(r, "expected a close reply, got %s", got);
        return;
    }
    if (ev->close_code >= 0 && ev->close_code != 1000)
        run_nonstrict(r, "close reply %d to our close", ev->close_code);
    run_expect_tcp_close(r);
}

uint8_t *run_pattern(size_t n, bool text)
{
    uint8_t *p = util_xmalloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = text ? (uint8_t)('!' + (i * 7 + i / 94) % 94) : (uint8_t)(i * 31 + (i >> 8));
    return p;
}
