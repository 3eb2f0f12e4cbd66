/* The value parsers behind config.c's keys: each checks a whole value and
 * returns 0, or -1 for a value config.c reports as bad. */
#ifndef SUITE_CONFIG_VALUES_H
#define SUITE_CONFIG_VALUES_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

/* Calls fn(ctx, item, len) for each item of a comma list, blanks around
 * it trimmed; an empty item, or fn returning -1, fails the list. */
int values_each(const char *v, int (*fn)(void *ctx, const char *item, size_t len), void *ctx);

/* Distinct integers in [min, max], at most cap of them (in rising order
 * when rising is set). */
int values_longs(const char *v, long min, long max, bool rising, long *out, int cap, int *n);

/* Distinct supervisor program names. */
int values_names(const char *v, char names[][CONFIG_NAME_MAX], int cap, int *n);

/* Distinct track names. */
int values_tracks(const char *v, enum track *out, int *n);

/* IPv4 addresses A,B,... or ranges A-B, as the client takes them. */
int values_bind(const char *v);

/* client_cpus=LIST server_cpus=LIST (either may be left out). */
int values_pin(struct suite_config *cfg, const char *v);

/* NAME=VALUE,...: an environment for supervisord. */
int values_env(struct suite_config *cfg, const char *v);

/* HOST[:CPU[:MAXUSERS]],...: Tsung's load hosts. */
int values_load_hosts(const char *v);

bool values_ipv4(const char *s);

#endif
