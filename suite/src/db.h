/* The suite's side of a run database: is it complete, remove it, and add
 * meta rows (the client owns the schema; see client/README.md). */
#ifndef SUITE_DB_H
#define SUITE_DB_H

#include "kv.h"

#include <stddef.h>

/* 1: the client wrote complete=1 and the runner a suite.status other than
 * interrupted or aborted; 0: missing or to run again; -1: error in err. */
int db_is_complete(const char *path, char *err, size_t errlen);

/* Removes the database and its -wal/-shm/-journal files. 0 or -1. */
int db_remove(const char *path, char *err, size_t errlen);

/* mkdir -p of the directory that will hold path (a database). 0 or -1. */
int db_make_parent(const char *path, char *err, size_t errlen);

/* mkdir -p. 0 or -1 (errno set). */
int db_mkdir_p(const char *dir);

/* INSERT OR REPLACE each row into meta(key, value), creating the file and
 * table when missing. 0 or -1. */
int db_meta_write(const char *path, const struct kv_list *rows, char *err, size_t errlen);

#endif
