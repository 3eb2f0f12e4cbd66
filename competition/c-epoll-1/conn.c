/* Per-connection protocol: upgrade request, then RFC 6455 frames. No system
 * calls here; see conn.h for the contract with the event loop. */
#include "conn.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ws_frame.h"
#include "ws_upgrade.h"
#include "ws_utf8.h"

/* A complete message at least this large is sent from its own buffer
 * (header written into the headroom) instead of being copied. */
#define HANDOVER_MIN (64 * 1024)
#define HEADROOM WS_FRAME_MAX_HEADER
#define HS_MIN_CAP 512

/* Partial upgrade request: only while it arrives in pieces. */
struct conn_hs {
    size_t len, cap;
    char buf[];
};

/* Receive state that outlives one read: a partial header, a frame whose
 * payload is still arriving, or a fragmented message. Freed as soon as the
 * stream is back at a frame boundary with no message open. */
struct conn_rx {
    struct ws_frame_header h; /* current frame, while in_frame */
    uint64_t got;             /* its payload bytes received so far */
    uint8_t *msg;             /* HEADROOM bytes, then the message payload */
    size_t msg_len, msg_cap;  /* payload bytes held / room for */
    bool in_frame;
    uint8_t hdr_len;          /* bytes of a partial header in hdr */
    uint8_t msg_op;           /* opcode of the open message, 0 if none */
    uint8_t utf8;             /* validator state of an open text message */
    uint8_t hdr[WS_FRAME_MAX_HEADER];
    uint8_t ctl[WS_CONTROL_MAX_PAYLOAD];
};

static size_t grow_cap(size_t cap, size_t need)
{
    size_t c = cap ? cap : 256;
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : c * 2;
    return c;
}

/* The next n bytes at the end of buf[0..*len), growing it as needed. */
static uint8_t *append_room(uint8_t **buf, size_t *len, size_t *cap, size_t n)
{
    if (*len + n > *cap) {
        size_t c = grow_cap(*cap, *len + n);
        uint8_t *b = realloc(*buf, c);
        if (!b)
            return NULL;
        *buf = b;
        *cap = c;
    }
    uint8_t *d = *buf + *len;
    *len += n;
    return d;
}

/* Room for n more output bytes, wherever output goes now (conn.h). */
static uint8_t *out_reserve(struct conn *c, struct conn_out *o, size_t n)
{
    if (conn_unsent(c) > 0) {
        if (c->out_len + n > c->out_cap && c->out_off > 0) {
            memmove(c->out, c->out + c->out_off, conn_unsent(c));
            c->out_len -= c->out_off;
            c->out_off = 0;
        }
        return append_room(&c->out, &c->out_len, &c->out_cap, n);
    }
    return append_room(&o->buf, &o->len, &o->cap, n);
}

static int emit(struct conn *c, struct conn_out *o, uint8_t op,
                const uint8_t *payload, size_t len)
{
    uint8_t hdr[WS_FRAME_MAX_HEADER];
    size_t hl = ws_frame_write_header(hdr, true, op, len, NULL);
    uint8_t *d = out_reserve(c, o, hl + len);
    if (!d)
        return -1;
    memcpy(d, hdr, hl);
    if (len)
        memcpy(d + hl, payload, len);
    return 0;
}

/* Queues a close frame with this code and stops reading frames. */
static enum conn_result fail(struct conn *c, struct conn_out *o, unsigned code,
                             enum conn_result why)
{
    uint8_t pl[2] = {(uint8_t)(code >> 8), (uint8_t)code};
    emit(c, o, WS_OP_CLOSE, pl, sizeof pl); /* best effort: we close anyway */
    c->state = CONN_CLOSING;
    return why;
}

static enum conn_result nomem(struct conn *c, struct conn_out *o)
{
    return fail(c, o, WS_CLOSE_INTERNAL, CONN_ERR_NOMEM);
}

