/* Readings from /proc: CPU and memory of processes and process groups, the
 * machine's idle time, the kernel's slab and TCP memory and listen-queue
 * counters. This is the kit's one sampler: runtest's samples, the suite's
 * idle server, `procstat` and through it supervisord's wsstats all read
 * memory and CPU here, the same way. Each returns -1 (or a negative value)
 * for "unknown" rather than failing, except sampler_group_read, which says
 * why. Self-contained: the suite compiles this file alone. */
#ifndef SAMPLER_H
#define SAMPLER_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/* CPU time the process has used, in ns (/proc/PID/schedstat), or -1. */
int64_t sampler_cpu_ns(pid_t pid);

/* /proc/PID/schedstat: time on a CPU and time runnable but waiting for
 * one, in ns. Their sum over an interval is how much of it the process
 * wanted a CPU. Returns 0, or -1 with both -1. */
int sampler_sched(pid_t pid, int64_t *run_ns, int64_t *wait_ns);

/* Rss and Pss of the process in bytes (/proc/PID/smaps_rollup); -1 each if
 * unreadable. */
void sampler_memory(pid_t pid, int64_t *rss, int64_t *pss);

struct sampler_group {
    int64_t pss_bytes, rss_bytes;
    int64_t anon_bytes;       /* smaps_rollup "Anonymous": heap and stacks, no file pages */
    double cpu_seconds;       /* user + system of the group's live processes */
    unsigned processes;
};

enum {
    SAMPLER_OK = 0,
    SAMPLER_GONE = -1,        /* no such process (or group) */
    SAMPLER_FAILED = -2,      /* a member could not be read: err says which and why */
};

/* Sums over every live process in pid's process group. A process that
 * exits while it is read is left out; one that cannot be read for another
 * reason (permissions) fails the reading. */
int sampler_group_read(pid_t pid, struct sampler_group *g, char *err, size_t errlen);

/* The same, all -1 when anything failed (for callers that record unknowns). */
void sampler_group(pid_t pid, int64_t *pss, int64_t *rss, double *cpu_s);

/* The first line of /proc/stat: all CPUs' time and the idle part of it
 * (idle + iowait), in clock ticks. Returns 0, or -1. */
int sampler_machine_cpu(uint64_t *total, uint64_t *idle);

/* "Slab:" of /proc/meminfo in bytes (kernel objects: sockets among them), or -1. */
int64_t sampler_slab_bytes(void);

/* "TCP: ... mem N" of /proc/net/sockstat, in pages, or -1. */
int64_t sampler_tcp_mem_pages(void);

/* TcpExt ListenOverflows and ListenDrops of /proc/net/netstat, or -1. */
void sampler_listen_counters(int64_t *overflows, int64_t *drops);

/* The kernel's side of the machine, for benchmarks that hold many
 * connections (bench/c1m): memory by kind, TCP sockets, backlog drops.
 * Each field -1 when unknown. */
struct sampler_kernel {
    int64_t mem_total_kb, mem_free_kb, mem_available_kb;          /* /proc/meminfo */
    int64_t slab_kb, sreclaimable_kb, sunreclaim_kb, page_tables_kb;
    int64_t tcp_inuse, tcp_orphan, tcp_tw, tcp_alloc, tcp_mem_pages; /* /proc/net/sockstat */
    int64_t softnet_dropped;                                       /* /proc/net/softnet_stat, all CPUs */
    int64_t listen_overflows, listen_drops;                        /* /proc/net/netstat */
};

/* The names of struct sampler_kernel's fields in order, comma-separated
 * (the header of `procstat --kernel`). */
extern const char SAMPLER_KERNEL_FIELDS[];

void sampler_kernel_read(struct sampler_kernel *k);

/* Machine facts for the run's meta: "model name" of /proc/cpuinfo. */
void sampler_cpu_model(char *out, size_t len);

#endif
