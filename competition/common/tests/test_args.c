/* ws_args: the defaults, WS_WORKERS as the default of --workers, and the
 * one-worker (-1) contestants refusing any WS_WORKERS but 1. */
#include "check.h"
#include "ws_args.h"
#include "ws_workers.h"

#include <stdlib.h>

static int parse(int default_workers, const char *env, struct ws_args *a,
                 int argc, char **argv)
{
    if (env)
        setenv("WS_WORKERS", env, 1);
    else
        unsetenv("WS_WORKERS");
    return ws_args_parse(a, "test", default_workers, argc, argv);
}

static void test_env(void)
{
    struct ws_args a;
    char *none[] = {"test", NULL};
    CHECK(parse(1, NULL, &a, 1, none) == 0 && a.workers == 1, "-1 default: got %d", a.workers);
    CHECK(parse(0, NULL, &a, 1, none) == 0 && a.workers == ws_workers_online(),
          "-N default: one per CPU, got %d", a.workers);
    CHECK(parse(0, "64", &a, 1, none) == 0 && a.workers == 64, "-N takes WS_WORKERS=64, got %d", a.workers);
    CHECK(parse(0, "0", &a, 1, none) == 0 && a.workers == ws_workers_online(),
          "WS_WORKERS=0 means one per CPU, got %d", a.workers);
    CHECK(parse(1, "1", &a, 1, none) == 0 && a.workers == 1, "-1 accepts WS_WORKERS=1");
    CHECK(parse(1, "64", &a, 1, none) == -1, "-1 refuses WS_WORKERS=64");
    CHECK(parse(1, "0", &a, 1, none) == -1, "-1 refuses WS_WORKERS=0");
    CHECK(parse(0, "257", &a, 1, none) == -1, "WS_WORKERS above 256 refused");
    CHECK(parse(0, "x", &a, 1, none) == -1, "WS_WORKERS not a number refused");
    CHECK(parse(0, "", &a, 1, none) == -1, "empty WS_WORKERS refused");
    CHECK(parse(0, "1k", &a, 1, none) == -1, "WS_WORKERS takes no size suffix");
    char *cli[] = {"test", "--workers", "3", NULL};
    CHECK(parse(0, "64", &a, 3, cli) == 0 && a.workers == 3, "--workers beats WS_WORKERS, got %d", a.workers);
    CHECK(parse(1, NULL, &a, 3, cli) == 0 && a.workers == 3, "-1 still forks on --workers, got %d", a.workers);
    unsetenv("WS_WORKERS");
}

static void test_options(void)
{
    struct ws_args a;
    char *ok[] = {"test", "--host", "127.0.0.1", "--port", "25001", "--max-message", "64k", NULL};
    CHECK(parse(1, NULL, &a, 7, ok) == 0, "good options parse");
    CHECK(strcmp(a.host, "127.0.0.1") == 0 && a.port == 25001 && a.max_message == 65536,
          "host %s port %d max %zu", a.host, a.port, a.max_message);
    char *badport[] = {"test", "--port", "0", NULL};
    CHECK(parse(1, NULL, &a, 3, badport) == -1, "port 0 refused");
}

int main(void)
{
    test_env();
    test_options();
    return check_done("test_args");
}
