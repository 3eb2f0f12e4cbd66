/* ./cat_stats [--csv] DB: the events of a run, one per line, in time order. */
#include <stdio.h>
#include <string.h>

#include "db.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: cat_stats DB          events, one readable line each\n"
               "       cat_stats --csv DB    timestamp,type,client_id,event_key,event_data\n");
}

/* RFC 4180 quoting, only where needed. */
static void csv_field(const unsigned char *s)
{
    if (!s)
        return;
    if (!strpbrk((const char *)s, ",\"\r\n")) {
        fputs((const char *)s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    bool csv = false;
    const char *path;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--csv") == 0) {
        csv = true;
        path = argv[2];
    } else if (argc == 2 && argv[1][0] != '-') {
        path = argv[1];
    } else {
        usage(stderr);
        return 2;
    }
    char err[512];
    sqlite3 *h = db_open_readonly(path, err, sizeof err);
    if (!h) {
        fprintf(stderr, "cat_stats: %s\n", err);
        return 1;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, "SELECT timestamp, type, client_id, event_key, event_data "
                              "FROM events ORDER BY timestamp, rowid", -1, &st, NULL)) {
        fprintf(stderr, "cat_stats: %s: %s\n", path, sqlite3_errmsg(h));
        sqlite3_close(h);
        return 1;
    }
    if (csv)
        puts("timestamp,type,client_id,event_key,event_data");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        long long t = sqlite3_column_int64(st, 0);
        const unsigned char *type = sqlite3_column_text(st, 1);
        long long client = sqlite3_column_int64(st, 2);
        bool has_key = sqlite3_column_type(st, 3) != SQLITE_NULL;
        long long key = sqlite3_column_int64(st, 3);
        const unsigned char *data = sqlite3_column_text(st, 4);
        if (csv) {
            printf("%lld,", t);
            csv_field(type);
            printf(",%lld,", client);
            if (has_key)
                printf("%lld", key);
            putchar(',');
            csv_field(data);
            putchar('\n');
        } else {
            printf("%12.6f  %-12s  client %-7lld", t / 1e6, type ? (const char *)type : "?", client);
            if (has_key)
                printf("  key %-6lld", key);
            else
                printf("  %-10s", "");
            if (data)
                printf("  %s", (const char *)data);
            putchar('\n');
        }
    }
    int status = 0;
    if (r != SQLITE_DONE) {
        fprintf(stderr, "cat_stats: %s: %s\n", path, sqlite3_errmsg(h));
        status = 1;
    }
    if (fflush(stdout) != 0) {
        perror("cat_stats: stdout");
        status = 1;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return status;
}
