/* The load client's frame decoder and echo checker, message_rx_feed
 * (client/src/message.h). The stream is fed at once and in chunks whose
 * sizes come from the input: the events (echo heads, pings with payloads,
 * close codes, errors with reasons) must be the same sequence both ways,
 * every call must consume input, and after an error every call repeats it.
 * To get past the echo check, the target can put up to three genuine echoes
 * (built with message_build_frame, unmasked as a server sends them) before
 * the fuzzed bytes.
 *
 * Input: byte 0 picks the message size (24..1044 bytes); byte 1 the number
 * of genuine echoes (bits 0-1) and the chunking seed; the rest is appended. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "message.h"
#include "wsc_frame.h"

#define CLIENT 5
#define MAX_EVENTS 4096

struct event {
    struct message_rx_out out;
    uint8_t ctrl[WSC_CONTROL_MAX];
    uint8_t ctrl_len;
};

static size_t run(const uint8_t *p, size_t n, size_t size, const uint8_t *seed,
                  struct event *ev)
{
    struct message_rx rx;
    message_rx_init(&rx);
    uint32_t seq = 0;
    size_t nev = 0, at = 0, k = 0;
    bool failed = false;
    struct message_rx_out first_error;
    while (at < n && nev < MAX_EVENTS) {
        size_t avail = n - at;
        if (seed) {
            size_t c = 1 + (size_t)(seed[k % 3] * 41u + k) % 200;
            k++;
            if (c < avail)
                avail = c;
        }
        struct message_rx_out out;
        memset(&out, 0, sizeof out);
        size_t used = message_rx_feed(&rx, CLIENT, seq, size, p + at, avail, &out);
        FUZZ_CHECK(used > 0 && used <= avail, "consumed %zu of %zu", used, avail);
        at += used;
        if (failed) {
            FUZZ_CHECK(out.kind == MESSAGE_RX_ERROR &&
                       strcmp(out.reason, first_error.reason) == 0,
                       "after error \"%s\" got kind %d", first_error.reason, out.kind);
            continue;
        }
        if (out.kind == MESSAGE_RX_NONE) {
            FUZZ_CHECK(at == n || used == avail, "NONE with input left over");
            continue;
        }
        struct event *e = &ev[nev++];
        memset(e, 0, sizeof *e);
        e->out = out;
        if (out.kind == MESSAGE_RX_PING || out.kind == MESSAGE_RX_PONG) {
            e->ctrl_len = rx.ctrl_len;
            memcpy(e->ctrl, rx.ctrl, rx.ctrl_len);
        }
        if (out.kind == MESSAGE_RX_ECHO) {
            FUZZ_CHECK(out.head.client == CLIENT && out.head.seq == seq,
                       "echo of client %u seq %u accepted, expected seq %u",
                       out.head.client, out.head.seq, seq);
            seq++;
        }
        if (out.kind == MESSAGE_RX_ERROR) {
            FUZZ_CHECK(out.reason[0], "error without a reason");
            failed = true;
            first_error = out;
        }
    }
    return nev;
}

static bool same_event(const struct event *a, const struct event *b)
{
    if (a->out.kind != b->out.kind)
        return false;
    switch (a->out.kind) {
    case MESSAGE_RX_ECHO:
        return memcmp(&a->out.head, &b->out.head, sizeof a->out.head) == 0;
    case MESSAGE_RX_PING: case MESSAGE_RX_PONG:
        return a->ctrl_len == b->ctrl_len && memcmp(a->ctrl, b->ctrl, a->ctrl_len) == 0;
    case MESSAGE_RX_CLOSE:
        return a->out.close_code == b->out.close_code;
    case MESSAGE_RX_ERROR:
        return strcmp(a->out.reason, b->out.reason) == 0;
    default:
        return true;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct event whole[MAX_EVENTS], pieces[MAX_EVENTS];
    if (size < 2)
        return 0;
    size_t msg_size = MESSAGE_MIN_SIZE + (size_t)data[0] * 4;
    unsigned echoes = data[1] & 3;
    uint8_t seed[3] = {data[1], (uint8_t)(data[1] >> 2), (uint8_t)(data[0] ^ data[1])};

    size_t cap = echoes * (msg_size + WSC_HEADER_MAX) + size;
    uint8_t *stream = malloc(cap), *tmp = malloc(msg_size + WSC_HEADER_MAX);
    FUZZ_CHECK(stream && tmp, "out of memory in the harness");
    size_t n = 0;
    for (unsigned i = 0; i < echoes; i++) {
        struct message_head h = {.client = CLIENT, .seq = i, .sent_us = 1000 * i + 7};
        static const uint8_t zero[4];
        /* A zero mask leaves the payload as is; rewrite the header unmasked. */
        size_t len = message_build_frame(tmp, &h, msg_size, zero);
        struct wsc_header fh;
        size_t hl = wsc_header_parse(tmp, len, &fh);
        FUZZ_CHECK(hl > 0 && fh.masked && fh.len == msg_size, "message_build_frame header");
        n += wsc_header_write(stream + n, true, WSC_OP_BINARY, msg_size, NULL);
        memcpy(stream + n, tmp + hl, msg_size);
        n += msg_size;
    }
    memcpy(stream + n, data + 2, size - 2);
    n += size - 2;

    size_t a = run(stream, n, msg_size, NULL, whole);
    size_t b = run(stream, n, msg_size, seed, pieces);
    FUZZ_CHECK(a == b, "%zu events at once, %zu in pieces", a, b);
    for (size_t i = 0; i < a; i++)
        FUZZ_CHECK(same_event(&whole[i], &pieces[i]), "event %zu differs (kind %d vs %d)",
                   i, whole[i].out.kind, pieces[i].out.kind);
    for (unsigned i = 0; i < echoes; i++)
        FUZZ_CHECK(a > i && whole[i].out.kind == MESSAGE_RX_ECHO && whole[i].out.head.seq == i,
                   "genuine echo %u not reported", i);
    free(stream);
    free(tmp);
    return 0;
}
