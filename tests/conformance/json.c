#include "json.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Nesting is shallow in our files; the cap keeps bad input from recursing
 * the stack away. */
#define JSON_MAX_DEPTH 16

struct parser {
    const char *p, *start, *end;
    char *err;
    size_t errlen;
};

static int perr(struct parser *ps, const char *what)
{
    snprintf(ps->err, ps->errlen, "offset %zu: %s", (size_t)(ps->p - ps->start), what);
    return -1;
}

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int parse_value(struct parser *ps, struct json *j, int depth);

static int parse_string(struct parser *ps, char **out)
{
    struct bytes b = { 0 };
    ps->p++;  /* opening quote */
    while (ps->p < ps->end && *ps->p != '"') {
        unsigned char ch = (unsigned char)*ps->p++;
        if (ch < 0x20) {
            bytes_free(&b);
            return perr(ps, "control character in string");
        }
        if (ch == '\\') {
            if (ps->p >= ps->end)
                break;
            char e = *ps->p++;
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e && simple) {
                static const char map[] = "\"\\/\b\f\n\r\t";
                ch = (unsigned char)map[simple - "\"\\/bfnrt"];
            } else if (e == 'u') {
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    if (ps->p >= ps->end) {
                        bytes_free(&b);
                        return perr(ps, "truncated \\u escape");
                    }
                    char h = *ps->p++;
                    v <<= 4;
                    if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
                    else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
                    else {
                        bytes_free(&b);
                        return perr(ps, "bad hex digit in \\u escape");
                    }
                }
                if (v == 0 || v > 0xFF) {
                    bytes_free(&b);
                    return perr(ps, "\\u escape outside 0x01-0xFF");
                }
                ch = (unsigned char)v;
            } else {
                bytes_free(&b);
                return perr(ps, "bad escape in string");
            }
        }
        bytes_append(&b, &ch, 1);
    }
    if (ps->p >= ps->end) {
        bytes_free(&b);
        return perr(ps, "unterminated string");
    }
    ps->p++;
    bytes_append(&b, "", 1);
    *out = (char *)b.p;
    return 0;
}

static int parse_container(struct parser *ps, struct json *j, int depth, bool object)
{
    char close = object ? '}' : ']';
    j->type = object ? JSON_OBJECT : JSON_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        j->items = util_xrealloc(j->items, (j->n + 1) * sizeof *j->items);
        memset(&j->items[j->n], 0, sizeof *j->items);
        if (object) {
            j->keys = util_xrealloc(j->keys, (j->n + 1) * sizeof *j->keys);
            j->keys[j->n] = NULL;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"')
                return perr(ps, "expected a string key");
            j->n++;
            if (parse_string(ps, &j->keys[j->n - 1]) < 0)
                return -1;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return perr(ps, "expected ':'");
            ps->p++;
        } else {
            j->n++;
        }
        if (parse_value(ps, &j->items[j->n - 1], depth + 1) < 0)
            return -1;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return 0;
        }
        return perr(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(struct parser *ps, struct json *j, int depth)
{
    memset(j, 0, sizeof *j);
    if (depth > JSON_MAX_DEPTH)
        return perr(ps, "nested too deeply");
    skip_ws(ps);
    if (ps->p >= ps->end)
        return perr(ps, "unexpected end of input");
    size_t left = (size_t)(ps->end - ps->p);
    switch (*ps->p) {
    case '{':
        return parse_container(ps, j, depth, true);
    case '[':
        return parse_container(ps, j, depth, false);
    case '"':
        j->type = JSON_STRING;
        return parse_string(ps, &j->string);
    case 't':
    case 'f':
    case 'n': {
        static const struct { const char *w; enum json_type t; double v; } words[] = {
            { "true", JSON_BOOL, 1 }, { "false", JSON_BOOL, 0 }, { "null", JSON_NULL, 0 } };
        for (size_t i = 0; i < 3; i++) {
            size_t wl = strlen(words[i].w);
            if (left >= wl && memcmp(ps->p, words[i].w, wl) == 0) {
                j->type = words[i].t;
                j->number = words[i].v;
                ps->p += wl;
                return 0;
            }
        }
        return perr(ps, "unknown literal");
    }
    default: {
        char buf[64];
        size_t k = 0;
        while (k < left && k < sizeof buf - 1 && strchr("+-0123456789.eE", ps->p[k]))
            k++;
        if (k == 0)
            return perr(ps, "unexpected character");
        memcpy(buf, ps->p, k);
        buf[k] = '\0';
        char *end;
        j->type = JSON_NUMBER;
        j->number = strtod(buf, &end);
        if (*end != '\0')
            return perr(ps, "bad number");
        ps->p += k;
        return 0;
    }
    }
}

int json_parse(const char *text, size_t len, struct json *out, char *err, size_t errlen)
{
    struct parser ps = { text, text, text + len, err, errlen };
    if (parse_value(&ps, out, 0) < 0) {
        json_free(out);
        return -1;
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        json_free(out);
        return perr(&ps, "trailing bytes after the value");
    }
    return 0;
}

void json_free(struct json *j)
{
    for (size_t i = 0; i < j->n; i++) {
        json_free(&j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->string);
    memset(j, 0, sizeof *j);
}

const struct json *json_get(const struct json *obj, const char *key)
{
    if (obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (obj->keys[i] && strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

void json_write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20 || *p >= 0x80)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}
