/* Event transport from a worker to the parent: fixed-size records appended
 * to a buffer allocated once, written to a pipe without blocking when the
 * worker flushes (every 10 ms, or sooner past 256 KiB). Only when the
 * buffer is full (the parent's writer fell far behind) does a worker wait,
 * and that stall is counted. */
#ifndef RECORDER_H
#define RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct recorder {
    int fd;              /* write end of the pipe, non-blocking */
    uint16_t worker;
    uint8_t *buf;
    size_t len, off, cap;  /* bytes buffered, bytes already written, size */
    uint64_t stalls;
    bool broken;         /* the parent went away */
};

int recorder_init(struct recorder *r, int fd, uint16_t worker, size_t records);

void recorder_add(struct recorder *r, unsigned type, uint32_t client,
                  uint64_t t_us, int64_t key, int64_t data, int64_t data2,
                  const char *text);

/* Writes what the pipe takes; with block, everything. Returns 0, or -1 if
 * the pipe is broken. */
int recorder_flush(struct recorder *r, bool block);

/* Parent side: reassembles records from reads that may split them. */
struct recorder_reader {
    int fd;
    uint8_t buf[1 << 16];
    size_t len;
    bool eof;
};

/* Reads what is available and calls fn for each complete record. Returns
 * the number of records, or -1 on a read error (errno set). Sets eof when
 * the worker closed its end. */
long recorder_read(struct recorder_reader *rd,
                   void (*fn)(void *ctx, const struct event_record *e), void *ctx);

#endif
