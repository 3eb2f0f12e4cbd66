/* The runs a track makes: its variants, each with its own database, and
 * the workload of each. */
#ifndef SUITE_TRACK_H
#define SUITE_TRACK_H

#include "config.h"

#define TRACK_VARIANTS_MAX (CONFIG_LIST_MAX * CONFIG_LIST_MAX * CONFIG_LIST_MAX)
/* handshakes: an interval longer than any run, so each connection sends
 * message 0 and then only holds. */
#define TRACK_HOLD_INTERVAL_MS 3600000L

struct variant {
    enum track track;
    char name[64];              /* "default"; throughput: "c100-k1-s20" */
    long connections;
    long seconds;               /* runtest's SECONDS */
    long in_flight;             /* throughput: per connection; handshakes: in all */
    long size;                  /* throughput: payload bytes */
};

/* Fills out with the variants of track t, in a fixed order; returns how
 * many (at least 1). */
int track_variants(const struct suite_config *cfg, enum track t, struct variant *out, int cap);

/* Seconds until every connection has had its turn to connect. */
long track_ramp_seconds(long connections, long arrival_us);

/* The most connections any selected track opens: what the preflight's
 * limits must allow. */
long track_max_connections(const struct suite_config *cfg);

#endif
