/* The --rate-steps schedule: after the ramp, the offered load is rate[0]
 * messages/s in total for step_us, then rate[1], ... Within step j the
 * run's messages are evenly spaced 1e6/rate[j] us apart and dealt to the
 * clients in turn: global message g = client + k * clients of the step is
 * due at start_j + floor(g * 1e6 / rate[j]). Each connection thus sends
 * open-loop on its own evenly phased schedule, every client at the same
 * rate, and the whole run at exactly the step's rate. Pure functions, so
 * the connection derives a message's due time from (client, seq) and
 * stores nothing per message. */
#ifndef STEPS_H
#define STEPS_H

#include <stdint.h>

#define STEPS_MAX 32
#define STEPS_NEVER UINT64_MAX

struct steps {
    unsigned n;
    uint64_t rate[STEPS_MAX];  /* messages/s in total, each >= 1 */
    uint64_t start_us;         /* step 0 starts here (us since t0) */
    uint64_t step_us;          /* length of each step, whole seconds */
    uint32_t clients;
};

/* Step 0's start: the second whole second after the last client's start
 * (client i starts at i * arrival_us), so every client has had its turn
 * to connect and the steps line up with the per-second samples. */
uint64_t steps_start_after_ramp(uint32_t clients, uint64_t arrival_us);

/* How many messages client sends in step j. */
uint64_t steps_count(const struct steps *s, unsigned j, uint32_t client);

/* When message seq of client is due (seq 0 is its first in step 0), or
 * STEPS_NEVER when it falls after the last step. */
uint64_t steps_due(const struct steps *s, uint32_t client, uint64_t seq);

/* The first seq of client due at or after t (STEPS_NEVER-free: returns the
 * count of all its messages when none is left): where a connection that
 * opens late starts, so it does not burst the messages it missed. */
uint64_t steps_first_seq_from(const struct steps *s, uint32_t client, uint64_t t);

/* The step a scheduled time falls in: -1 before step 0, s->n after the last. */
int steps_index(const struct steps *s, uint64_t t);

/* End of the last step. */
uint64_t steps_end(const struct steps *s);

#endif
