/* Running the kit's tools (./verify, ./runtest, pkg-config) as children,
 * bounded in time and stoppable from a signal handler's flag. */
#ifndef SUITE_CHILD_H
#define SUITE_CHILD_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

struct child_opts {
    long timeout_ms;            /* SIGTERM at this point, SIGKILL 10 s later */
    const cpu_set_t *cpus;      /* pin the child to these CPUs, or NULL */
    char *capture;              /* stdout+stderr into this buffer, or NULL */
    size_t capture_cap;
    bool quiet_stderr;          /* without capture: drop stderr */
    volatile int *stop;         /* when it turns non-zero, SIGTERM the child */
    /* set in the child's environment: env_keys[i]=env_values[i] */
    const char (*env_keys)[64];
    const char (*env_values)[256];
    int n_env;
};

struct child_result {
    bool exited;
    int code;                   /* exit code, or the signal number */
    bool timed_out;
    bool stopped;               /* ended early because *stop was set */
};

/* Returns 0 once the child has ended (see *res), or -1 with err when it
 * could not be started at all. */
int child_run(char *const argv[], const struct child_opts *o,
              struct child_result *res, char *err, size_t errlen);

/* argv joined with spaces, quoting words that need it, for the record. */
void child_format(char *const argv[], char *out, size_t cap);

#endif
