#include "recorder.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int recorder_init(struct recorder *r, int fd, uint16_t worker, size_t records)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->worker = worker;
    r->cap = records * sizeof(struct event_record);
    r->buf = malloc(r->cap);
    return r->buf ? 0 : -1;
}

int recorder_flush(struct recorder *r, bool block)
{
    while (r->off < r->len && !r->broken) {
        ssize_t n = write(r->fd, r->buf + r->off, r->len - r->off);
        if (n > 0) {
            r->off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            if (!block)
                break;
            struct pollfd p = {.fd = r->fd, .events = POLLOUT};
            if (poll(&p, 1, -1) < 0 && errno != EINTR)
                r->broken = true;
            continue;
        }
        r->broken = true;
    }
    if (r->off == r->len) {
        r->off = r->len = 0;
    } else if (r->off > r->cap / 2) {
        /* keep room at the end without a ring's wrap-around logic */
        memmove(r->buf, r->buf + r->off, r->len - r->off);
        r->len -= r->off;
        r->off = 0;
    }
    return r->broken ? -1 : 0;
}

void recorder_add(struct recorder *r, unsigned type, uint32_t client,
                  uint64_t t_us, int64_t key, int64_t data, int64_t data2,
                  const char *text)
{
    if (r->len + sizeof(struct event_record) > r->cap) {
        r->stalls++;
        recorder_flush(r, true);
        if (r->broken)
            return;
    }
    struct event_record *e = (struct event_record *)(r->buf + r->len);
    e->t_us = t_us;
    e->key = key;
    e->data = data;
    e->data2 = data2;
    e->client = client;
    e->type = (uint16_t)type;
    e->worker = r->worker;
    if (text) {
        strncpy(e->text, text, EVENT_TEXT_MAX - 1);
        e->text[EVENT_TEXT_MAX - 1] = '\0';
    } else {
        e->text[0] = '\0';
    }
    r->len += sizeof *e;
}

long recorder_read(struct recorder_reader *rd,
                   void (*fn)(void *ctx, const struct event_record *e), void *ctx)
{
    long count = 0;
    for (;;) {
        ssize_t n = read(rd->fd, rd->buf + rd->len, sizeof rd->buf - rd->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return count;
        if (n < 0)
            return -1;
        if (n == 0) {
            rd->eof = true;
            return count;
        }
        rd->len += (size_t)n;
        size_t whole = rd->len / sizeof(struct event_record) * sizeof(struct event_record);
        for (size_t o = 0; o < whole; o += sizeof(struct event_record)) {
            struct event_record e;
            memcpy(&e, rd->buf + o, sizeof e);
            fn(ctx, &e);
            count++;
        }
        memmove(rd->buf, rd->buf + whole, rd->len - whole);
        rd->len -= whole;
    }
}
