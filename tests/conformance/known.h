/* A contestant's declared known failures: competition/<name>/conformance-known.txt,
 * lines "CASE_ID reason", '#' comments and blank lines ignored. */
#ifndef CF_KNOWN_H
#define CF_KNOWN_H

#include <stddef.h>

struct known {
    size_t n;
    struct known_entry { char *id, *reason; } *v;
};

/* Loads path. A missing file is no known failures (returns 0, n == 0).
 * A malformed line, an unknown case ID or a duplicate returns -1 with the
 * file, line and problem in err. */
int known_load(struct known *k, const char *path, char *err, size_t errlen);
/* The declared reason for id, or NULL. */
const char *known_reason(const struct known *k, const char *id);
void known_free(struct known *k);

#endif
