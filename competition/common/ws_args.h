/* Command-line options every contestant shares. */
#ifndef WS_ARGS_H
#define WS_ARGS_H

#include <stddef.h>

struct ws_args {
    const char *name;          /* contestant name, for logs and usage */
    const char *host;          /* listen address, default 0.0.0.0 */
    int port;                  /* default 8000 */
    int workers;               /* event loops (processes); default 1, or online CPUs for -N */
    size_t max_message;        /* largest message echoed; a larger one is closed with 1009 */
    int handshake_timeout_ms;  /* a handshake not complete by then is closed (slowloris) */
    size_t max_header;         /* cap on the upgrade request header block */
};

/* Fills *a with the defaults, then parses argv (--host, --port, --workers,
 * --max-message, --handshake-timeout-ms, --help). default_workers 0 means
 * one per online CPU; the environment variable WS_WORKERS, when set,
 * replaces it (a contestant whose default is 1 accepts only WS_WORKERS=1). On a bad option prints a message and usage to stderr
 * and returns -1 (the caller exits 2); --help prints usage and returns 1. */
int ws_args_parse(struct ws_args *a, const char *name, int default_workers,
                  int argc, char **argv);

#endif
