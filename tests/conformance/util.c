#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void *util_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "conformance: out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return p;
}

void *util_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "conformance: out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return q;
}

char *util_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(util_xmalloc(n), s, n);
}

void bytes_reserve(struct bytes *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap *= 2;
    b->p = util_xrealloc(b->p, cap);
    b->cap = cap;
}

void bytes_append(struct bytes *b, const void *p, size_t n)
{
    bytes_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

void bytes_free(struct bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *util_join_argv(int argc, char **argv)
{
    struct bytes b = { 0 };
    for (int i = 0; i < argc; i++) {
        if (i)
            bytes_append(&b, " ", 1);
        bytes_append(&b, argv[i], strlen(argv[i]));
    }
    bytes_append(&b, "", 1);
    return (char *)b.p;
}

int64_t util_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void util_sleep_us(unsigned us)
{
    struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}
