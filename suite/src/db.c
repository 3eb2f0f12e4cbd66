#include "db.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The client may still be checkpointing when we open the file. */
#define BUSY_TIMEOUT_MS 10000

int db_is_complete(const char *path, char *err, size_t errlen)
{
    if (access(path, F_OK) != 0)
        return 0;
    sqlite3 *db = NULL;
    int result = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
        goto done;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    sqlite3_stmt *st = NULL;
    /* The client finished it (complete = 1) and the runner recorded how
     * it ended, not as cut short: a run SIGTERM ended still drains and
     * writes complete = 1, and a runner killed before its record leaves no
     * status; both run again. */
    if (sqlite3_prepare_v2(db, "SELECT (SELECT value FROM meta WHERE key = 'complete') = '1' AND "
                           "coalesce((SELECT value FROM meta WHERE key = 'suite.status'), '') "
                           "NOT IN ('', 'interrupted', 'aborted')", -1, &st,
                           NULL) != SQLITE_OK) {
        /* No meta table: a run that never got going. */
        result = 0;
        goto done;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        result = sqlite3_column_int(st, 0) == 1;
    } else if (rc == SQLITE_DONE) {
        result = 0;
    } else {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
done:
    sqlite3_close(db);
    return result;
}

int db_remove(const char *path, char *err, size_t errlen)
{
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        char p[4200];
        snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
        if (unlink(p) < 0 && errno != ENOENT) {
            snprintf(err, errlen, "cannot remove %s: %s", p, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int db_mkdir_p(const char *dir)
{
    char buf[4200];
    if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int db_make_parent(const char *path, char *err, size_t errlen)
{
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = 0;
    if (db_mkdir_p(dir) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int db_meta_write(const char *path, const struct kv_list *rows, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int result = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
                         "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", -1,
                           &st, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < rows->len; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, rows->items[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rows->items[i].value, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    result = 0;
    goto done;
fail:
    snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return result;
}
