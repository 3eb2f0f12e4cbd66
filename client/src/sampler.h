/* Once-a-second readings from /proc: CPU and memory of processes, the
 * kernel's TCP memory and listen-queue counters. Each returns -1 (or a
 * negative value) for "unknown" rather than failing. */
#ifndef SAMPLER_H
#define SAMPLER_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/* CPU time the process has used, in ns (/proc/PID/schedstat), or -1. */
int64_t sampler_cpu_ns(pid_t pid);

/* Rss and Pss of the process in bytes (/proc/PID/smaps_rollup); -1 each if
 * unreadable. */
void sampler_memory(pid_t pid, int64_t *rss, int64_t *pss);

/* Sums over every process in pid's process group: Pss, Rss (bytes) and
 * user+system CPU seconds. All -1 when the process is gone. */
void sampler_group(pid_t pid, int64_t *pss, int64_t *rss, double *cpu_s);

/* "TCP: ... mem N" of /proc/net/sockstat, in pages, or -1. */
int64_t sampler_tcp_mem_pages(void);

/* TcpExt ListenOverflows and ListenDrops of /proc/net/netstat, or -1. */
void sampler_listen_counters(int64_t *overflows, int64_t *drops);

/* Machine facts for the run's meta: "model name" of /proc/cpuinfo. */
void sampler_cpu_model(char *out, size_t len);

#endif
