/* Tsung's counters from tsung.log: every dump interval it writes
 *   stats: error_connect_econnrefused 3 12
 * (a counter: the count in this interval, then the total so far) beside
 * sample lines with more numbers. The importer wants the final totals of
 * the counters: how many sessions ended for which reason. */
#ifndef TSUNG_LOG_H
#define TSUNG_LOG_H

#include <stdint.h>
#include <stdio.h>

#define TLOG_MAX 64

struct tsung_counter {
    char name[64];
    int64_t total;
};

struct tsung_log {
    struct tsung_counter c[TLOG_MAX];
    unsigned n;
    int saw_end;              /* "EndMonitor" line: Tsung finished its log */
};

/* Reads the counters of f; returns 0 (a log with none is not an error). */
int tsung_log_read(FILE *f, struct tsung_log *l);

/* The total of counter name, 0 if absent. */
int64_t tsung_log_get(const struct tsung_log *l, const char *name);

#endif
