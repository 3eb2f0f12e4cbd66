/* supervisord's XML-RPC interface, through the xmlrpc-c client library.
 * Every call writes a one-line reason into err and returns -1 on failure;
 * nothing here prints or exits. */
#ifndef SUITE_SUPERVISOR_H
#define SUITE_SUPERVISOR_H

#include <stddef.h>

struct sup;

struct sup_process {
    int pid;                    /* 0 when not running */
    int state;                  /* supervisor's state code, e.g. 20 RUNNING */
    char statename[32];
    int exitstatus;
    char spawnerr[256];
};

/* What the kit's wsstats extension (competition/wsstats) says of a running
 * program: its whole process group, on supervisord's machine. */
struct sup_stats {
    int pid;
    int processes;
    long long pss_bytes, rss_bytes;
    double cpu_seconds;         /* user + system of the live processes */
    char nofile_soft[32], nofile_hard[32];
};

#define SUP_STATE_RUNNING 20
/* Fault code of a start whose program dies during startsecs. */
#define SUP_FAULT_UNKNOWN_METHOD 1
#define SUP_FAULT_SPAWN_ERROR 50
#define SUP_FAULT_ABNORMAL_TERMINATION 40
#define SUP_FAULT_BAD_NAME 10
#define SUP_FAULT_NOT_RUNNING 70

/* user/password may be NULL. timeout_ms bounds every call. */
struct sup *sup_open(const char *url, const char *user, const char *password,
                     unsigned timeout_ms, char *err, size_t errlen);
void sup_close(struct sup *s);

/* The XML-RPC fault code of the last failed call, 0 for a transport error. */
int sup_last_fault(const struct sup *s);

/* supervisor.getState statename ("RUNNING"...) */
int sup_state(struct sup *s, char *state, size_t cap, char *err, size_t errlen);
int sup_version(struct sup *s, char *version, size_t cap, char *err, size_t errlen);
int sup_start(struct sup *s, const char *name, char *err, size_t errlen);
int sup_stop(struct sup *s, const char *name, char *err, size_t errlen);
int sup_info(struct sup *s, const char *name, struct sup_process *p, char *err, size_t errlen);
/* wsstats.getAPIVersion: whether the extension is there. */
int sup_wsstats_version(struct sup *s, char *version, size_t cap, char *err, size_t errlen);
/* wsstats.getGroupStats; a supervisord without the extension gets a message
 * that says how to add it. */
int sup_group_stats(struct sup *s, const char *name, struct sup_stats *st, char *err,
                    size_t errlen);
int sup_shutdown(struct sup *s, char *err, size_t errlen);

#endif
