/* The plain-TCP echo checker (--tcp): echoes fed whole, one byte at a
 * time and coalesced, and every kind of wrong echo. */
#include <string.h>

#include "check.h"
#include "plain.h"

/* Feeds p[0..n) in pieces of step bytes; returns the echoes seen, or -1
 * at an error (its reason in reason). */
static int feed(struct plain_rx *rx, uint32_t client, size_t size, const uint8_t *p,
                size_t n, size_t step, uint32_t *seq, char *reason)
{
    int echoes = 0;
    for (size_t at = 0; at < n;) {
        size_t piece = step < n - at ? step : n - at;
        for (size_t off = 0; off < piece;) {
            struct message_rx_out o;
            size_t k = plain_rx_feed(rx, client, *seq, size, p + at + off, piece - off, &o);
            if (o.kind == MESSAGE_RX_ERROR) {
                strcpy(reason, o.reason);
                return -1;
            }
            CHECK(k > 0, "consumed nothing");
            if (k == 0)
                return -1;
            if (o.kind == MESSAGE_RX_ECHO) {
                CHECK(o.head.client == client && o.head.seq == *seq &&
                      o.head.sent_us == 1000 + *seq, "echo %u", *seq);
                (*seq)++;
                echoes++;
            }
            off += k;
        }
        at += piece;
    }
    return echoes;
}

int main(void)
{
    enum { SIZE = 300, N = 3 };
    static uint8_t s[SIZE * N];
    for (uint32_t i = 0; i < N; i++) {
        struct message_head h = {42, i, 1000 + i};
        payload_write(s + i * SIZE, &h, SIZE);
    }
    /* the bytes on the wire are the payload itself: head then filler */
    CHECK(s[0] == 42 && s[4] == 0 && s[SIZE + 4] == 1 && s[8] == (1000 & 255) && s[9] == 1000 >> 8);
    CHECK(s[16] == message_filler(42, 0, 16) && s[SIZE + 299] == message_filler(42, 1, 299));

    static const size_t steps[] = {sizeof s, 1, 2, 15, 16, 17, 299, 301};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        struct plain_rx rx;
        uint32_t seq = 0;
        char reason[64] = "";
        plain_rx_init(&rx);
        CHECK(feed(&rx, 42, SIZE, s, sizeof s, steps[k], &seq, reason) == N,
              "step %zu: %s", steps[k], reason);
    }

    /* one feed call stops at the end of an echo */
    {
        struct plain_rx rx;
        struct message_rx_out o;
        plain_rx_init(&rx);
        CHECK(plain_rx_feed(&rx, 42, 0, SIZE, s, sizeof s, &o) == SIZE && o.kind == MESSAGE_RX_ECHO);
        CHECK(plain_rx_feed(&rx, 42, 1, SIZE, s + SIZE, 10, &o) == 10 && o.kind == MESSAGE_RX_NONE);
    }

    /* wrong echoes: a changed filler byte, a changed head, out of order,
     * another client's; the decoder stays failed */
    static const size_t flip[] = {16, 299, 0, 5, SIZE + 100};
    for (size_t k = 0; k < sizeof flip / sizeof flip[0]; k++) {
        struct plain_rx rx;
        uint32_t seq = 0;
        char reason[64] = "";
        plain_rx_init(&rx);
        s[flip[k]] ^= 0x20;
        CHECK(feed(&rx, 42, SIZE, s, sizeof s, 7, &seq, reason) == -1 &&
              strcmp(reason, "bad_echo") == 0, "flip at %zu", flip[k]);
        s[flip[k]] ^= 0x20;
        struct message_rx_out o;
        CHECK(plain_rx_feed(&rx, 42, seq, SIZE, s, 1, &o) == 1 && o.kind == MESSAGE_RX_ERROR);
    }
    {
        struct plain_rx rx;
        uint32_t seq = 1;      /* echo 0 arrives where 1 is due */
        char reason[64] = "";
        plain_rx_init(&rx);
        CHECK(feed(&rx, 42, SIZE, s, SIZE, SIZE, &seq, reason) == -1);
        plain_rx_init(&rx);
        seq = 0;
        CHECK(feed(&rx, 43, SIZE, s, SIZE, SIZE, &seq, reason) == -1);   /* another client */
    }
    /* the 16-byte minimum: all head */
    {
        uint8_t m[16];
        struct message_head h = {1, 0, 1000};
        struct plain_rx rx;
        uint32_t seq = 0;
        char reason[64] = "";
        payload_write(m, &h, 16);
        plain_rx_init(&rx);
        CHECK(feed(&rx, 1, 16, m, 16, 1, &seq, reason) == 1);
    }
    return check_done("test_plain");
}
