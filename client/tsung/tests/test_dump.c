/* The importer's readers on hand-made bytes: Tsung's dump records (whose
 * payloads hold newlines), its timestamps, and the server's frames fed
 * whole, coalesced and one byte at a time, checked against the filler. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "dump.h"
#include "frames.h"
#include "head.h"

/* An unmasked binary echo of (client, seq) with size payload bytes. */
static size_t echo_frame(uint8_t *out, uint32_t client, uint32_t seq, uint64_t sent, uint32_t size)
{
    size_t n = 0;
    out[n++] = 0x82;
    out[n++] = (uint8_t)size;         /* size < 126 here */
    uint8_t *p = out + n;
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(client >> (8 * i));
        p[4 + i] = (uint8_t)(seq >> (8 * i));
    }
    for (int i = 0; i < 8; i++)
        p[8 + i] = (uint8_t)(sent >> (8 * i));
    for (uint32_t o = HEAD_LEN; o < size; o++)
        p[o] = head_filler(client, seq, o);
    return n + size;
}

static void test_time(void)
{
    uint64_t t;
    CHECK(dump_parse_time("1796417561.303575", 17, &t) == 0 && t == 1796417561303575ull);
    CHECK(dump_parse_time("1796417561.40443", 16, &t) == 0 && t == 1796417561404430ull);
    CHECK(dump_parse_time("1796417561.3", 12, &t) == 0 && t == 1796417561300000ull);
    CHECK(dump_parse_time("1796417561", 10, &t) == 0 && t == 1796417561000000ull);
    /* seven digits, rounded to the us */
    CHECK(dump_parse_time("1.0000005", 9, &t) == 0 && t == 1000001);
    CHECK(dump_parse_time("", 0, &t) < 0);
    CHECK(dump_parse_time("12x", 3, &t) < 0);
}

/* A read whose bytes contain "\nRecv:1" still ends where its frame says. */
static size_t frame_len(void *ctx, const struct dump_reader *d, const struct dump_record *r,
                        const uint8_t *data, size_t avail)
{
    (void)ctx;
    (void)d;
    (void)r;
    struct frame_header h;
    if (frame_parse_header(data, avail, &h) != 1 || h.len > avail - h.header_len)
        return 0;
    return h.header_len + (size_t)h.len;
}

static void test_records(void)
{
    uint8_t buf[512];
    size_t n = 0;
    n += (size_t)sprintf((char *)buf + n, "NewClient:1796417561.5:static\nload:1\n");
    n += (size_t)sprintf((char *)buf + n, "Send:1796417561.6:<0.178.0>:KIT-INIT 7\n");
    n += (size_t)sprintf((char *)buf + n, "Recv:1796417561.7:<0.178.0>:");
    /* a payload whose bytes spell a newline and a record tag */
    uint8_t frame[64] = {0x82, 12};
    memcpy(frame + 2, "ab\nRecv:1.0:", 12);
    memcpy(buf + n, frame, 14);
    n += 14;
    n += (size_t)sprintf((char *)buf + n, "\nEndClient:1796417561.8:1\n");

    struct dump_reader d;
    struct dump_record r;
    char err[128];
    dump_init(&d, buf, n);
    CHECK(dump_next(&d, &r, frame_len, NULL, err, sizeof err) == 1);
    CHECK(r.kind == DUMP_NEW_CLIENT && r.t_us == 1796417561500000ull && strcmp(r.who, "static") == 0);
    CHECK(dump_next(&d, &r, frame_len, NULL, err, sizeof err) == 1 && r.kind == DUMP_OTHER);
    CHECK(dump_next(&d, &r, frame_len, NULL, err, sizeof err) == 1);
    CHECK(r.kind == DUMP_SEND && strcmp(r.who, "<0.178.0>") == 0);
    CHECK(r.len == 10 && memcmp(r.data, "KIT-INIT 7", 10) == 0, "len %zu", r.len);
    CHECK(dump_next(&d, &r, frame_len, NULL, err, sizeof err) == 1);
    CHECK(r.kind == DUMP_RECV && r.len == 14, "len %zu", r.len);
    CHECK(dump_next(&d, &r, frame_len, NULL, err, sizeof err) == 1);
    CHECK(r.kind == DUMP_END_CLIENT && strcmp(r.who, "1") == 0);
    CHECK(dump_next(&d, &r, frame_len, NULL, err, sizeof err) == 0);

    /* without the length rule the read ends at the first boundary */
    dump_init(&d, buf, n);
    for (int i = 0; i < 3; i++)
        dump_next(&d, &r, NULL, NULL, err, sizeof err);
    CHECK(dump_next(&d, &r, NULL, NULL, err, sizeof err) == 1 && r.len == 4, "len %zu", r.len);

    /* a foreign line is an error that names the record, then reading goes on */
    static const char bad[] = "garbage\nEndClient:1.5:3\n";
    dump_init(&d, (const uint8_t *)bad, strlen(bad));
    CHECK(dump_next(&d, &r, NULL, NULL, err, sizeof err) == -1);
    CHECK(strstr(err, "record 1") != NULL, "%s", err);
    CHECK(dump_next(&d, &r, NULL, NULL, err, sizeof err) == 1 && r.kind == DUMP_END_CLIENT);
}

/* Feeds p[0..n) in pieces of step bytes; counts the frames that end. */
static int feed(const uint8_t *p, size_t n, size_t step, struct frame_done *last, int *bad)
{
    struct frame_rx rx;
    memset(&rx, 0, sizeof rx);
    int frames = 0;
    *bad = 0;
    for (size_t at = 0; at < n;) {
        size_t piece = n - at < step ? n - at : step;
        size_t pos = 0;
        while (pos < piece) {
            bool done;
            struct frame_done f;
            long k = frame_rx_feed(&rx, p + at + pos, piece - pos, &done, &f);
            if (k < 0)
                return -1;
            pos += (size_t)k;
            if (done) {
                frames++;
                *bad += f.filler_bad;
                *last = f;
            }
        }
        at += piece;
    }
    return frames;
}

static void test_frames(void)
{
    uint8_t buf[256];
    size_t n = echo_frame(buf, 5, 0, 1000, 33);
    n += echo_frame(buf + n, 5, 1, 2000, 33);
    size_t steps[] = {1, 2, 7, 35, sizeof buf};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct frame_done f;
        int bad;
        int k = feed(buf, n, steps[i], &f, &bad);
        CHECK(k == 2 && bad == 0, "step %zu: %d frames, %d bad", steps[i], k, bad);
        struct head h;
        head_decode(f.head, &h);
        CHECK(f.opcode == 2 && f.fin && f.len == 33 && h.client == 5 && h.seq == 1 && h.sent_us == 2000,
              "step %zu", steps[i]);
    }
    /* one wrong filler byte is seen, however the bytes arrive */
    buf[2 + 20] ^= 1;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct frame_done f;
        int bad;
        CHECK(feed(buf, n, steps[i], &f, &bad) == 2 && bad == 1, "step %zu", steps[i]);
    }
    /* a 64-bit length with the top bit set is malformed */
    static const uint8_t huge[] = {0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0};
    struct frame_header h;
    CHECK(frame_parse_header(huge, sizeof huge, &h) == -1);
    CHECK(frame_parse_header(huge, 1, &h) == 0);
}

int main(void)
{
    test_time();
    test_records();
    test_frames();
    return check_done("test_dump");
}