/* Echoes the message assembled in rx; a large one leaves with its buffer. */
static int emit_message(struct conn *c, struct conn_out *o, struct conn_rx *rx)
{
    /* msg is NULL when every fragment was empty */
    if (rx->msg_len < HANDOVER_MIN || conn_unsent(c) > 0 || o->len > 0)
        return emit(c, o, rx->msg_op, rx->msg ? rx->msg + HEADROOM : NULL, rx->msg_len);
    uint8_t hdr[WS_FRAME_MAX_HEADER];
    size_t hl = ws_frame_write_header(hdr, true, rx->msg_op, rx->msg_len, NULL);
    memcpy(rx->msg + HEADROOM - hl, hdr, hl);
    free(c->out);
    c->out = rx->msg;
    c->out_off = HEADROOM - hl;
    c->out_len = HEADROOM + rx->msg_len;
    c->out_cap = HEADROOM + rx->msg_cap;
    rx->msg = NULL;
    rx->msg_cap = 0;
    return 0;
}

static enum conn_result on_control(struct conn *c, struct conn_out *o, uint8_t op,
                                   const uint8_t *pl, size_t len)
{
    if (op == WS_OP_PONG)
        return CONN_OK;
    if (op == WS_OP_PING)
        return emit(c, o, WS_OP_PONG, pl, len) ? nomem(c, o) : CONN_OK;
    /* close: echo the code (RFC 6455 5.5.1), refuse a malformed one; a
     * 1-byte payload never gets here (ws_frame_check) */
    if (len >= 2) {
        if (!ws_close_code_valid((unsigned)pl[0] << 8 | pl[1]))
            return fail(c, o, WS_CLOSE_PROTOCOL, CONN_ERR_PROTOCOL);
        uint8_t st = WS_UTF8_ACCEPT;
        if (ws_utf8_feed(&st, pl + 2, len - 2) != WS_UTF8_ACCEPT)
            return fail(c, o, WS_CLOSE_INVALID_DATA, CONN_ERR_UTF8);
    }
    if (emit(c, o, WS_OP_CLOSE, pl, len < 2 ? 0 : 2))
        return nomem(c, o);
    c->state = CONN_CLOSING;
    return CONN_CLOSED;
}

/* The checks a frame header gets before any of its payload is looked at;
 * an oversized message is refused here, before it is buffered. */
static enum conn_result check_header(struct conn *c, struct conn_out *o,
                                     const struct conn_rx *rx,
                                     const struct ws_frame_header *h,
                                     const struct conn_limits *lim)
{
    if (ws_frame_check(h, true))
        return fail(c, o, WS_CLOSE_PROTOCOL, CONN_ERR_PROTOCOL);
    if (h->opcode >= WS_OP_CLOSE)
        return CONN_OK;
    bool open = rx && rx->msg_op;
    if ((h->opcode == WS_OP_CONT) != open)
        return fail(c, o, WS_CLOSE_PROTOCOL, CONN_ERR_PROTOCOL);
    size_t have = open ? rx->msg_len : 0;
    if (h->payload_len > lim->max_message - have)
        return fail(c, o, WS_CLOSE_TOO_BIG, CONN_ERR_TOO_BIG);
    return CONN_OK;
}

static struct conn_rx *get_rx(struct conn *c)
{
    if (!c->in)
        c->in = calloc(1, sizeof(struct conn_rx));
    return c->in;
}

static void free_rx(struct conn *c)
{
    struct conn_rx *rx = c->in;
    if (rx)
        free(rx->msg);
    free(rx);
    c->in = NULL;
}

static int reserve_msg(struct conn_rx *rx, size_t k, const struct conn_limits *lim)
{
    size_t need = rx->msg_len + k;
    if (need <= rx->msg_cap)
        return 0;
    size_t cap = grow_cap(rx->msg_cap, need);
    if (cap > lim->max_message)
        cap = need > lim->max_message ? need : lim->max_message;
    uint8_t *b = realloc(rx->msg, HEADROOM + cap);
    if (!b)
        return -1;
    rx->msg = b;
    rx->msg_cap = cap;
    return 0;
}

