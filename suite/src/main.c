/* ./runsuite [--fresh] [--supervise] CONFIG.ini: the competition, server by
 * server, through supervisord. See suite/README.md. */
#include "child.h"
#include "config.h"
#include "environment.h"
#include "kv.h"
#include "locality.h"
#include "suite.h"
#include "supervisor.h"

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_URL "http://127.0.0.1:9001/RPC2"
#define RPC_TIMEOUT_MS 120000   /* stopProcess waits for stopwaitsecs */
#define SUPERVISORD_START_MS 15000
#define REPORT_TIMEOUT_MS 600000

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: ./runsuite [--fresh] [--supervise] CONFIG.ini\n"
               "  --fresh      run every server again, even those whose database is complete\n"
               "  --supervise  start supervisord (competition/supervisord.conf) if nothing\n"
               "               answers at the default URL, and shut it down at the end\n"
               "Keys of CONFIG.ini: see suite/README.md.\n");
}

/* The kit root is three levels above this binary (suite/build/runsuite). */
static int kit_root(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0)
        return -1;
    exe[n] = 0;
    char *d = dirname(dirname(dirname(exe)));
    if (strlen(d) >= cap)
        return -1;
    strcpy(out, d);
    return 0;
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        return -1;
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

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += r;
        if (cap - len <= 1) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = 0;
    return buf;
}

