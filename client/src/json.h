/* A small JSON writer for compile_stats: it keeps track of the commas, so
 * the code that emits a figure names it once and says nothing about layout.
 * Output is one line, keys in the order they are written. */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
    FILE *f;
    unsigned depth;
    bool started[JSON_MAX_DEPTH];  /* a member has been written at this depth */
};

void json_init(struct json *j, FILE *f);

/* key is the member's name inside an object, NULL inside an array or at the top. */
void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
void json_end(struct json *j, char close);     /* '}' or ']' */

void json_string(struct json *j, const char *key, const char *s);
void json_int(struct json *j, const char *key, long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* The shortest text that reads back as the same double; NaN is null. */
void json_number(struct json *j, const char *key, double v);
/* A fixed number of decimals (compile_stats' keys of old keep theirs). */
void json_fixed(struct json *j, const char *key, double v, int decimals);

#endif
