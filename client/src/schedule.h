/* Per-worker timers: an indexed binary min-heap of (due time, item). Each
 * connection has at most one pending timer (its start, connect or handshake
 * deadline, or next send), so the heap is sized once and never allocates.
 * Order is deterministic: earlier due time first, ties by lower item, and
 * items are connection slots in client-id order. */
#ifndef SCHEDULE_H
#define SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

struct schedule {
    uint32_t *heap;    /* items, heap-ordered */
    int32_t *pos;      /* item -> index in heap, -1 if not scheduled */
    uint64_t *due;     /* item -> due time */
    uint32_t n, cap;
};

/* Returns 0, or -1 if out of memory. Items are 0 .. cap-1. */
int schedule_init(struct schedule *s, uint32_t cap);
void schedule_free(struct schedule *s);

/* Schedules item at due, replacing its pending timer if it has one. */
void schedule_set(struct schedule *s, uint32_t item, uint64_t due);
void schedule_cancel(struct schedule *s, uint32_t item);
bool schedule_pending(const struct schedule *s, uint32_t item);

/* The earliest due time; false when nothing is scheduled. */
bool schedule_next(const struct schedule *s, uint64_t *due);

/* Removes and returns the first item due at or before now, or -1. */
int64_t schedule_pop_due(struct schedule *s, uint64_t now);

#endif
