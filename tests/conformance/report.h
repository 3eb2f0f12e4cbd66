/* results/conformance.md from the --json files of several runs. */
#ifndef CF_REPORT_H
#define CF_REPORT_H

#include <stddef.h>

/* Reads files[0..n) and writes the markdown report to out. command is
 * quoted in the report as the command that made it. Returns 0, or -1 with
 * the problem in err (nothing is written then). */
int report_write(const char *out, char **files, int n, const char *command,
                 char *err, size_t errlen);

/* The `conformance-report OUT FILE.json...` program; also `conformance
 * --report OUT FILE.json...`. argv[0] is the program name. */
int report_main(int argc, char **argv);

#endif
