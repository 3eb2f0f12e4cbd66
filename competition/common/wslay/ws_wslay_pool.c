#include "ws_wslay_pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#endif

#ifdef POOL_ASAN
/* LeakSanitizer scans only its own heap, stacks and globals: the region is
 * registered as it grows, so what our objects point to is not a leak. Free
 * objects are poisoned, so a use after free is still caught. */
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define POISON(p, n) __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#define ROOT(p, n) __lsan_register_root_region((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define ROOT(p, n) ((void)(p), (void)(n))
#endif

/* Address space only (MAP_NORESERVE): a page costs memory once touched.
 * 1 GiB is a million connections with their libevent entries. */
#define RESERVE (1ul << 30)
/* Handed out this much at a time (what LSan is told to scan). */
#define GROW (1ul << 20)
#define UNIT 16 /* class spacing; keeps every object max_align_t-aligned */
#define CLASSES ((WS_WSLAY_POOL_MAX + sizeof(struct hdr)) / UNIT + 1)

/* In front of every object; a free one is linked through it, so its
 * body can stay poisoned. */
struct hdr {
    uint32_t units; /* header included */
    uint32_t unused;
    struct hdr *next;
};

static uint8_t *base, *bump, *limit, *end;
static int reserve_failed;
static struct hdr *free_list[CLASSES];

static int reserve(void)
{
    if (base)
        return 1;
    if (reserve_failed)
        return 0;
    void *p = mmap(NULL, RESERVE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        reserve_failed = 1;
        return 0;
    }
    base = bump = limit = p;
    end = base + RESERVE;
    return 1;
}

bool ws_wslay_pool_owns(const void *p)
{
    return base && (const uint8_t *)p >= base && (const uint8_t *)p < end;
}

void *ws_wslay_pool_malloc(size_t n)
{
    if (n > WS_WSLAY_POOL_MAX)
        return malloc(n);
    size_t units = (n + sizeof(struct hdr) + UNIT - 1) / UNIT;
    size_t size = units * UNIT - sizeof(struct hdr);
    struct hdr *h = free_list[units];
    if (h) {
        free_list[units] = h->next;
        UNPOISON(h + 1, size);
        return h + 1;
    }
    if (!reserve())
        return malloc(n);
    if ((size_t)(limit - bump) < units * UNIT) {
        if ((size_t)(end - limit) < GROW)
            return malloc(n); /* the region is used up */
        ROOT(limit, GROW);
        limit += GROW;
    }
    h = (struct hdr *)bump;
    bump += units * UNIT;
    h->units = (uint32_t)units;
    return h + 1;
}

void *ws_wslay_pool_zalloc(size_t n)
{
    void *p = ws_wslay_pool_malloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void ws_wslay_pool_free(void *p)
{
    if (!ws_wslay_pool_owns(p)) {
        free(p);
        return;
    }
    struct hdr *h = (struct hdr *)p - 1;
    h->next = free_list[h->units];
    free_list[h->units] = h;
    POISON(p, h->units * UNIT - sizeof *h);
}

void *ws_wslay_pool_realloc(void *p, size_t n)
{
    if (!p)
        return ws_wslay_pool_malloc(n);
    if (!ws_wslay_pool_owns(p))
        return realloc(p, n);
    size_t size = ((struct hdr *)p - 1)->units * UNIT - sizeof(struct hdr);
    if (n <= size)
        return p;
    void *q = ws_wslay_pool_malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, size);
    ws_wslay_pool_free(p);
    return q;
}
