/* Just enough JSON for the harness's own result files: a parser into a
 * small tree, and string escaping for the writer. Strings are bytes; \u
 * escapes above 0xFF are rejected (the writer never makes them). */
#ifndef CF_JSON_H
#define CF_JSON_H

#include <stddef.h>
#include <stdio.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    double number;          /* NUMBER, BOOL (0/1) */
    char *string;           /* STRING */
    size_t n;               /* ARRAY, OBJECT: number of items */
    struct json *items;     /* ARRAY, OBJECT */
    char **keys;            /* OBJECT */
};

/* Parses text[0..len). Returns 0, or -1 with the byte offset and problem
 * in err. */
int json_parse(const char *text, size_t len, struct json *out, char *err, size_t errlen);
void json_free(struct json *j);

/* Member of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);

/* Writes s as a JSON string literal; bytes >= 0x80 become \u00XX. */
void json_write_string(FILE *f, const char *s);

#endif
