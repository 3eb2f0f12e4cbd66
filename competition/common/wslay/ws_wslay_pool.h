/* Memory for a wslay server's long-lived small objects (its connections,
 * libevent's per-descriptor entries), kept out of the malloc heap where
 * wslay's 8.8 KB contexts come and go.
 *
 * Why: wslay allocates its context with malloc (1.1.1 has no allocator
 * hook), and the glue frees it once a connection is quiet. A connection
 * allocated while contexts were being freed lands in their holes, so each
 * freed context sits between live small objects and keeps its pages:
 * measured 2.3-2.8 KB of RSS per connection after one echo (issue 14, the
 * READMEs). With the small objects here, the malloc heap holds only what
 * comes and goes, freed contexts run together, and malloc_trim returns them.
 *
 * Objects up to WS_WSLAY_POOL_MAX bytes come from one reserved region, by
 * size class (16 bytes apart); a freed object is reused by the next of its
 * class, and the region never shrinks. Larger requests, and any once the
 * region is used up, go to malloc. free and realloc take pointers from
 * either. One thread per process. The signatures are those of
 * event_set_mem_functions(). */
#ifndef WS_WSLAY_POOL_H
#define WS_WSLAY_POOL_H

#include <stdbool.h>
#include <stddef.h>

#define WS_WSLAY_POOL_MAX 1008

void *ws_wslay_pool_malloc(size_t n);
void *ws_wslay_pool_realloc(void *p, size_t n);
void ws_wslay_pool_free(void *p);

/* Zeroed, like calloc(1, n). */
void *ws_wslay_pool_zalloc(size_t n);

/* Whether p came from the region (for tests). */
bool ws_wslay_pool_owns(const void *p);

#endif
