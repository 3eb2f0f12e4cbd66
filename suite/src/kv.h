/* A growable list of key/value strings: the environment record and the
 * meta rows the suite adds to each database. */
#ifndef SUITE_KV_H
#define SUITE_KV_H

#include <stddef.h>

struct kv {
    char *key;
    char *value;
};

struct kv_list {
    struct kv *items;
    size_t len;
    size_t cap;
};

/* Both return 0, or -1 when out of memory. A key set twice keeps the last. */
int kv_set(struct kv_list *l, const char *key, const char *value);
int kv_setf(struct kv_list *l, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *kv_get(const struct kv_list *l, const char *key);
void kv_free(struct kv_list *l);

#endif
