/* The start-up every contestant shares, so a contestant's main() is one
 * line and its own file holds only what is particular to its framework:
 *     return ws_main(WS_NAME, WS_DEFAULT_WORKERS, NULL, argc, argv, run);
 * (contestant.mk defines both from the Makefile's NAME and WORKERS). */
#ifndef WS_MAIN_H
#define WS_MAIN_H

#include "ws_args.h"

/* Parses the options (ws_args), names the log, ignores SIGPIPE, raises the
 * open-file limit to the hard limit, refuses a port another server holds,
 * logs one start line (with `detail`, may be NULL) and runs run(worker,
 * &args) in args.workers processes. Returns the process exit status:
 * 0, 1 on a start-up or worker failure, 2 on bad options. */
int ws_main(const char *name, int default_workers, const char *detail,
            int argc, char **argv, int (*run)(int worker, void *args));

#endif
