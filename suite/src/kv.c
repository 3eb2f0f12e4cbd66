#include "kv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kv_set(struct kv_list *l, const char *key, const char *value)
{
    char *v = strdup(value);
    if (!v)
        return -1;
    for (size_t i = 0; i < l->len; i++) {
        if (strcmp(l->items[i].key, key) == 0) {
            free(l->items[i].value);
            l->items[i].value = v;
            return 0;
        }
    }
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct kv *items = realloc(l->items, cap * sizeof(*items));
        if (!items)
            goto fail;
        l->items = items;
        l->cap = cap;
    }
    char *k = strdup(key);
    if (!k)
        goto fail;
    l->items[l->len].key = k;
    l->items[l->len].value = v;
    l->len++;
    return 0;
fail:
    free(v);
    return -1;
}

int kv_setf(struct kv_list *l, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = NULL;
    int n = vasprintf(&v, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    int rc = kv_set(l, key, v);
    free(v);
    return rc;
}

const char *kv_get(const struct kv_list *l, const char *key)
{
    for (size_t i = 0; i < l->len; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}

void kv_free(struct kv_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}
