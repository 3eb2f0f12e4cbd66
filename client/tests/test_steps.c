/* The --rate-steps schedule: counts and due times worked out by hand for a
 * small case, then every client of several shapes against brute force. */
#include <stdint.h>

#include "check.h"
#include "steps.h"

/* The smallest seq of client due at or after t, by walking every message. */
static uint64_t brute_first_from(const struct steps *s, uint32_t client, uint64_t t)
{
    uint64_t seq = 0;
    while (steps_due(s, client, seq) != STEPS_NEVER && steps_due(s, client, seq) < t)
        seq++;
    return seq;
}

static void check_shape(const struct steps *s)
{
    for (unsigned j = 0; j < s->n; j++) {
        uint64_t total = 0;
        for (uint32_t c = 0; c < s->clients; c++)
            total += steps_count(s, j, c);
        CHECK(total == s->rate[j] * (s->step_us / 1000000), "step %u: %llu messages",
              j, (unsigned long long)total);
    }
    for (uint32_t c = 0; c < s->clients; c++) {
        uint64_t prev = 0, seq;
        for (seq = 0; steps_due(s, c, seq) != STEPS_NEVER; seq++) {
            uint64_t d = steps_due(s, c, seq);
            CHECK(d >= s->start_us && d < steps_end(s) && (seq == 0 || d > prev),
                  "client %u seq %llu due %llu", c, (unsigned long long)seq,
                  (unsigned long long)d);
            prev = d;
        }
        for (uint64_t t = 0; t <= steps_end(s) + 100000; t += 37171)
            CHECK(steps_first_seq_from(s, c, t) == brute_first_from(s, c, t),
                  "client %u t %llu", c, (unsigned long long)t);
    }
}

int main(void)
{
    /* 3 clients, 10/s then 4/s, 1 s steps from 2 s: messages g = 0..9 of
     * step 0 are 100 ms apart, g = c + 3k. */
    struct steps s = {.n = 2, .rate = {10, 4}, .start_us = 2000000, .step_us = 1000000,
                      .clients = 3};
    CHECK(steps_count(&s, 0, 0) == 4 && steps_count(&s, 0, 1) == 3 && steps_count(&s, 0, 2) == 3);
    CHECK(steps_count(&s, 1, 0) == 2 && steps_count(&s, 1, 1) == 1 && steps_count(&s, 1, 2) == 1);
    CHECK(steps_due(&s, 1, 0) == 2100000);
    CHECK(steps_due(&s, 1, 2) == 2700000);
    CHECK(steps_due(&s, 1, 3) == 3250000);     /* step 1: g = 1 at 250 ms spacing */
    CHECK(steps_due(&s, 1, 4) == STEPS_NEVER);
    CHECK(steps_due(&s, 0, 5) == 3750000);     /* g = 3 of step 1 */
    CHECK(steps_first_seq_from(&s, 0, 0) == 0);
    CHECK(steps_first_seq_from(&s, 0, 2350000) == 2);   /* g = 6, due 2.6 s */
    CHECK(steps_first_seq_from(&s, 0, 2950000) == 4);   /* none left in step 0 */
    CHECK(steps_first_seq_from(&s, 0, 5000000) == 6);   /* after the end: all of them */
    CHECK(steps_index(&s, 1999999) == -1 && steps_index(&s, 2000000) == 0);
    CHECK(steps_index(&s, 3500000) == 1 && steps_index(&s, 4000000) == 2);
    CHECK(steps_end(&s) == 4000000);
    CHECK(steps_start_after_ramp(10, 1000) == 2000000);
    CHECK(steps_start_after_ramp(1001, 1000) == 3000000);
    CHECK(steps_start_after_ramp(1, 0) == 2000000);
    check_shape(&s);

    /* fewer messages than clients in a step; uneven rates; longer steps */
    struct steps t = {.n = 3, .rate = {2, 7, 1000}, .start_us = 3000000, .step_us = 2000000,
                      .clients = 9};
    CHECK(steps_count(&t, 0, 3) == 1 && steps_count(&t, 0, 4) == 0);
    check_shape(&t);
    struct steps u = {.n = 1, .rate = {333}, .start_us = 2000000, .step_us = 3000000,
                      .clients = 1};
    check_shape(&u);
    return check_done("test_steps");
}
