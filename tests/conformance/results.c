#include "results.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

static const char *const names[] = { "pass", "non-strict", "fail", "known-failure", "fixed" };

const char *results_status_name(enum status s)
{
    return names[s];
}

const char *results_status_letter(enum status s)
{
    static const char *const letters[] = { "P", "NS", "F", "KF", "P" };
    return letters[s];
}

void results_add(struct results *rs, const char *id, const char *desc, enum status s,
                 const char *reason, const char *known, int64_t ms)
{
    rs->v = util_xrealloc(rs->v, (rs->n + 1) * sizeof *rs->v);
    struct result *r = &rs->v[rs->n++];
    r->id = util_xstrdup(id);
    r->desc = util_xstrdup(desc);
    r->status = s;
    r->reason = util_xstrdup(reason ? reason : "");
    r->known = known ? util_xstrdup(known) : NULL;
    r->ms = ms;
}

static void write_field(FILE *f, const char *key, const char *value, const char *sep)
{
    fprintf(f, "\"%s\": ", key);
    if (value)
        json_write_string(f, value);
    else
        fputs("null", f);
    fputs(sep, f);
}

int results_write_json(const struct results *rs, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    fputs("{\n  \"format\": \"ws-conformance-1\",\n  ", f);
    write_field(f, "name", rs->name, ",\n  ");
    write_field(f, "host", rs->host, ",\n  ");
    fprintf(f, "\"port\": %d,\n  ", rs->port);
    write_field(f, "date", rs->date, ",\n  ");
    write_field(f, "machine", rs->machine, ",\n  ");
    write_field(f, "command", rs->command, ",\n  ");
    fprintf(f, "\"ms\": %lld,\n  \"cases\": [", (long long)rs->ms);
    for (size_t i = 0; i < rs->n; i++) {
        const struct result *r = &rs->v[i];
        fputs(i ? ",\n    {" : "\n    {", f);
        write_field(f, "id", r->id, ", ");
        write_field(f, "description", r->desc, ", ");
        write_field(f, "status", results_status_name(r->status), ", ");
        write_field(f, "reason", r->reason, ", ");
        write_field(f, "known", r->known, ", ");
        fprintf(f, "\"ms\": %lld}", (long long)r->ms);
    }
    fputs("\n  ]\n}\n", f);
    if (ferror(f) | (fclose(f) != 0)) {
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return 0;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct bytes b = { 0 };
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        bytes_append(&b, buf, n);
        if (b.len > (64u << 20)) {
            snprintf(err, errlen, "%s: over 64 MiB, not a results file", path);
            fclose(f);
            bytes_free(&b);
            return NULL;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        fclose(f);
        bytes_free(&b);
        return NULL;
    }
    fclose(f);
    *len = b.len;
    bytes_append(&b, "", 1);
    return (char *)b.p;
}

/* A string member, or NULL when it is missing or not a string. */
static const char *str(const struct json *o, const char *key)
{
    const struct json *v = json_get(o, key);
    return v && v->type == JSON_STRING ? v->string : NULL;
}

int results_read_json(struct results *rs, const char *path, char *err, size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    size_t len;
    char *text = read_file(path, &len, err, errlen);
    if (!text)
        return -1;
    struct json root;
    char jerr[128];
    if (json_parse(text, len, &root, jerr, sizeof jerr) < 0) {
        snprintf(err, errlen, "%s: not valid JSON: %s", path, jerr);
        free(text);
        return -1;
    }
    free(text);
    const char *format = str(&root, "format");
    const struct json *cases = json_get(&root, "cases");
    const struct json *port = json_get(&root, "port");
    const struct json *ms = json_get(&root, "ms");
    if (!format || strcmp(format, "ws-conformance-1") != 0 || !str(&root, "name") ||
        !cases || cases->type != JSON_ARRAY) {
        snprintf(err, errlen, "%s: not a conformance results file "
                 "(want \"format\": \"ws-conformance-1\", \"name\" and \"cases\")", path);
        goto fail;
    }
    rs->name = util_xstrdup(str(&root, "name"));
    rs->host = util_xstrdup(str(&root, "host") ? str(&root, "host") : "");
    rs->port = port && port->type == JSON_NUMBER ? (int)port->number : 0;
    rs->date = util_xstrdup(str(&root, "date") ? str(&root, "date") : "");
    rs->machine = util_xstrdup(str(&root, "machine") ? str(&root, "machine") : "");
    rs->command = util_xstrdup(str(&root, "command") ? str(&root, "command") : "");
    rs->ms = ms && ms->type == JSON_NUMBER ? (int64_t)ms->number : 0;
    for (size_t i = 0; i < cases->n; i++) {
        const struct json *c = &cases->items[i];
        const char *id = str(c, "id"), *desc = str(c, "description");
        const char *status = str(c, "status"), *reason = str(c, "reason");
        const struct json *cms = json_get(c, "ms");
        int s = -1;
        for (int k = 0; status && k < 5; k++)
            if (strcmp(status, names[k]) == 0)
                s = k;
        if (!id || !desc || !reason || s < 0) {
            snprintf(err, errlen, "%s: case %zu lacks id, description, reason or a known status", path, i + 1);
            goto fail;
        }
        results_add(rs, id, desc, (enum status)s, reason, str(c, "known"),
                    cms && cms->type == JSON_NUMBER ? (int64_t)cms->number : 0);
    }
    json_free(&root);
    return 0;
fail:
    json_free(&root);
    results_free(rs);
    return -1;
}

void results_free(struct results *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->v[i].id);
        free(rs->v[i].desc);
        free(rs->v[i].reason);
        free(rs->v[i].known);
    }
    free(rs->v);
    free(rs->name);
    free(rs->host);
    free(rs->date);
    free(rs->machine);
    free(rs->command);
    memset(rs, 0, sizeof *rs);
}

char *results_machine(void)
{
    struct utsname u;
    char model[128] = "unknown CPU";
    if (uname(&u) < 0)
        strcpy(u.sysname, "?"), strcpy(u.release, "?"), strcpy(u.machine, "?");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            char *colon = strchr(line, ':');
            if (strncmp(line, "model name", 10) == 0 && colon) {
                snprintf(model, sizeof model, "%s", colon + 2);
                model[strcspn(model, "\n")] = '\0';
                break;
            }
        }
        fclose(f);
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    char out[512];
    snprintf(out, sizeof out, "%s %s %s, %s, %ld CPUs", u.sysname, u.release, u.machine, model, cpus);
    return util_xstrdup(out);
}

char *results_now(void)
{
    time_t t = time(NULL);
    struct tm tm;
    char out[32];
    gmtime_r(&t, &tm);
    strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return util_xstrdup(out);
}
