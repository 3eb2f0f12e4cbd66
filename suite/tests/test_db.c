/* Which databases a resumed run skips: only runs the client finished and
 * the runner recorded as ended, not cut short. */
#include "db.h"
#include "check.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/suite-test-db-XXXXXX";

/* A database whose meta holds complete (NULL: no row) and status (NULL: no row). */
static const char *make_db(const char *name, const char *complete, const char *status)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s.db", dir, name);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)", 0, 0, 0) != SQLITE_OK) {
        fprintf(stderr, "cannot create %s\n", path);
        exit(2);
    }
    char sql[256];
    if (complete) {
        snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES ('complete', '%s')", complete);
        sqlite3_exec(db, sql, 0, 0, 0);
    }
    if (status) {
        snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES ('suite.status', '%s')", status);
        sqlite3_exec(db, sql, 0, 0, 0);
    }
    sqlite3_close(db);
    return path;
}

static int complete(const char *path)
{
    char err[512] = "";
    int r = db_is_complete(path, err, sizeof(err));
    if (r < 0)
        fprintf(stderr, "%s\n", err);
    return r;
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    char missing[300];
    snprintf(missing, sizeof(missing), "%s/none.db", dir);
    CHECK(complete(missing) == 0, "no database: run it");
    CHECK(complete(make_db("ok", "1", "ok")) == 1, "finished and recorded ok: skip it");
    CHECK(complete(make_db("crashed", "1", "crashed")) == 1, "a crash is a result: skip it");
    CHECK(complete(make_db("interrupted", "1", "interrupted")) == 0,
          "SIGTERM: the client drained and wrote complete=1, but the run was cut short");
    CHECK(complete(make_db("aborted", "1", "aborted")) == 0, "aborted: run it again");
    CHECK(complete(make_db("norecord", "1", NULL)) == 0, "the runner died before its record");
    CHECK(complete(make_db("unfinished", "0", "ok")) == 0, "the client did not finish");
    CHECK(complete(make_db("nocomplete", NULL, "failed verification")) == 0,
          "failed verification: tried again");

    char path[300];
    snprintf(path, sizeof(path), "%s/nometa.db", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "CREATE TABLE other (x)", 0, 0, 0);
    sqlite3_close(db);
    CHECK(complete(path) == 0, "no meta table: a run that never got going");

    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("test_db");
}
