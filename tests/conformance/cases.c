#include "cases.h"

#include <string.h>

#include "util.h"

void cases_run_script(struct run *r, const struct cf_case *c)
{
    if (!run_open(r))
        return;
    for (const struct step *s = c->script; s->kind != 'E' && !run_failed(r); s++) {
        switch (s->kind) {
        case 'F':
            run_frame(r, s->fin, s->rsv, s->op, s->p, s->n);
            break;
        case 'B':
            bytes_append(&r->wire, s->p, s->n);
            break;
        case 'S':
            run_send(r, s->n, s->us);
            break;
        case 'W':
            util_sleep_us((unsigned)s->n * 1000);
            break;
        case 'M':
            run_expect_message(r, s->op, s->p, s->n);
            break;
        case 'm':
            /* A close instead of the echo is judged against the next
             * step's code, and that step is then done. */
            if (run_expect_message_or_fail(r, s->op, s->p, s->n, (unsigned)s[1].n))
                s++;
            break;
        case 'P':
            run_expect_pong(r, s->p, s->n);
            break;
        case 'C':
            run_expect_fail_close(r, (unsigned)s->n);
            break;
        case 'H':
            run_close_handshake(r);
            break;
        case 'R':
            run_expect_close_reply(r);
            break;
        }
    }
}

static const struct {
    const struct cf_case *v;
    const size_t *n;
} families[] = {
    { cases_http, &cases_http_count },
    { cases_frames, &cases_frames_count },
    { cases_utf8, &cases_utf8_count },
    { cases_close, &cases_close_count },
    { cases_limits, &cases_limits_count },
};

const struct cf_case *const *cases_all(size_t *count)
{
    static const struct cf_case **all;
    static size_t n;
    if (!all) {
        size_t total = 0;
        for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
            total += *families[f].n;
        all = util_xmalloc(total * sizeof *all);
        for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
            for (size_t i = 0; i < *families[f].n; i++)
                all[n++] = &families[f].v[i];
    }
    *count = n;
    return all;
}

const struct cf_case *cases_find(const char *id)
{
    size_t n;
    const struct cf_case *const *all = cases_all(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i]->id, id) == 0)
            return all[i];
    return NULL;
}
