#include "steps.h"

uint64_t steps_start_after_ramp(uint32_t clients, uint64_t arrival_us)
{
    uint64_t last = clients ? (uint64_t)(clients - 1) * arrival_us : 0;
    return (last / 1000000 + 2) * 1000000;
}

/* Messages of the whole run in step j: rate * seconds. */
static uint64_t step_total(const struct steps *s, unsigned j)
{
    return s->rate[j] * (s->step_us / 1000000);
}

uint64_t steps_count(const struct steps *s, unsigned j, uint32_t client)
{
    /* g = client + k * clients is sent when g * 1e6 / rate < step_us, that
     * is g < rate * seconds (both integers) */
    uint64_t m = step_total(s, j);
    return client < m ? (m - client + s->clients - 1) / s->clients : 0;
}

static uint64_t due_in_step(const struct steps *s, unsigned j, uint32_t client, uint64_t k)
{
    uint64_t g = client + k * s->clients;
    return s->start_us + j * s->step_us + g * 1000000 / s->rate[j];
}

uint64_t steps_due(const struct steps *s, uint32_t client, uint64_t seq)
{
    for (unsigned j = 0; j < s->n; j++) {
        uint64_t c = steps_count(s, j, client);
        if (seq < c)
            return due_in_step(s, j, client, seq);
        seq -= c;
    }
    return STEPS_NEVER;
}

uint64_t steps_first_seq_from(const struct steps *s, uint32_t client, uint64_t t)
{
    uint64_t seq = 0;
    for (unsigned j = 0; j < s->n; j++) {
        uint64_t c = steps_count(s, j, client);
        uint64_t begin = s->start_us + j * s->step_us;
        if (t <= begin)
            return seq;
        if (t < begin + s->step_us && c) {
            /* smallest k with (client + k*clients) * 1e6 / rate >= t - begin:
             * g >= ceil((t - begin) * rate / 1e6) */
            uint64_t gmin = ((t - begin) * s->rate[j] + 999999) / 1000000;
            uint64_t k = gmin <= client ? 0 : (gmin - client + s->clients - 1) / s->clients;
            if (k < c)
                return seq + k;
        }
        seq += c;
    }
    return seq;
}

int steps_index(const struct steps *s, uint64_t t)
{
    if (t < s->start_us)
        return -1;
    uint64_t j = (t - s->start_us) / s->step_us;
    return j >= s->n ? (int)s->n : (int)j;
}

uint64_t steps_end(const struct steps *s)
{
    return s->start_us + s->n * s->step_us;
}
