/* What the suite runs: the contestants, then the reference servers the
 * config selects (servers/, see CONTRACTS "References"), each with the
 * tracks it takes part in. */
#ifndef SUITE_SERVERS_H
#define SUITE_SERVERS_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

enum server_kind { KIND_CONTESTANT, KIND_REFERENCE };
enum protocol { PROTO_WEBSOCKET, PROTO_TCP };

struct server {
    char name[CONFIG_NAME_MAX];     /* its supervisord program */
    enum server_kind kind;
    enum protocol protocol;
    bool tracks[TRACK_COUNT];       /* the tracks it can run in */
    char unavailable[512];          /* set: not available, why and the fix */
    char install[256];              /* then: the fix alone (reference.conf's install) */
};

const char *servers_kind_name(enum server_kind k);
const char *servers_protocol_name(enum protocol p);

/* The contestants (cfg->servers, or every one competition/contestants
 * prints) followed by the references. Returns how many, or -1 with a
 * configuration error in err. */
int servers_plan(const struct suite_config *cfg, struct server *out, int cap, char *err,
                 size_t errlen);

/* DIR/reference.conf into s (name already set): protocol, tracks, and
 * s->unavailable when a `requires` entry is missing. 0, or -1 with
 * "FILE:LINE: ..." in err. */
int servers_load_reference(const char *dir, const struct suite_config *cfg, struct server *s,
                           char *err, size_t errlen);

#endif
