/* The payload of one load-client message, the same in WebSocket and plain
 * TCP mode: a 16-byte head, little-endian (client id u32, sequence number
 * u32, actual send time u64 in us since t0), then filler bytes that are a
 * function of (client, seq, offset). An echo is therefore checked byte for
 * byte as it arrives, without a copy of what was sent. The scheduled send
 * time is not carried: the connection derives it from its schedule.
 *
 * Header-only: this is the hot path of both protocols, and it keeps the
 * fuzz targets' source lists unchanged. */
#ifndef PAYLOAD_H
#define PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MESSAGE_HEAD_LEN 16

struct message_head {
    uint32_t client;
    uint32_t seq;
    uint64_t sent_us;
};

/* The filler byte at payload offset off (off >= MESSAGE_HEAD_LEN). */
static inline uint8_t message_filler(uint32_t client, uint32_t seq, uint64_t off)
{
    return (uint8_t)(client * 131u + seq * 31u + (uint32_t)off * 7u + 1u);
}

/* filler(off) = base + 7*off = 7*(off + 183*base) mod 256 (183 = 1/7 mod
 * 256), so the filler of any message is a window into one periodic table:
 * generating and checking it are memcpy and memcmp, not a loop per byte. */
static inline const uint8_t *payload_pattern(void)
{
    static uint8_t t[512];
    if (!t[1])
        for (unsigned k = 0; k < sizeof t; k++)
            t[k] = (uint8_t)(7u * k);
    return t;
}

static inline unsigned payload_phase(uint32_t client, uint32_t seq, uint64_t off)
{
    uint32_t base = client * 131u + seq * 31u + 1u;
    return (unsigned)((off + 183u * base) & 255u);
}

static inline void payload_put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t payload_get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline void message_head_decode(const uint8_t p[MESSAGE_HEAD_LEN],
                                       struct message_head *h)
{
    h->client = (uint32_t)payload_get_le(p, 4);
    h->seq = (uint32_t)payload_get_le(p + 4, 4);
    h->sent_us = payload_get_le(p + 8, 8);
}

/* Writes the size-byte payload of message h (size >= MESSAGE_HEAD_LEN). */
static inline void payload_write(uint8_t *p, const struct message_head *h, size_t size)
{
    const uint8_t *t = payload_pattern();
    payload_put_le(p, h->client, 4);
    payload_put_le(p + 4, h->seq, 4);
    payload_put_le(p + 8, h->sent_us, 8);
    for (size_t o = MESSAGE_HEAD_LEN; o < size;) {
        size_t n = size - o < 256 ? size - o : 256;
        memcpy(p + o, t + payload_phase(h->client, h->seq, o), n);
        o += n;
    }
}

/* Checks p[0..n), the bytes at payload offset off of the echo of message
 * (client, seq), collecting the head into head[]. Returns false at the
 * first byte that differs, or when the completed head names another
 * client or sequence number. */
static inline bool payload_check(uint8_t head[MESSAGE_HEAD_LEN], uint32_t client,
                                 uint32_t seq, uint64_t off, const uint8_t *p, size_t n)
{
    if (off < MESSAGE_HEAD_LEN) {
        size_t h = MESSAGE_HEAD_LEN - off < n ? MESSAGE_HEAD_LEN - (size_t)off : n;
        memcpy(head + off, p, h);
        off += h;
        p += h;
        n -= h;
        if (off == MESSAGE_HEAD_LEN &&
            (payload_get_le(head, 4) != client || payload_get_le(head + 4, 4) != seq))
            return false;
    }
    const uint8_t *t = payload_pattern();
    while (n) {
        size_t k = n < 256 ? n : 256;
        if (memcmp(p, t + payload_phase(client, seq, off), k) != 0)
            return false;
        p += k;
        off += k;
        n -= k;
    }
    return true;
}

#endif
