/* ./runsuite [--fresh] [--supervise] CONFIG.ini: the competition, server by
 * server and track by track, through supervisord. See suite/README.md. */
#include "child.h"
#include "command.h"
#include "config.h"
#include "environment.h"
#include "kv.h"
#include "locality.h"
#include "servers.h"
#include "suite.h"
#include "supervisor.h"
#include "track.h"

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_URL "http://127.0.0.1:9001/RPC2"
#define DEFAULT_CONF "competition/supervisord.conf"
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
    fprintf(f, "usage: ./runsuite [--fresh] [--supervise] [--dry-run] CONFIG.ini\n"
               "  --fresh      run every server again, even those whose database is complete\n"
               "  --supervise  start supervisord (competition/supervisord.conf) if nothing\n"
               "               answers at the default URL, and shut it down at the end\n"
               "  --dry-run    print every run (server, track, variant, repeat, database and\n"
               "               the exact load command) in order; start and write nothing\n"
               "Keys of CONFIG.ini: see suite/README.md.\n");
}

struct args {
    bool fresh, supervise, dry_run;
    const char *config;
    char command[4096];         /* as run, for the record */
};

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--fresh"))
            a->fresh = true;
        else if (!strcmp(argv[i], "--supervise"))
            a->supervise = true;
        else if (!strcmp(argv[i], "--dry-run"))
            a->dry_run = true;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' || a->config) {
            fprintf(stderr, "runsuite: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else
            a->config = argv[i];
    }
    if (!a->config) {
        usage(stderr);
        return 2;
    }
    char *rec[8] = { "./runsuite" };
    int n = 1;
    if (a->fresh)
        rec[n++] = "--fresh";
    if (a->supervise)
        rec[n++] = "--supervise";
    rec[n++] = (char *)a->config;
    rec[n] = NULL;
    child_format(rec, a->command, sizeof(a->command));
    return -1;
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

/* Reads the config (relative paths in it are relative to the kit root, so
 * the runner works from there). Nothing is created yet: each database's
 * folder is made when its run starts, the report's by the report. Returns
 * 0 or -1 (message printed). */
