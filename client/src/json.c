#include "json.h"

#include <math.h>
#include <stdlib.h>

void json_init(struct json *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->started[0] = false;
}

static void quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* The comma before a member and its key. */
static void member(struct json *j, const char *key)
{
    if (j->started[j->depth])
        fputc(',', j->f);
    j->started[j->depth] = true;
    if (key) {
        quoted(j->f, key);
        fputc(':', j->f);
    }
}

static void begin(struct json *j, const char *key, char c)
{
    member(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < JSON_MAX_DEPTH)
        j->started[++j->depth] = false;
    else
        abort();   /* a programming error: compile_stats nests three deep */
}

void json_object(struct json *j, const char *key) { begin(j, key, '{'); }
void json_array(struct json *j, const char *key) { begin(j, key, '['); }

void json_end(struct json *j, char close)
{
    fputc(close, j->f);
    if (j->depth)
        j->depth--;
    if (!j->depth && close)
        fputc('\n', j->f);
}

void json_string(struct json *j, const char *key, const char *s)
{
    member(j, key);
    quoted(j->f, s ? s : "");
}

void json_int(struct json *j, const char *key, long long v)
{
    member(j, key);
    fprintf(j->f, "%lld", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
    member(j, key);
    fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
    member(j, key);
    fputs("null", j->f);
}

void json_number(struct json *j, const char *key, double v)
{
    if (!isfinite(v)) {
        json_null(j, key);
        return;
    }
    member(j, key);
    if (v == (double)(long long)v && fabs(v) < 9e15) {
        fprintf(j->f, "%lld", (long long)v);
        return;
    }
    char buf[32];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, j->f);
}

void json_fixed(struct json *j, const char *key, double v, int decimals)
{
    member(j, key);
    fprintf(j->f, "%.*f", decimals, v);
}