/* Reads one frame header from the stashed partial header and/or p, and sets
 * *used to the bytes taken from p. Returns 1 when the header is complete, 0
 * when more bytes are needed (all of p was stashed), -1 when it is
 * malformed, -2 when out of memory. */
static int take_header(struct conn *c, const uint8_t *p, size_t n,
                       struct ws_frame_header *h, size_t *used)
{
    struct conn_rx *rx = c->in;
    if (rx && rx->hdr_len) {
        size_t old = rx->hdr_len;
        size_t take = n < sizeof rx->hdr - old ? n : sizeof rx->hdr - old;
        memcpy(rx->hdr + old, p, take);
        int hl = ws_frame_parse_header(rx->hdr, old + take, h);
        if (hl == 0) {
            rx->hdr_len = (uint8_t)(old + take);
            *used = take;
            return 0;
        }
        rx->hdr_len = 0;
        *used = hl > 0 ? (size_t)hl - old : 0;
        return hl > 0 ? 1 : -1;
    }
    int hl = ws_frame_parse_header(p, n, h);
    if (hl == 0) {
        if (!(rx = get_rx(c)))
            return -2;
        memcpy(rx->hdr, p, n);
        rx->hdr_len = (uint8_t)n;
        *used = n;
        return 0;
    }
    *used = hl > 0 ? (size_t)hl : 0;
    return hl > 0 ? 1 : -1;
}

/* The common case: a control frame or a whole unfragmented message, all of
 * it in the read buffer, is unmasked and echoed from there: nothing is
 * allocated. */
static enum conn_result echo_in_place(struct conn *c, struct conn_out *o,
                                      const struct ws_frame_header *h, uint8_t *p)
{
    size_t len = (size_t)h->payload_len;
    ws_frame_mask(p, len, h->mask, 0);
    if (h->opcode >= WS_OP_CLOSE)
        return on_control(c, o, h->opcode, p, len);
    uint8_t st = WS_UTF8_ACCEPT;
    if (h->opcode == WS_OP_TEXT && ws_utf8_feed(&st, p, len) != WS_UTF8_ACCEPT)
        return fail(c, o, WS_CLOSE_INVALID_DATA, CONN_ERR_UTF8);
    return emit(c, o, h->opcode, p, len) ? nomem(c, o) : CONN_OK;
}

/* Reads the next frame header from *pp (completing a stashed one) and
 * checks it. Then either the whole frame is echoed in place, or c->in is
 * set up to collect its payload (rx->in_frame), or all of *pp was a partial
 * header, stashed until more arrives (*np is then 0). */
static enum conn_result begin_frame(struct conn *c, uint8_t **pp, size_t *np,
                                    struct conn_out *o, const struct conn_limits *lim)
{
    struct ws_frame_header h;
    size_t used;
    int t = take_header(c, *pp, *np, &h, &used);
    *pp += used, *np -= used;
    if (t == 0)
        return CONN_OK;
    if (t == -2)
        return nomem(c, o);
    if (t < 0)
        return fail(c, o, WS_CLOSE_PROTOCOL, CONN_ERR_PROTOCOL);
    struct conn_rx *rx = c->in;
    enum conn_result r = check_header(c, o, rx, &h, lim);
    if (r != CONN_OK)
        return r;
    bool control = h.opcode >= WS_OP_CLOSE;
    bool open = rx && rx->msg_op;
    if (h.payload_len <= *np && (control || (h.fin && !open))) {
        r = echo_in_place(c, o, &h, *pp);
        *pp += (size_t)h.payload_len, *np -= (size_t)h.payload_len;
        return r;
    }
    if (!rx && !(rx = get_rx(c)))
        return nomem(c, o);
    rx->h = h;
    rx->in_frame = true;
    rx->got = 0;
    if (h.opcode == WS_OP_TEXT || h.opcode == WS_OP_BINARY) {
        rx->msg_op = h.opcode;
        rx->utf8 = WS_UTF8_ACCEPT;
        rx->msg_len = 0;
    }
    return CONN_OK;
}

