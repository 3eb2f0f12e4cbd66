/* The timer heap: earliest first, ties by lower item, rescheduling and
 * cancelling, and a long random sequence checked against a sorted list. */
#include <stdlib.h>

#include "check.h"
#include "prng.h"
#include "schedule.h"

#define N 2000

int main(void)
{
    struct schedule s;
    CHECK(schedule_init(&s, N) == 0);

    /* ties fire in item order, whatever the insertion order */
    static const uint32_t order[] = {5, 3, 9, 0, 7};
    for (int i = 0; i < 5; i++)
        schedule_set(&s, order[i], 100);
    schedule_set(&s, 4, 50);
    uint64_t due;
    CHECK(schedule_next(&s, &due) && due == 50);
    CHECK(schedule_pop_due(&s, 49) == -1);
    static const int64_t want[] = {4, 0, 3, 5, 7, 9};
    for (int i = 0; i < 6; i++)
        CHECK(schedule_pop_due(&s, 100) == want[i]);
    CHECK(schedule_pop_due(&s, 1000) == -1 && !schedule_next(&s, &due));

    /* reschedule earlier and later, cancel */
    schedule_set(&s, 1, 300);
    schedule_set(&s, 2, 200);
    schedule_set(&s, 3, 100);
    schedule_set(&s, 1, 50);     /* earlier */
    schedule_set(&s, 3, 400);    /* later */
    schedule_cancel(&s, 2);
    schedule_cancel(&s, 2);      /* twice is harmless */
    CHECK(!schedule_pending(&s, 2) && schedule_pending(&s, 1));
    CHECK(schedule_pop_due(&s, 1000) == 1);
    CHECK(schedule_pop_due(&s, 1000) == 3);
    CHECK(schedule_pop_due(&s, 1000) == -1);

    /* random operations against a reference */
    static uint64_t ref[N];     /* 0: not scheduled, else due + 1 */
    uint64_t rng = 42;
    int mismatches = 0;
    for (int round = 0; round < 20000; round++) {
        uint32_t item = (uint32_t)(prng_next(&rng) % N);
        uint64_t r = prng_next(&rng) % 10;
        if (r < 7) {
            uint64_t d = prng_next(&rng) % 1000;
            schedule_set(&s, item, d);
            ref[item] = d + 1;
        } else if (r < 9) {
            schedule_cancel(&s, item);
            ref[item] = 0;
        } else {
            /* pop everything due by a random time, in order */
            uint64_t now = prng_next(&rng) % 1000;
            int64_t got;
            while ((got = schedule_pop_due(&s, now)) >= 0) {
                int64_t best = -1;
                for (uint32_t i = 0; i < N; i++)
                    if (ref[i] && ref[i] - 1 <= now &&
                        (best < 0 || ref[i] < ref[best]))
                        best = i;
                if (got != best)
                    mismatches++;
                ref[got] = 0;
            }
            for (uint32_t i = 0; i < N; i++)
                if (ref[i] && ref[i] - 1 <= now)
                    mismatches++;
        }
    }
    CHECK(mismatches == 0);
    /* drain: strictly non-decreasing (due, item) */
    int64_t prev = -1;
    uint64_t prev_due = 0;
    int64_t item;
    while ((item = schedule_pop_due(&s, UINT64_MAX)) >= 0) {
        uint64_t d = ref[item] - 1;
        CHECK(ref[item] != 0);
        CHECK(prev < 0 || d > prev_due || (d == prev_due && item > prev));
        prev = item;
        prev_due = d;
        ref[item] = 0;
    }
    for (uint32_t i = 0; i < N; i++)
        CHECK(ref[i] == 0);
    schedule_free(&s);
    return check_done("test_schedule");
}