/* Every contestant competition/contestants prints. */
static int list_contestants(char names[][CONFIG_NAME_MAX], int max)
{
    char out[8192], err[256];
    char *argv[] = { "competition/contestants", NULL };
    struct child_opts o = { .timeout_ms = 10000, .capture = out, .capture_cap = sizeof(out) };
    struct child_result r;
    if (child_run(argv, &o, &r, err, sizeof(err)) < 0 || !r.exited || r.code != 0) {
        fprintf(stderr, "runsuite: competition/contestants failed: %s\n", r.exited ? out : err);
        return -1;
    }
    int n = 0;
    for (char *save = NULL, *t = strtok_r(out, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
        if (n == max || strlen(t) >= CONFIG_NAME_MAX) {
            fprintf(stderr, "runsuite: too many contestants or name too long: %s\n", t);
            return -1;
        }
        strcpy(names[n++], t);
    }
    return n;
}

static int wait_supervisord(struct sup *sup, bool up, long timeout_ms)
{
    char state[64], err[512];
    for (long waited = 0; waited < timeout_ms; waited += 200) {
        bool answers = sup_state(sup, state, sizeof(state), err, sizeof(err)) == 0 &&
                       !strcmp(state, "RUNNING");
        if (answers == up)
            return 0;
        struct timespec ts = { 0, 200 * 1000000L };
        nanosleep(&ts, NULL);
    }
    return -1;
}

int main(int argc, char **argv)
{
    /* Line by line, so our lines and the children's interleave in order
     * when the output goes to a file. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    bool fresh = false, supervise = false;
    const char *config_arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--fresh"))
            fresh = true;
        else if (!strcmp(argv[i], "--supervise"))
            supervise = true;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' || config_arg) {
            fprintf(stderr, "runsuite: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else
            config_arg = argv[i];
    }
    if (!config_arg) {
        usage(stderr);
        return 2;
    }

    char config_path[PATH_MAX], root[PATH_MAX], err[1024];
    if (!realpath(config_arg, config_path)) {
        fprintf(stderr, "runsuite: %s: %s\n", config_arg, strerror(errno));
        return 2;
    }
    if (kit_root(root, sizeof(root)) < 0 || chdir(root) < 0) {
        fprintf(stderr, "runsuite: cannot find the kit root from /proc/self/exe\n");
        return 2;
    }
    struct suite_config cfg;
    if (config_load(config_path, &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "runsuite: %s\n", err);
        return 2;
    }
    char *config_text = read_file(config_path);
    if (!config_text) {
        fprintf(stderr, "runsuite: %s: %s\n", config_path, strerror(errno));
        return 2;
    }
    /* Relative paths in the config are relative to the kit root. */
    if (mkdir_p(cfg.db_root) < 0 || mkdir_p(cfg.results) < 0) {
        fprintf(stderr, "runsuite: cannot create %s or %s: %s\n", cfg.db_root, cfg.results,
                strerror(errno));
        return 2;
    }
    char command[4096];
    {
        char *rec[8] = { "./runsuite" };
        int n = 1;
        if (fresh)
            rec[n++] = "--fresh";
        if (supervise)
            rec[n++] = "--supervise";
        rec[n++] = (char *)config_arg;
        rec[n] = NULL;
        child_format(rec, command, sizeof(command));
    }

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) {
        fprintf(stderr, "runsuite: sigaction: %s\n", strerror(errno));
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    struct kv_list env = { 0 };
    if (env_collect(&env) < 0) {
        fprintf(stderr, "runsuite: out of memory\n");
        return 2;
    }
    printf("runsuite: %s, %s cores, %s; %ld clients for %ld s on %s:%d\n",
           kv_get(&env, "env.cpu_model"), kv_get(&env, "env.cores"), kv_get(&env, "env.kernel"),
           cfg.clients, cfg.seconds, cfg.host, cfg.port);
    env_check(&env, &cfg);

    const char *user = getenv("SUPERVISOR_USERNAME"), *password = getenv("SUPERVISOR_PASSWORD");
    struct sup *sup = sup_open(cfg.supervisord, user, password, RPC_TIMEOUT_MS, err, sizeof(err));
    if (!sup) {
        fprintf(stderr, "runsuite: %s\n", err);
        return 2;
    }
    int rc = 2;
    bool started_supervisord = false;
    char state[64];
    if (sup_state(sup, state, sizeof(state), err, sizeof(err)) < 0) {
        if (!supervise || strcmp(cfg.supervisord, DEFAULT_URL)) {
            fprintf(stderr, "runsuite: nothing answers at %s (%s); start it with "
                    "`supervisord -c competition/supervisord.conf`%s\n", cfg.supervisord, err,
                    supervise ? "" : " or pass --supervise");
            goto out;
        }
        printf("runsuite: starting supervisord -c competition/supervisord.conf\n");
        /* The checkout's wsstats, even where ./install copied an older one. */
        char pythonpath[PATH_MAX + 64];
        const char *prev = getenv("PYTHONPATH");
        snprintf(pythonpath, sizeof(pythonpath), "%s/competition/wsstats%s%s", root,
                 prev && *prev ? ":" : "", prev && *prev ? prev : "");
        setenv("PYTHONPATH", pythonpath, 1);
        char *sargv[] = { "supervisord", "-c", "competition/supervisord.conf", NULL };
        struct child_opts so = { .timeout_ms = SUPERVISORD_START_MS };
        struct child_result sr;
        if (child_run(sargv, &so, &sr, err, sizeof(err)) < 0 || !sr.exited || sr.code != 0) {
            fprintf(stderr, "runsuite: supervisord did not start (see competition/logs/)\n");
            goto out;
        }
        started_supervisord = true;
        if (wait_supervisord(sup, true, SUPERVISORD_START_MS) < 0) {
            fprintf(stderr, "runsuite: supervisord started but does not answer at %s\n",
                    cfg.supervisord);
            goto out;
        }
    }
    char version[64];
    if (sup_version(sup, version, sizeof(version), err, sizeof(err)) == 0)
        kv_set(&env, "env.supervisord", version);

    bool here = url_is_this_machine(cfg.supervisord);
    if (cfg.server_stats == STATS_AUTO)
        cfg.server_stats = here ? STATS_PROC : STATS_SUPERVISORD;
    else if (cfg.server_stats == STATS_PROC && !here)
        fprintf(stderr, "warning: server_stats = proc, but %s is not this machine: its pids "
                "mean nothing here (server_stats = supervisord reads them there)\n",
                cfg.supervisord);
    if (cfg.server_stats == STATS_SUPERVISORD) {
        char v[32];
        if (sup_wsstats_version(sup, v, sizeof(v), err, sizeof(err)) < 0) {
            fprintf(stderr, "runsuite: the server's memory and CPU are to come from %s: %s\n",
                    cfg.supervisord, err);
            goto out;
        }
        kv_set(&env, "env.wsstats", v);
        if (cfg.pin_server) {
            fprintf(stderr, "warning: pin: server_cpus ignored, the servers run on another "
                    "machine (pin them there with taskset in their ini)\n");
            cfg.pin_server = false;
        }
    }
    printf("runsuite: the server's memory and CPU come from %s\n",
           cfg.server_stats == STATS_PROC ? "/proc (it runs on this machine)"
                                          : "its supervisord's wsstats extension");

    static char names[CONFIG_MAX_SERVERS][CONFIG_NAME_MAX];
    int n_names = cfg.n_servers;
    if (n_names)
        memcpy(names, cfg.servers, sizeof(cfg.servers));
    else if ((n_names = list_contestants(names, CONFIG_MAX_SERVERS)) < 0)
        goto out;
    if (n_names == 0) {
        fprintf(stderr, "runsuite: no servers: competition/contestants found none and the "
                "config names none (servers = a, b)\n");
        goto out;
    }

    struct suite_opts o = { .fresh = fresh, .command = command, .config_path = config_arg,
                            .config_text = config_text, .stop = &stop_flag };
    enum suite_result res = suite_run(&cfg, sup, names, n_names, &o, &env);
    rc = (int)res;
    if (res == SUITE_DONE) {
        char *rargv[] = { "suite/build/report", cfg.db_root, cfg.results, NULL };
        struct child_opts ro = { .timeout_ms = REPORT_TIMEOUT_MS, .stop = &stop_flag };
        struct child_result rr;
        printf("runsuite: writing the report into %s\n", cfg.results);
        if (child_run(rargv, &ro, &rr, err, sizeof(err)) < 0 || !rr.exited || rr.code != 0) {
            fprintf(stderr, "runsuite: the report failed; run ./report %s %s to see why\n",
                    cfg.db_root, cfg.results);
            rc = 1;
        }
    } else if (res == SUITE_INTERRUPTED) {
        fprintf(stderr, "runsuite: interrupted; the databases in %s are kept, run again to "
                "resume\n", cfg.db_root);
    }
out:
    if (started_supervisord) {
        if (sup_shutdown(sup, err, sizeof(err)) < 0 || wait_supervisord(sup, false, 30000) < 0)
            fprintf(stderr, "runsuite: supervisord shutdown: %s\n", err);
        else
            printf("runsuite: supervisord shut down\n");
    }
    sup_close(sup);
    kv_free(&env);
    free(config_text);
    return rc;
}
