/* The message head Tsung sends and the importer reads back: the one place
 * that knows its layout. 16 bytes, little-endian, as CONTRACTS.md fixes for
 * the kit's client:
 *   offset 0  u32  client id (Tsung's user id - 1, so ids start at 0)
 *   offset 4  u32  sequence number (0, 1, ... per connection)
 *   offset 8  u64  actual send time, us since the run's t0
 * then filler bytes message_filler(client, seq, offset) (client/src/message.h),
 * so an echo is checked byte for byte.
 *
 * Tsung builds the payload in Erlang inside the generated XML: HEAD_ERLANG
 * below is that expression, written from the same layout. */
#ifndef TSUNG_HEAD_H
#define TSUNG_HEAD_H

#include <stdint.h>

#include "message.h"   /* message_filler: the kit client's filler rule */

#define HEAD_LEN 16
#define HEAD_MIN_SIZE HEAD_LEN

/* Erlang: binds Payload from C (client id), S (seq) and Size, with the
 * send time T = Now() taken last; the filler comprehension is
 * message_filler() in Erlang. */
#define HEAD_ERLANG \
    "Filler = << <<((C*131 + S*31 + O*7 + 1) band 255)>> || O <- lists:seq(16, Size - 1) >>, " \
    "T = Now(), " \
    "Payload = <<C:32/little, S:32/little, T:64/little, Filler/binary>>"

struct head {
    uint32_t client;
    uint32_t seq;
    uint64_t sent_us;
};

static inline uint64_t head_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline void head_decode(const uint8_t p[HEAD_LEN], struct head *h)
{
    h->client = (uint32_t)head_le(p, 4);
    h->seq = (uint32_t)head_le(p + 4, 4);
    h->sent_us = head_le(p + 8, 8);
}

/* The filler byte at payload offset off (off >= HEAD_LEN). */
static inline uint8_t head_filler(uint32_t client, uint32_t seq, uint64_t off)
{
    return message_filler(client, seq, off);
}

#endif
