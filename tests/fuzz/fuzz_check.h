/* What a fuzz target does when an invariant breaks: say which, then abort
 * so libFuzzer saves the input as a crash-* file. */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...) do {                                   \
        if (!(cond)) {                                               \
            fprintf(stderr, "%s:%d: invariant failed: %s: ",         \
                    __FILE__, __LINE__, #cond);                      \
            fprintf(stderr, __VA_ARGS__);                            \
            fputc('\n', stderr);                                     \
            abort();                                                 \
        }                                                            \
    } while (0)

#endif
