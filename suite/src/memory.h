/* A server's memory before any client connects: the baseline the report
 * subtracts to get bytes per connection. */
#ifndef SUITE_MEMORY_H
#define SUITE_MEMORY_H

/* PSS in bytes of pid and its descendants (pre-forked workers), from
 * /proc/PID/smaps_rollup; -1 if pid cannot be read. */
long long memory_tree_pss(int pid);

#endif
