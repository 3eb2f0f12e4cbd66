/* The preflight: what the machine allows, recorded as env.* keys, and a
 * warning with its fix wherever a setting would cap the run. */
#ifndef SUITE_ENVIRONMENT_H
#define SUITE_ENVIRONMENT_H

#include "config.h"
#include "kv.h"

/* Fills env.* keys for the machine and this process (the client inherits
 * our limits). Returns 0 or -1 (out of memory). */
int env_collect(struct kv_list *env);

/* Prints "warning: ..." lines (and records them as env.warnings) for every
 * setting that would cap the biggest run the config asks for (the most
 * connections of a selected track). Returns how many. */
int env_check(struct kv_list *env, const struct suite_config *cfg);

/* Records env.server_nofile_soft/hard (as /proc/PID/limits writes them,
 * "unlimited" or a number) and prints a warning when they are below what
 * the biggest run needs. Returns the warnings printed. */
int env_server_nofile(struct kv_list *rows, const char *soft, const char *hard,
                      const struct suite_config *cfg);

/* The same, read from /proc/PID/limits of a server on this machine. */
int env_server_limits(struct kv_list *rows, int pid, const struct suite_config *cfg);

#endif