/* Appends k payload bytes of the current frame, unmasked: a control
 * frame's to rx->ctl, a data frame's to the message, whose text is checked
 * as it arrives (fail fast). */
static enum conn_result take_payload(struct conn *c, struct conn_out *o, struct conn_rx *rx,
                                     const uint8_t *p, size_t k, const struct conn_limits *lim)
{
    if (rx->h.opcode >= WS_OP_CLOSE) {
        memcpy(rx->ctl + rx->got, p, k);
        return CONN_OK;
    }
    if (k == 0)
        return CONN_OK;
    if (reserve_msg(rx, k, lim))
        return nomem(c, o);
    uint8_t *d = rx->msg + HEADROOM + rx->msg_len;
    memcpy(d, p, k);
    ws_frame_mask(d, k, rx->h.mask, rx->got);
    if (rx->msg_op == WS_OP_TEXT && ws_utf8_feed(&rx->utf8, d, k) == WS_UTF8_REJECT)
        return fail(c, o, WS_CLOSE_INVALID_DATA, CONN_ERR_UTF8);
    rx->msg_len += k;
    return CONN_OK;
}

/* The current frame's payload is all in: answer a control frame, echo a
 * message whose last fragment this was. */
static enum conn_result end_frame(struct conn *c, struct conn_out *o, struct conn_rx *rx)
{
    rx->in_frame = false;
    if (rx->h.opcode >= WS_OP_CLOSE) {
        size_t len = (size_t)rx->h.payload_len;
        ws_frame_mask(rx->ctl, len, rx->h.mask, 0);
        return on_control(c, o, rx->h.opcode, rx->ctl, len);
    }
    if (!rx->h.fin)
        return CONN_OK;
    if (rx->msg_op == WS_OP_TEXT && rx->utf8 != WS_UTF8_ACCEPT)
        return fail(c, o, WS_CLOSE_INVALID_DATA, CONN_ERR_UTF8);
    enum conn_result r = emit_message(c, o, rx) ? nomem(c, o) : CONN_OK;
    rx->msg_op = 0;
    rx->msg_len = 0;
    return r;
}

/* Frames, one step at a time: a header begins each; a frame not echoed in
 * place collects its payload, possibly over several reads, and then ends.
 * Between messages c->in is freed, so an idle connection holds nothing. */
static enum conn_result feed_frames(struct conn *c, uint8_t *p, size_t n,
                                    struct conn_out *o, const struct conn_limits *lim)
{
    enum conn_result r = CONN_OK;
    while (r == CONN_OK) {
        struct conn_rx *rx = c->in;
        if (!rx || !rx->in_frame) {
            if (n == 0)
                break;
            r = begin_frame(c, &p, &n, o, lim);
            continue;
        }
        uint64_t left = rx->h.payload_len - rx->got;
        size_t k = left < n ? (size_t)left : n;
        if ((r = take_payload(c, o, rx, p, k, lim)) != CONN_OK)
            break;
        rx->got += k;
        p += k, n -= k;
        if (rx->got < rx->h.payload_len)
            break; /* the rest of this frame comes with a later read */
        r = end_frame(c, o, rx);
    }
    struct conn_rx *rx = c->in;
    if (rx && (r != CONN_OK || (!rx->in_frame && !rx->hdr_len && !rx->msg_op)))
        free_rx(c);
    return r;
}

/* Consumes the upgrade request from p; on success advances *pp and *np past it
 * so the caller goes on with any frames sent right behind it. */
