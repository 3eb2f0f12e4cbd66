/* CPU pinning of a running server: every thread of the process and of its
 * child processes (pre-forked workers). */
#ifndef SUITE_PIN_H
#define SUITE_PIN_H

#include <sched.h>
#include <stddef.h>

/* Returns the number of threads pinned, or -1 with err. */
int pin_process_tree(int pid, const cpu_set_t *cpus, char *err, size_t errlen);

#endif
