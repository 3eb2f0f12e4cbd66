#include "track.h"

#include "steps.h"

#include <stdio.h>
#include <string.h>

long track_ramp_seconds(long connections, long arrival_us)
{
    long long us = (long long)connections * arrival_us;
    return (long)((us + 999999) / 1000000);
}

static struct variant one(enum track t, long connections, long seconds)
{
    struct variant v = { .track = t, .connections = connections, .seconds = seconds };
    strcpy(v.name, "default");
    return v;
}

int track_variants(const struct suite_config *cfg, enum track t, struct variant *out, int cap)
{
    const struct throughput_keys *tp = &cfg->throughput;
    const struct capacity_keys *c = &cfg->capacity;
    const struct slo_keys *s = &cfg->slo;
    int n = 0;
    switch (t) {
    case TRACK_THROUGHPUT:
        for (int i = 0; i < tp->n_connections; i++) {
            for (int j = 0; j < tp->n_in_flight; j++) {
                for (int k = 0; k < tp->n_sizes && n < cap; k++) {
                    struct variant *v = &out[n++];
                    *v = one(t, tp->connections[i], tp->seconds);
                    v->in_flight = tp->in_flight[j];
                    v->size = tp->sizes[k];
                    snprintf(v->name, sizeof(v->name), "c%ld-k%ld-s%ld", v->connections,
                             v->in_flight, v->size);
                }
            }
        }
        return n;
    case TRACK_CAPACITY:
        out[0] = one(t, c->connections,
                     track_ramp_seconds(c->connections, c->arrival_us) + c->settle_s);
        return 1;
    case TRACK_HANDSHAKES:
        out[0] = one(t, cfg->handshakes.connections, cfg->handshakes.seconds);
        out[0].in_flight = cfg->handshakes.in_flight;
        return 1;
    case TRACK_SLO:
        /* Every step whole: the client starts step 1 where its own rule
         * says (steps.c), and does not judge a step SECONDS cuts short. */
        out[0] = one(t, s->connections,
                     (long)(steps_start_after_ramp((uint32_t)s->connections,
                                                   (uint64_t)s->arrival_us) / 1000000) +
                     s->n_rates * s->step_s);
        return 1;
    case TRACK_C10K:
    default:
        out[0] = one(TRACK_C10K, cfg->clients, cfg->seconds);
        return 1;
    }
}

static long track_connections(const struct suite_config *cfg, enum track t)
{
    long most = 0;
    switch (t) {
    case TRACK_THROUGHPUT:
        for (int i = 0; i < cfg->throughput.n_connections; i++)
            if (cfg->throughput.connections[i] > most)
                most = cfg->throughput.connections[i];
        return most;
    case TRACK_CAPACITY:
        return cfg->capacity.connections;
    case TRACK_HANDSHAKES:
        return cfg->handshakes.connections;
    case TRACK_SLO:
        return cfg->slo.connections;
    case TRACK_C10K:
    default:
        return cfg->clients;
    }
}

long track_max_connections(const struct suite_config *cfg)
{
    long most = 0;
    for (int i = 0; i < cfg->n_tracks; i++) {
        long n = track_connections(cfg, cfg->tracks[i]);
        if (n > most)
            most = n;
    }
    return most;
}
