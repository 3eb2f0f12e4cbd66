/* xorshift64*: masking keys and handshake nonces for a load client need to
 * be unpredictable to intermediaries, not cryptographic; one getrandom()
 * seeds each worker and the hot path makes no syscall. */
#ifndef PRNG_H
#define PRNG_H

#include <stdint.h>

static inline uint64_t prng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

#endif
