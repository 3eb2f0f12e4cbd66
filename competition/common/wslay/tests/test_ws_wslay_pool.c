/* The small-object pool (ws_wslay_pool.c): classes, reuse, realloc across
 * the pool and malloc, and the reason it exists: long-lived small objects
 * allocated between 8.8 KB blocks that are later freed must not keep those
 * blocks' pages resident. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ws_wslay_pool.h"

#define CONNS 4000
#define CONN_SIZE 300  /* about a libevent or libuv connection */
#define CTX_SIZE 4400  /* wslay's context is two such blocks */

static long rss_bytes(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * sysconf(_SC_PAGESIZE);
}

static void test_classes(void)
{
    static uint8_t *p[WS_WSLAY_POOL_MAX + 1];
    for (size_t n = 0; n <= WS_WSLAY_POOL_MAX; n++) {
        p[n] = ws_wslay_pool_malloc(n);
        CHECK(p[n] && ws_wslay_pool_owns(p[n]), "size %zu", n);
        CHECK((uintptr_t)p[n] % 16 == 0, "size %zu aligned", n);
        memset(p[n], (int)(n & 0xff), n);
    }
    for (size_t n = 0; n <= WS_WSLAY_POOL_MAX; n++) {
        size_t bad = 0;
        for (size_t i = 0; i < n; i++)
            bad += p[n][i] != (uint8_t)(n & 0xff);
        CHECK(bad == 0, "size %zu overwritten", n);
    }
    /* A freed object goes to the next request of its class only. */
    uint8_t *a = p[100];
    ws_wslay_pool_free(a);
    uint8_t *b = ws_wslay_pool_malloc(200);
    CHECK(b != a);
    uint8_t *c = ws_wslay_pool_malloc(97); /* 97-112: the class of 100 */
    CHECK(c == a);
    p[100] = c;
    ws_wslay_pool_free(b);
    for (size_t n = 0; n <= WS_WSLAY_POOL_MAX; n++)
        ws_wslay_pool_free(p[n]);

    uint8_t *z = ws_wslay_pool_zalloc(64);
    size_t nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += z[i] != 0;
    CHECK(nonzero == 0, "zalloc of a reused object");
    ws_wslay_pool_free(z);
    ws_wslay_pool_free(NULL);
}

static void test_large_and_realloc(void)
{
    uint8_t *big = ws_wslay_pool_malloc(WS_WSLAY_POOL_MAX + 1);
    CHECK(big && !ws_wslay_pool_owns(big));
    ws_wslay_pool_free(big);

    uint8_t *p = ws_wslay_pool_realloc(NULL, 20);
    CHECK(p && ws_wslay_pool_owns(p));
    for (int i = 0; i < 20; i++)
        p[i] = (uint8_t)i;
    CHECK(ws_wslay_pool_realloc(p, 24) == p); /* still fits its class */
    uint8_t *q = ws_wslay_pool_realloc(p, 500);
    CHECK(q != p && ws_wslay_pool_owns(q));
    uint8_t *r = ws_wslay_pool_realloc(q, 4000); /* out of the pool */
    CHECK(r && !ws_wslay_pool_owns(r));
    size_t bad = 0;
    for (int i = 0; i < 20; i++)
        bad += r[i] != (uint8_t)i;
    CHECK(bad == 0, "contents kept across reallocs");
    r = ws_wslay_pool_realloc(r, 8000); /* a malloc pointer stays one */
    CHECK(r && !ws_wslay_pool_owns(r) && r[19] == 19);
    ws_wslay_pool_free(r);
}

/* CONNS connections, each with a context made of two blocks allocated
 * after it, as at the ramp of a capacity run; then every context is freed
 * and malloc_trim called, as the glue does. Returns the RSS left per
 * connection. */
static long rss_after_release(void *(*conn_alloc)(size_t), void (*conn_free)(void *))
{
    static void *conn[CONNS], *ctx[2 * CONNS];
    malloc_trim(0);
    long before = rss_bytes();
    for (int i = 0; i < CONNS; i++) {
        conn[i] = conn_alloc(CONN_SIZE);
        memset(conn[i], 1, CONN_SIZE);
        for (int k = 0; k < 2; k++) {
            ctx[2 * i + k] = malloc(CTX_SIZE);
            memset(ctx[2 * i + k], 2, CTX_SIZE);
        }
    }
    for (int i = 0; i < 2 * CONNS; i++)
        free(ctx[i]);
    malloc_trim(0);
    long per_conn = (rss_bytes() - before) / CONNS;
    for (int i = 0; i < CONNS; i++)
        conn_free(conn[i]);
    return per_conn;
}

static void test_contexts_return(void)
{
#ifdef __SANITIZE_ADDRESS__
    puts("RSS check skipped: ASan's malloc keeps freed blocks in quarantine");
    return;
#endif
    long pooled = rss_after_release(ws_wslay_pool_malloc, ws_wslay_pool_free);
    long mixed = rss_after_release(malloc, free);
    printf("RSS per connection after its context is freed: %ld B with the pool, "
           "%ld B with connections from malloc\n", pooled, mixed);
    CHECK(pooled < 1024, "%ld B per connection with the pool", pooled);
}

int main(void)
{
    test_classes();
    test_large_and_realloc();
    test_contexts_return();
    return check_done("test_ws_wslay_pool");
}
