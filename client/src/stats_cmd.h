/* The server's memory and CPU read from a command's output, for a server
 * whose /proc is out of reach (on another machine): the command prints one
 * line "PSS_BYTES RSS_BYTES CPU_SECONDS" per reading, e.g.
 * suite/build/server_stats, which asks that machine's supervisord. */
#ifndef STATS_CMD_H
#define STATS_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct stats_reading {
    int64_t pss_bytes, rss_bytes;
    double cpu_seconds;
};

struct stats_cmd {
    const char *command;
    pid_t pid;
    int fd;
    int status;                 /* waitpid's, once stopped */
    char line[256];
    size_t len;
    bool ended;                 /* EOF or a bad line: no more readings */
    bool have;
    struct stats_reading last;
    uint64_t last_us;           /* monotonic time of the last reading */
};

/* Parses one line; 0, or -1 when it is not three non-negative numbers. */
int stats_cmd_parse(const char *line, struct stats_reading *r);

/* Runs `sh -c command` in a process group of its own and waits up to
 * timeout_ms for its first reading. Returns 0, or -1 with a message. */
int stats_cmd_start(struct stats_cmd *s, const char *command, int timeout_ms,
                    char *err, size_t errlen);

/* Takes every line the command has printed since the last call, without
 * blocking. Returns 1 and the newest reading when one came within max_age_us,
 * 0 otherwise (the command lags, ended or printed nonsense: said once on
 * stderr). */
int stats_cmd_latest(struct stats_cmd *s, uint64_t max_age_us, struct stats_reading *r);

/* Ends the command and reaps it; nothing for a zeroed, never started s. */
void stats_cmd_stop(struct stats_cmd *s);

#endif
