/* c-epoll's input path, conn_feed (competition/c-epoll-1/conn.h), driven
 * with no socket. The same stream is fed twice: all at once into a socket
 * that takes everything, and in chunks (sizes from the input) into a
 * socket that takes only part of each write, so conn_keep_unsent and the
 * per-connection queue are used. What reaches the "wire" must be the same
 * bytes both times, and it must be an HTTP response (when starting in the
 * handshake) followed by complete, unmasked, well-formed server frames.
 *
 * Input: byte 0 picks the start state (bit 0: open, skipping the
 * handshake) and max_message (bits 1-7: 1..4096 bytes, small so 1009 is
 * reachable); byte 1 seeds the chunk and write sizes; the rest is the
 * stream. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "fuzz_check.h"
#include "ws_frame.h"

struct wire {
    uint8_t *p;
    size_t len, cap;
};

static void wire_put(struct wire *w, const uint8_t *p, size_t n)
{
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2;
        w->p = realloc(w->p, w->cap);
        FUZZ_CHECK(w->p != NULL, "out of memory in the harness");
    }
    memcpy(w->p + w->len, p, n);
    w->len += n;
}

/* What loop.c does after a feed, with a socket that accepts at most `room`
 * bytes: queued bytes first (order), then the shared buffer's. */
static void write_out(struct conn *c, struct conn_out *o, struct wire *w, size_t room)
{
    FUZZ_CHECK(!(o->len && conn_unsent(c)), "both the shared buffer and the queue hold bytes");
    if (conn_unsent(c)) {
        size_t k = conn_unsent(c) < room ? conn_unsent(c) : room;
        wire_put(w, c->out + c->out_off, k);
        c->out_off += k;
        if (conn_unsent(c) == 0) {
            free(c->out);
            c->out = NULL;
            c->out_off = c->out_len = c->out_cap = 0;
        }
    } else if (o->len) {
        size_t k = o->len < room ? o->len : room;
        wire_put(w, o->buf, k);
        FUZZ_CHECK(conn_keep_unsent(c, o, k) == 0, "conn_keep_unsent failed");
    }
}

static enum conn_result run(const uint8_t *stream, size_t n, bool open,
                            const struct conn_limits *lim, const uint8_t *sizes,
                            size_t nsizes, struct wire *w)
{
    struct conn c = {.state = open ? CONN_OPEN : CONN_HANDSHAKE};
    struct conn_out o = {0};
    enum conn_result r = CONN_OK;
    uint8_t *scratch = malloc(n ? n : 1);
    FUZZ_CHECK(scratch != NULL, "out of memory in the harness");
    memcpy(scratch, stream, n);
    size_t at = 0, k = 0;
    while (at < n && r == CONN_OK) {
        size_t chunk = n - at, room = SIZE_MAX;
        if (nsizes) {
            chunk = 1 + (size_t)(sizes[k % nsizes] * 37u) % 300;
            room = 1 + (size_t)(sizes[(k + 1) % nsizes] * 53u) % 700;
            k++;
            if (chunk > n - at)
                chunk = n - at;
        }
        r = conn_feed(&c, scratch + at, chunk, &o, lim);
        at += chunk;
        write_out(&c, &o, w, room);
    }
    /* Drain what is left, as the loop would over later writable events. */
    while (conn_unsent(&c) || o.len)
        write_out(&c, &o, w, SIZE_MAX);
    conn_release(&c);
    free(o.buf);
    free(scratch);
    return r;
}

/* The server's side of the wire: an HTTP response if it began in the
 * handshake, then only whole unmasked frames that pass the receiver's
 * checks (a client would accept them). */
static void check_wire(const struct wire *w, bool open)
{
    size_t at = 0;
    if (!open && w->len) {
        FUZZ_CHECK(w->len >= 12 && memcmp(w->p, "HTTP/1.1 ", 9) == 0, "no HTTP status line");
        const uint8_t *end = memmem(w->p, w->len, "\r\n\r\n", 4);
        FUZZ_CHECK(end != NULL, "response header not ended");
        at = (size_t)(end - w->p) + 4;
        if (at < 13 || memcmp(w->p, "HTTP/1.1 101 ", 13) != 0) {
            FUZZ_CHECK(at == w->len, "%zu bytes after a refusal", w->len - at);
            return;
        }
    }
    while (at < w->len) {
        struct ws_frame_header h;
        int r = ws_frame_parse_header(w->p + at, w->len - at, &h);
        FUZZ_CHECK(r > 0, "incomplete or bad frame header at %zu of %zu", at, w->len);
        const char *bad = ws_frame_check(&h, false);
        FUZZ_CHECK(bad == NULL, "server sent a frame a client must refuse: %s", bad);
        FUZZ_CHECK(h.payload_len <= w->len - at - (size_t)r, "truncated frame at %zu", at);
        at += (size_t)r + h.payload_len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    bool open = data[0] & 1;
    struct conn_limits lim = {.max_message = 1 + (size_t)(data[0] >> 1) * 32,
                              .max_header = 1024};
    const uint8_t *stream = data + 2;
    size_t n = size - 2;
    uint8_t seed[3] = {data[1], (uint8_t)(data[1] * 7 + 3), (uint8_t)(data[1] ^ 0x5A)};

    struct wire whole = {0}, pieces = {0};
    enum conn_result r1 = run(stream, n, open, &lim, NULL, 0, &whole);
    enum conn_result r2 = run(stream, n, open, &lim, seed, sizeof seed, &pieces);
    FUZZ_CHECK(r1 == r2, "result %s at once, %s in pieces",
               conn_result_name(r1), conn_result_name(r2));
    FUZZ_CHECK(whole.len == pieces.len &&
               (whole.len == 0 || memcmp(whole.p, pieces.p, whole.len) == 0),
               "wire differs: %zu bytes at once, %zu in pieces", whole.len, pieces.len);
    check_wire(&whole, open);
    free(whole.p);
    free(pieces.p);
    return 0;
}
