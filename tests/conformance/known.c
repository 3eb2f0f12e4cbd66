#include "known.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "util.h"

int known_load(struct known *k, const char *path, char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path, lineno, sizeof line - 2);
            goto fail;
        }
        while (len && isspace((unsigned char)line[len - 1]))
            line[--len] = '\0';
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        char *id = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
        while (isspace((unsigned char)*p))
            p++;
        if (!cases_find(id)) {
            snprintf(err, errlen, "%s:%d: unknown case ID \"%s\" (see conformance --list)",
                     path, lineno, id);
            goto fail;
        }
        if (*p == '\0') {
            snprintf(err, errlen, "%s:%d: case %s has no reason; write \"%s <why the library cannot pass it>\"",
                     path, lineno, id, id);
            goto fail;
        }
        if (known_reason(k, id)) {
            snprintf(err, errlen, "%s:%d: case %s declared twice", path, lineno, id);
            goto fail;
        }
        k->v = util_xrealloc(k->v, (k->n + 1) * sizeof *k->v);
        k->v[k->n].id = util_xstrdup(id);
        k->v[k->n].reason = util_xstrdup(p);
        k->n++;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        goto fail;
    }
    fclose(f);
    return 0;
fail:
    fclose(f);
    known_free(k);
    return -1;
}

const char *known_reason(const struct known *k, const char *id)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->v[i].id, id) == 0)
            return k->v[i].reason;
    return NULL;
}

void known_free(struct known *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->v[i].id);
        free(k->v[i].reason);
    }
    free(k->v);
    memset(k, 0, sizeof *k);
}