static enum conn_result feed_handshake(struct conn *c, uint8_t **pp, size_t *np,
                                       struct conn_out *o, const struct conn_limits *lim)
{
    struct conn_hs *hs = c->in;
    const uint8_t *p = *pp;
    size_t n = *np, old = 0, cap_max = lim->max_header + 1;
    const char *buf = (const char *)p;
    size_t len = n;
    if (hs) {
        old = hs->len;
        if (old + n > hs->cap && hs->cap < cap_max) {
            size_t cap = grow_cap(hs->cap, old + n);
            cap = cap < cap_max ? cap : cap_max;
            struct conn_hs *b = realloc(hs, sizeof *hs + cap);
            if (!b) {
                free(hs);
                c->in = NULL;
                return nomem(c, o);
            }
            c->in = hs = b;
            hs->cap = cap;
        }
        size_t take = n < hs->cap - old ? n : hs->cap - old;
        memcpy(hs->buf + old, p, take);
        hs->len += take;
        buf = hs->buf;
        len = hs->len;
    }
    struct ws_upgrade u;
    int st = ws_upgrade_parse(buf, len, lim->max_header, &u);
    if (st == WS_UPGRADE_INCOMPLETE) {
        if (!hs) {
            size_t cap = n > HS_MIN_CAP ? n : HS_MIN_CAP;
            if (!(hs = malloc(sizeof *hs + cap)))
                return nomem(c, o);
            memcpy(hs->buf, p, n);
            hs->len = n;
            hs->cap = cap;
            c->in = hs;
        }
        *np = 0;
        return CONN_OK;
    }
    free(hs);
    c->in = NULL;
    char resp[256];
    size_t rl = ws_upgrade_response(&u, resp, sizeof resp);
    uint8_t *d = out_reserve(c, o, rl);
    if (d)
        memcpy(d, resp, rl);
    if (st != WS_UPGRADE_OK || !d) {
        c->state = CONN_CLOSING;
        return d ? CONN_ERR_HANDSHAKE : CONN_ERR_NOMEM;
    }
    c->state = CONN_OPEN;
    size_t used = u.request_len - old;
    *pp += used;
    *np -= used;
    return CONN_OK;
}

enum conn_result conn_feed(struct conn *c, uint8_t *p, size_t n,
                           struct conn_out *o, const struct conn_limits *lim)
{
    if (c->state == CONN_HANDSHAKE) {
        enum conn_result r = feed_handshake(c, &p, &n, o, lim);
        if (r != CONN_OK || c->state != CONN_OPEN)
            return r;
    }
    if (c->state != CONN_OPEN)
        return CONN_OK;
    return feed_frames(c, p, n, o, lim);
}

int conn_keep_unsent(struct conn *c, struct conn_out *o, size_t off)
{
    size_t rest = o->len - off;
    o->len = 0;
    if (rest == 0)
        return 0;
    if (conn_unsent(c) == 0)
        c->out_off = c->out_len = 0;
    if (c->out_len + rest > c->out_cap) {
        size_t cap = grow_cap(0, c->out_len + rest);
        uint8_t *b = realloc(c->out, cap);
        if (!b)
            return -1;
        c->out = b;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, o->buf + off, rest);
    c->out_len += rest;
    return 0;
}

void conn_release(struct conn *c)
{
    if (c->state == CONN_HANDSHAKE)
        free(c->in);
    else
        free_rx(c);
    free(c->out);
    c->in = NULL;
    c->out = NULL;
    c->out_off = c->out_len = c->out_cap = 0;
    c->state = CONN_FREE;
}

const char *conn_result_name(enum conn_result r)
{
    static const char *const names[CONN_RESULTS] = {
        [CONN_OK] = "ok", [CONN_CLOSED] = "closed",
        [CONN_ERR_HANDSHAKE] = "bad_handshake", [CONN_ERR_PROTOCOL] = "protocol",
        [CONN_ERR_UTF8] = "bad_utf8", [CONN_ERR_TOO_BIG] = "too_big",
        [CONN_ERR_NOMEM] = "nomem",
    };
    return (unsigned)r < CONN_RESULTS ? names[r] : "?";
}
