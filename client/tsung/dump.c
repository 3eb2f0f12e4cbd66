#include "dump.h"

#include <stdio.h>
#include <string.h>

void dump_init(struct dump_reader *d, const uint8_t *buf, size_t len)
{
    d->p = buf;
    d->end = buf + len;
    d->line = 0;
}

int dump_parse_time(const char *s, size_t n, uint64_t *out)
{
    uint64_t sec = 0, frac = 0;
    size_t i = 0;
    int digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        sec = sec * 10 + (uint64_t)(s[i++] - '0');
    if (i == 0)
        return -1;
    if (i < n && s[i] == '.') {
        i++;
        /* seven digits, then round: Tsung prints the shortest float */
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (digits < 7) {
                frac = frac * 10 + (uint64_t)(s[i] - '0');
                digits++;
            }
            i++;
        }
    }
    if (i != n)
        return -1;
    while (digits < 7) {
        frac *= 10;
        digits++;
    }
    *out = sec * 1000000 + (frac + 5) / 10;
    return 0;
}

static const struct { const char *tag; enum dump_kind kind; } TAGS[] = {
    {"NewClient:", DUMP_NEW_CLIENT},
    {"EndClient:", DUMP_END_CLIENT},
    {"Send:", DUMP_SEND},
    {"Recv:", DUMP_RECV},
    {"load:", DUMP_OTHER},
    {"EndMonitor:", DUMP_OTHER},
};
#define N_TAGS (sizeof TAGS / sizeof TAGS[0])

/* The tag p starts with (followed by a digit or '{'), or -1. */
static int tag_at(const uint8_t *p, const uint8_t *end)
{
    for (size_t i = 0; i < N_TAGS; i++) {
        size_t n = strlen(TAGS[i].tag);
        if ((size_t)(end - p) > n && memcmp(p, TAGS[i].tag, n) == 0 &&
            ((p[n] >= '0' && p[n] <= '9') || p[n] == '{'))
            return (int)i;
    }
    return -1;
}

int dump_ends_at(const struct dump_reader *d, const uint8_t *q)
{
    if (q >= d->end || *q != '\n')
        return 0;
    return q + 1 == d->end || tag_at(q + 1, d->end) >= 0;
}

static const uint8_t *first_boundary(const struct dump_reader *d, const uint8_t *q)
{
    for (; q < d->end; q++)
        if (dump_ends_at(d, q))
            return q;
    return d->end;
}

static int fail(struct dump_reader *d, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "tsung.dump record %zu: %s", d->line, what);
    const uint8_t *nl = memchr(d->p, '\n', (size_t)(d->end - d->p));
    d->p = nl ? nl + 1 : d->end;
    return -1;
}

int dump_next(struct dump_reader *d, struct dump_record *r, dump_len_fn len_fn,
              void *ctx, char *err, size_t errlen)
{
    if (d->p >= d->end)
        return 0;
    d->line++;
    int t = tag_at(d->p, d->end);
    if (t < 0)
        return fail(d, err, errlen, "not a record Tsung writes (truncated or foreign file?)");
    memset(r, 0, sizeof *r);
    r->kind = TAGS[t].kind;
    const uint8_t *q = d->p + strlen(TAGS[t].tag);
    if (r->kind == DUMP_OTHER) {
        const uint8_t *nl = memchr(q, '\n', (size_t)(d->end - q));
        d->p = nl ? nl + 1 : d->end;
        return 1;
    }
    const uint8_t *c = memchr(q, ':', (size_t)(d->end - q));
    const uint8_t *nl = memchr(q, '\n', (size_t)(d->end - q));
    if (r->kind == DUMP_NEW_CLIENT || r->kind == DUMP_END_CLIENT) {
        if (!c || !nl || c > nl)
            return fail(d, err, errlen, "expected TIME:ID");
        if (dump_parse_time((const char *)q, (size_t)(c - q), &r->t_us))
            return fail(d, err, errlen, "bad time");
        size_t n = (size_t)(nl - c - 1);
        if (n == 0 || n >= sizeof r->who)
            return fail(d, err, errlen, "bad id");
        memcpy(r->who, c + 1, n);
        d->p = nl + 1;
        return 1;
    }
    /* Send/Recv:TIME:<PID>:bytes */
    if (!c || dump_parse_time((const char *)q, (size_t)(c - q), &r->t_us))
        return fail(d, err, errlen, "bad time");
    const uint8_t *w = c + 1, *gt = w;
    while (gt < d->end && gt - w < (long)sizeof r->who && *gt != '>')
        gt++;
    if (gt >= d->end || *w != '<' || *gt != '>' || gt + 1 >= d->end || gt[1] != ':')
        return fail(d, err, errlen, "bad pid");
    memcpy(r->who, w, (size_t)(gt - w + 1));
    r->data = gt + 2;
    size_t avail = (size_t)(d->end - r->data);
    size_t want = len_fn ? len_fn(ctx, d, r, r->data, avail) : 0;
    const uint8_t *stop;
    if (want > 0 && want <= avail && dump_ends_at(d, r->data + want))
        stop = r->data + want;
    else
        stop = first_boundary(d, r->data);
    r->len = (size_t)(stop - r->data);
    d->p = stop < d->end ? stop + 1 : d->end;
    return 1;
}