static int load_config(const char *arg, struct suite_config *cfg, char *path, char **text)
{
    char root[PATH_MAX], err[1024];
    if (!realpath(arg, path)) {
        fprintf(stderr, "runsuite: %s: %s\n", arg, strerror(errno));
        return -1;
    }
    if (kit_root(root, sizeof(root)) < 0 || chdir(root) < 0) {
        fprintf(stderr, "runsuite: cannot find the kit root from /proc/self/exe\n");
        return -1;
    }
    if (config_load(path, cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "runsuite: %s\n", err);
        return -1;
    }
    if (!(*text = read_file(path))) {
        fprintf(stderr, "runsuite: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Every built tool the runs need, before the first server. */
static int check_tools(const struct suite_config *cfg)
{
    bool tsung = cfg->engine == ENGINE_TSUNG;
    const char *tools[] = { command_load_tool(cfg), TOOL_VERIFY, TOOL_REPORT,
                            tsung ? TOOL_TSUNG_CONFIG : NULL, tsung ? TOOL_TSUNG_IMPORT : NULL };
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
        if (!tools[i] || access(tools[i], X_OK) == 0)
            continue;
        if (!strcmp(tools[i], TOOL_RUNTEST_TSUNG))
            fprintf(stderr, "runsuite: engine = tsung, but %s is missing or not executable: "
                    "build the Tsung engine (client/tsung/) or set engine = kit\n", tools[i]);
        else
            fprintf(stderr, "runsuite: %s is missing: run `make` at the kit root first\n",
                    tools[i]);
        return -1;
    }
    return 0;
}

static int install_signals(void)
{
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) {
        fprintf(stderr, "runsuite: sigaction: %s\n", strerror(errno));
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    return 0;
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

/* supervisord -c supervisord_conf, with server_env in its environment
 * (its programs inherit it). 0 or -1 (message printed). */
static int start_supervisord(const struct suite_config *cfg, struct sup *sup)
{
    printf("runsuite: starting supervisord -c %s%s%s\n", cfg->supervisord_conf,
           cfg->server_env[0] ? " with " : "", cfg->server_env);
    /* The checkout's wsstats, even where ./install copied an older one. */
    char pythonpath[PATH_MAX + 64], cwd[PATH_MAX];
    const char *prev = getenv("PYTHONPATH");
    snprintf(pythonpath, sizeof(pythonpath), "%s/competition/wsstats%s%s",
             getcwd(cwd, sizeof(cwd)) ? cwd : ".", prev && *prev ? ":" : "",
             prev && *prev ? prev : "");
    setenv("PYTHONPATH", pythonpath, 1);
    char *argv[] = { "supervisord", "-c", (char *)cfg->supervisord_conf, NULL };
    struct child_opts o = { .timeout_ms = SUPERVISORD_START_MS,
                            .env_keys = (const char (*)[64])cfg->server_env_keys,
                            .env_values = (const char (*)[256])cfg->server_env_values,
                            .n_env = cfg->n_server_env };
    struct child_result r;
    char err[512];
    if (child_run(argv, &o, &r, err, sizeof(err)) < 0 || !r.exited || r.code != 0) {
        fprintf(stderr, "runsuite: supervisord -c %s did not start (see its logfile)\n",
                cfg->supervisord_conf);
        return -1;
    }
    if (wait_supervisord(sup, true, SUPERVISORD_START_MS) < 0) {
        fprintf(stderr, "runsuite: supervisord started but does not answer at %s\n",
                cfg->supervisord);
        return -1;
    }
    return 0;
}

/* An answering supervisord, started here with --supervise when nothing
 * answers at the URL: the kit's default URL, or a supervisord_conf the
 * config names (which must listen there). NULL on failure (message printed). */
static struct sup *connect_supervisord(const struct suite_config *cfg, bool supervise,
                                       bool *started)
{
    char err[1024], state[64];
    const char *user = getenv("SUPERVISOR_USERNAME"), *password = getenv("SUPERVISOR_PASSWORD");
    struct sup *sup = sup_open(cfg->supervisord, user, password, RPC_TIMEOUT_MS, err, sizeof(err));
    if (!sup) {
        fprintf(stderr, "runsuite: %s\n", err);
        return NULL;
    }
    if (sup_state(sup, state, sizeof(state), err, sizeof(err)) == 0) {
        if (cfg->server_env[0])
            fprintf(stderr, "warning: server_env (%s) does not apply: supervisord was already "
                    "running at %s (its programs keep its environment); stop it and let "
                    "--supervise start it\n", cfg->server_env, cfg->supervisord);
        return sup;
    }
    bool own_conf = strcmp(cfg->supervisord_conf, DEFAULT_CONF) != 0;
    if (!supervise || (strcmp(cfg->supervisord, DEFAULT_URL) && !own_conf)) {
        fprintf(stderr, "runsuite: nothing answers at %s (%s); start it with "
                "`supervisord -c %s`%s\n", cfg->supervisord, err, cfg->supervisord_conf,
                supervise ? "" : " or pass --supervise");
        sup_close(sup);
        return NULL;
    }
    *started = start_supervisord(cfg, sup) == 0;
    if (!*started) {
        sup_close(sup);
        return NULL;
    }
    return sup;
}

/* Whether the servers are sampled from our /proc or through wsstats.
 * 0 or -1 (message printed). */
static int choose_stats_source(struct suite_config *cfg, struct sup *sup, struct kv_list *env)
{
    char err[1024];
    bool here = url_is_this_machine(cfg->supervisord);
    if (cfg->server_stats == STATS_AUTO)
        cfg->server_stats = here ? STATS_PROC : STATS_SUPERVISORD;
    else if (cfg->server_stats == STATS_PROC && !here)
        fprintf(stderr, "warning: server_stats = proc, but %s is not this machine: its pids "
                "mean nothing here (server_stats = supervisord reads them there)\n",
                cfg->supervisord);
    if (cfg->server_stats == STATS_SUPERVISORD) {
        char v[32];
        if (sup_wsstats_version(sup, v, sizeof(v), err, sizeof(err)) < 0) {
            fprintf(stderr, "runsuite: the server's memory and CPU are to come from %s: %s\n",
                    cfg->supervisord, err);
            return -1;
        }
        kv_set(env, "env.wsstats", v);
        if (cfg->pin_server) {
            fprintf(stderr, "warning: pin: server_cpus ignored, the servers run on another "
                    "machine (pin them there with taskset in their ini)\n");
            cfg->pin_server = false;
        }
    }
    printf("runsuite: the server's memory and CPU come from %s\n",
           cfg->server_stats == STATS_PROC ? "/proc (it runs on this machine)"
                                           : "its supervisord's wsstats extension");
    return 0;
}

static void print_plan(const struct suite_config *cfg, const struct server *s, int n)
{
    printf("runsuite: tracks");
    for (int i = 0; i < cfg->n_tracks; i++)
        printf("%s %s", i ? "," : "", config_track_name(cfg->tracks[i]));
    printf("; servers");
    for (int i = 0; i < n; i++)
        printf("%s %s%s", i ? "," : "", s[i].name, s[i].kind == KIND_REFERENCE ? " (reference)" : "");
    printf("\n");
    for (int i = 0; i < n; i++)
        if (s[i].unavailable[0])
            printf("runsuite: %s is not available: %s\n", s[i].name, s[i].unavailable);
}

/* The report from every database; 0, or 1 when it failed. */
static int write_report(const struct suite_config *cfg)
{
    char *argv[] = { TOOL_REPORT, (char *)cfg->db_root, (char *)cfg->results, NULL };
    struct child_opts o = { .timeout_ms = REPORT_TIMEOUT_MS, .stop = &stop_flag };
    struct child_result r;
    char err[512];
    printf("runsuite: writing the report into %s\n", cfg->results);
    if (child_run(argv, &o, &r, err, sizeof(err)) < 0 || !r.exited || r.code != 0) {
        fprintf(stderr, "runsuite: the report failed; run ./report %s %s to see why\n",
                cfg->db_root, cfg->results);
        return 1;
    }
    return 0;
}

/* The whole run, from the preflight to supervisord's shutdown: the exit
 * status. */
static int run_competition(const struct args *a, struct suite_config *cfg,
                           const char *config_text, const struct server *servers, int n_servers)
{
    struct kv_list env = { 0 };
    if (env_collect(&env) < 0) {
        fprintf(stderr, "runsuite: out of memory\n");
        return 2;
    }
    printf("runsuite: %s, %s cores, %s; up to %ld connections on %s:%d, engine %s\n",
           kv_get(&env, "env.cpu_model"), kv_get(&env, "env.cores"), kv_get(&env, "env.kernel"),
           track_max_connections(cfg), cfg->host, cfg->port,
           cfg->engine == ENGINE_TSUNG ? "tsung" : "kit");
    print_plan(cfg, servers, n_servers);
    env_check(&env, cfg);

    int rc = 2;
    bool started = false;
    char err[1024], version[64];
    struct sup *sup = connect_supervisord(cfg, a->supervise, &started);
    if (!sup)
        goto out;
    if (sup_version(sup, version, sizeof(version), err, sizeof(err)) == 0)
        kv_set(&env, "env.supervisord", version);
    if (choose_stats_source(cfg, sup, &env) < 0)
        goto out;

    struct suite_opts o = { .fresh = a->fresh, .command = a->command, .config_path = a->config,
                            .config_text = config_text, .server_env_applied = started,
                            .stop = &stop_flag };
    enum suite_result res = suite_run(cfg, sup, servers, n_servers, &o, &env);
    rc = (int)res;
    if (res == SUITE_DONE)
        rc = write_report(cfg);
    else if (res == SUITE_INTERRUPTED)
        fprintf(stderr, "runsuite: interrupted; the databases in %s are kept, run again to "
                "resume\n", cfg->db_root);
out:
    if (started) {
        if (sup_shutdown(sup, err, sizeof(err)) < 0 || wait_supervisord(sup, false, 30000) < 0)
            fprintf(stderr, "runsuite: supervisord shutdown: %s\n", err);
        else
            printf("runsuite: supervisord shut down\n");
    }
    if (sup)
        sup_close(sup);
    kv_free(&env);
    return rc;
}

/* --dry-run: every run's command; nothing started, nothing written. */
static int dry_run(const struct suite_config *cfg, const struct server *servers, int n_servers)
{
    bool remote = cfg->server_stats == STATS_SUPERVISORD ||
                  (cfg->server_stats == STATS_AUTO && !url_is_this_machine(cfg->supervisord));
    return suite_print(cfg, servers, n_servers, remote) < 0 ? 2 : 0;
}

/* The config, the tools and the servers it names: 0, or the exit status
 * (message printed). */
static int prepare(const struct args *a, struct suite_config *cfg, char *config_path,
                   char **config_text, struct server *servers, int *n_servers)
{
    if (load_config(a->config, cfg, config_path, config_text) < 0 ||
        (!a->dry_run && (check_tools(cfg) < 0 || install_signals() < 0)))
        return 2;
    char err[1024];
    *n_servers = servers_plan(cfg, servers, CONFIG_MAX_SERVERS, err, sizeof(err));
    if (*n_servers <= 0) {
        fprintf(stderr, "runsuite: %s\n", *n_servers < 0 ? err : "no servers: "
                "competition/contestants found none and the config names none (servers = a, b)");
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* Line by line, so our lines and the children's interleave in order
     * when the output goes to a file. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    static struct args a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    static struct suite_config cfg;
    static struct server servers[CONFIG_MAX_SERVERS];
    char config_path[PATH_MAX];
    char *config_text = NULL;
    int n_servers = 0;
    rc = prepare(&a, &cfg, config_path, &config_text, servers, &n_servers);
    if (rc == 0)
        rc = a.dry_run ? dry_run(&cfg, servers, n_servers)
                       : run_competition(&a, &cfg, config_text, servers, n_servers);
    free(config_text);
    return rc;
}
