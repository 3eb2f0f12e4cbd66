#include "schedule.h"

#include <stdlib.h>

int schedule_init(struct schedule *s, uint32_t cap)
{
    s->n = 0;
    s->cap = cap;
    s->heap = calloc(cap ? cap : 1, sizeof *s->heap);
    s->pos = malloc((cap ? cap : 1) * sizeof *s->pos);
    s->due = calloc(cap ? cap : 1, sizeof *s->due);
    if (!s->heap || !s->pos || !s->due) {
        schedule_free(s);
        return -1;
    }
    for (uint32_t i = 0; i < cap; i++)
        s->pos[i] = -1;
    return 0;
}

void schedule_free(struct schedule *s)
{
    free(s->heap);
    free(s->pos);
    free(s->due);
    s->heap = NULL;
    s->pos = NULL;
    s->due = NULL;
    s->n = s->cap = 0;
}

static bool before(const struct schedule *s, uint32_t a, uint32_t b)
{
    return s->due[a] < s->due[b] || (s->due[a] == s->due[b] && a < b);
}

static void place(struct schedule *s, uint32_t i, uint32_t item)
{
    s->heap[i] = item;
    s->pos[item] = (int32_t)i;
}

static void sift_up(struct schedule *s, uint32_t i)
{
    uint32_t item = s->heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!before(s, item, s->heap[parent]))
            break;
        place(s, i, s->heap[parent]);
        i = parent;
    }
    place(s, i, item);
}

static void sift_down(struct schedule *s, uint32_t i)
{
    uint32_t item = s->heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= s->n)
            break;
        if (c + 1 < s->n && before(s, s->heap[c + 1], s->heap[c]))
            c++;
        if (!before(s, s->heap[c], item))
            break;
        place(s, i, s->heap[c]);
        i = c;
    }
    place(s, i, item);
}

void schedule_set(struct schedule *s, uint32_t item, uint64_t due)
{
    int32_t p = s->pos[item];

    s->due[item] = due;
    if (p < 0) {
        place(s, s->n++, item);
        sift_up(s, s->n - 1);
    } else {
        sift_up(s, (uint32_t)p);
        sift_down(s, (uint32_t)s->pos[item]);
    }
}

void schedule_cancel(struct schedule *s, uint32_t item)
{
    int32_t p = s->pos[item];

    if (p < 0)
        return;
    s->pos[item] = -1;
    uint32_t last = s->heap[--s->n];
    if ((uint32_t)p == s->n)
        return;
    place(s, (uint32_t)p, last);
    sift_up(s, (uint32_t)p);
    sift_down(s, (uint32_t)s->pos[last]);
}

bool schedule_pending(const struct schedule *s, uint32_t item)
{
    return s->pos[item] >= 0;
}

bool schedule_next(const struct schedule *s, uint64_t *due)
{
    if (s->n == 0)
        return false;
    *due = s->due[s->heap[0]];
    return true;
}

int64_t schedule_pop_due(struct schedule *s, uint64_t now)
{
    if (s->n == 0 || s->due[s->heap[0]] > now)
        return -1;
    uint32_t item = s->heap[0];
    schedule_cancel(s, item);
    return item;
}
