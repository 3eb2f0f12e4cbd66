/* split_next on a hand-built client stream: the cuts come exactly after
 * each whole data message, whether the stream arrives whole, a byte at a
 * time or in any two pieces. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "split.h"

static uint8_t stream[4096];
static size_t stream_len;
static size_t want[16]; /* offsets just after each message end */
static size_t n_want;

/* A masked client frame announcing len payload bytes, of which the first
 * `present` follow. */
static void frame_part(bool fin, uint8_t op, size_t len, size_t present, bool message_ends)
{
    static const uint8_t mask[4] = {1, 2, 3, 4};
    stream_len += ws_frame_write_header(stream + stream_len, fin, op, len, mask);
    memset(stream + stream_len, 'x', present);
    stream_len += present;
    if (message_ends)
        want[n_want++] = stream_len;
}

static void frame(bool fin, uint8_t op, size_t len, bool message_ends)
{
    frame_part(fin, op, len, len, message_ends);
}

static bool wanted(size_t at)
{
    for (size_t i = 0; i < n_want; i++)
        if (want[i] == at)
            return true;
    return false;
}

/* Feeds stream[from..to) and records every cut split_next makes inside it
 * (a cut at a piece's end cannot be told from "no cut": both return all). */
static void feed(struct split *s, size_t from, size_t to, bool *cut)
{
    while (from < to) {
        size_t n = split_next(s, stream + from, to - from);
        CHECK(n >= 1 && n <= to - from);
        from += n;
        if (from < to)
            cut[from] = true;
    }
}

static void check_cuts(const bool *cut, size_t piece_end, const char *how)
{
    for (size_t at = 1; at < stream_len; at++) {
        if (at == piece_end)
            continue;
        CHECK(cut[at] == wanted(at), "%s: offset %zu cut %d", how, at, cut[at]);
    }
}

static void test_cuts(void)
{
    frame(true, WS_OP_TEXT, 5, true);
    frame(true, WS_OP_PING, 2, false);
    frame(false, WS_OP_BINARY, 300, false); /* 16-bit length */
    frame(true, WS_OP_PONG, 0, false);
    frame(false, WS_OP_CONT, 0, false);
    frame(true, WS_OP_CONT, 3, true);
    frame(true, WS_OP_TEXT, 0, true);       /* empty: ends at its header */
    frame(true, WS_OP_CLOSE, 2, false);
    frame_part(true, WS_OP_BINARY, 70000, 100, false); /* 64-bit length */

    static bool cut[sizeof stream];
    struct split s = {0};
    memset(cut, 0, sizeof cut);
    feed(&s, 0, stream_len, cut);
    check_cuts(cut, stream_len, "whole");

    s = (struct split){0};
    for (size_t i = 0; i < stream_len; i++)
        CHECK(split_next(&s, stream + i, 1) == 1);
    CHECK(s.skip == 70000 - 100 && s.have == 0, "byte at a time: state at the end");

    for (size_t k = 1; k < stream_len; k++) {
        s = (struct split){0};
        memset(cut, 0, sizeof cut);
        feed(&s, 0, k, cut);
        feed(&s, k, stream_len, cut);
        char how[32];
        snprintf(how, sizeof how, "split at %zu", k);
        check_cuts(cut, k, how);
    }
}

/* A 64-bit length with the top bit set: no cut ever after it. */
static void test_malformed(void)
{
    stream_len = n_want = 0;
    frame(true, WS_OP_TEXT, 1, true);
    static const uint8_t bad[] = {0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    memcpy(stream + stream_len, bad, sizeof bad);
    stream_len += sizeof bad;
    size_t bad_at = stream_len;
    frame(true, WS_OP_TEXT, 1, false);
    struct split s = {0};
    CHECK(split_next(&s, stream, stream_len) == want[0]);
    CHECK(split_next(&s, stream + want[0], stream_len - want[0]) == stream_len - want[0]);
    CHECK(split_next(&s, stream + bad_at, stream_len - bad_at) == stream_len - bad_at);
}

int main(void)
{
    test_cuts();
    test_malformed();
    return check_done("test_split");
}
