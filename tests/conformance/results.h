/* The results of one run against one server, as kept in memory and in the
 * --json file the report is made from. */
#ifndef CF_RESULTS_H
#define CF_RESULTS_H

#include <stddef.h>
#include <stdint.h>

enum status {
    STATUS_PASS,
    STATUS_NONSTRICT,
    STATUS_FAIL,
    STATUS_KNOWN,      /* failed, and declared a known library failure */
    STATUS_FIXED,      /* declared a known failure, but passed */
};

struct result {
    char *id, *desc;
    enum status status;
    char *reason;        /* what was observed; "" for a plain pass */
    char *known;         /* the declared reason, or NULL */
    int64_t ms;
};

struct results {
    char *name, *host;
    int port;
    char *date;          /* UTC, ISO 8601, when the run started */
    char *machine;
    char *command;
    int64_t ms;
    size_t n;
    struct result *v;
};

const char *results_status_name(enum status s);    /* "pass", "non-strict", ... */
const char *results_status_letter(enum status s);  /* P, NS, KF, F; fixed is P */

void results_add(struct results *rs, const char *id, const char *desc, enum status s,
                 const char *reason, const char *known, int64_t ms);
int results_write_json(const struct results *rs, const char *path, char *err, size_t errlen);
int results_read_json(struct results *rs, const char *path, char *err, size_t errlen);
void results_free(struct results *rs);

/* "Linux 6.1.0 x86_64, <cpu model>, 2 CPUs" */
char *results_machine(void);
/* Now, UTC, ISO 8601. */
char *results_now(void);

#endif
