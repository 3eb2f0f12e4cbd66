/* conformance: runs the RFC 6455 cases against one running server. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "known.h"
#include "report.h"
#include "results.h"
#include "util.h"

#define MAX_GLOBS 32

static void usage(FILE *f)
{
    fputs("usage: conformance --host HOST --port PORT --name NAME [--case GLOB]...\n"
          "                   [--known FILE] [--json OUT] [--quiet]\n"
          "       conformance --list\n"
          "       conformance --report OUT.md RESULTS.json...\n"
          "Runs every case (a fresh connection each) against one running WebSocket\n"
          "echo server and prints one line per case: ID verdict reason.\n"
          "  --host HOST     server address (default 127.0.0.1)\n"
          "  --port PORT     server port (required)\n"
          "  --name NAME     contestant name, for the JSON and report (default \"server\")\n"
          "  --case GLOB     run only matching case IDs, e.g. '7.*' (repeatable, or comma-separated)\n"
          "  --known FILE    declared known failures, \"CASE_ID reason\" per line; a missing file is none\n"
          "  --json OUT      write the per-case results to OUT\n"
          "  --quiet         print only the cases that did not pass, and the summary\n"
          "  --list          print the case IDs and descriptions, and exit\n"
          "  --report ...    write the markdown report from --json files (as conformance-report)\n"
          "Exit status: 0 when every case passes, is non-strict, or is a declared known\n"
          "failure; 1 when a case fails; 2 on bad usage or input.\n", f);
}

static int parse_port(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 65535)
        return -1;
    return (int)v;
}

static bool selected(const char *id, char *const *globs, int nglobs)
{
    if (nglobs == 0)
        return true;
    for (int i = 0; i < nglobs; i++)
        if (fnmatch(globs[i], id, 0) == 0)
            return true;
    return false;
}

/* A crash shows as a TCP close, which protocol-error cases allow: so after
 * each case, check that the server still completes a handshake. The round
 * trip also lets a server's loop reach the case's last events first. */
static bool server_alive(const struct run_config *cfg, char *why, size_t cap)
{
    struct run p;
    run_init(&p, cfg, 0, 2 * RUN_IDLE_MS);
    bool ok = run_open(&p);
    if (ok) {
        /* Read the close reply so our close() ends in a FIN, not a reset
         * the server would count; its own TCP close is not waited for. */
        run_close_frame(&p, 1000, NULL, 0);
        run_send(&p, 0, 0);
        struct run_event ev;
        run_next_event(&p, &ev, RUN_IDLE_MS);
    }
    snprintf(why, cap, "%s", p.reason);
    run_finish(&p);
    return ok;
}

/* What the command line asked for. */
struct options {
    const char *host, *name, *known_path, *json_path;
    int port, nglobs, nglob_buf;
    bool quiet, list;
    char *globs[MAX_GLOBS];
    char *glob_buf[MAX_GLOBS];   /* the --case copies the globs point into */
};

/* --case GLOB[,GLOB...]: split into opt->globs. -1 when there are too many. */
static int add_globs(struct options *opt, const char *arg)
{
    if (opt->nglob_buf == MAX_GLOBS) {
        fprintf(stderr, "conformance: at most %d --case options\n", MAX_GLOBS);
        return -1;
    }
    char *copy = opt->glob_buf[opt->nglob_buf++] = util_xstrdup(arg), *save = NULL;
    for (char *g = strtok_r(copy, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
        if (opt->nglobs == MAX_GLOBS) {
            fprintf(stderr, "conformance: at most %d case globs\n", MAX_GLOBS);
            return -1;
        }
        opt->globs[opt->nglobs++] = g;
    }
    return 0;
}

/* Fills opt; returns -1 to go on, else the exit status (--help, bad usage). */
static int parse_options(int argc, char **argv, struct options *opt)
{
    *opt = (struct options){ .host = "127.0.0.1", .name = "server", .port = -1 };
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'h' }, { "port", required_argument, NULL, 'p' },
        { "name", required_argument, NULL, 'n' }, { "case", required_argument, NULL, 'c' },
        { "known", required_argument, NULL, 'k' }, { "json", required_argument, NULL, 'j' },
        { "quiet", no_argument, NULL, 'q' }, { "list", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'H' }, { 0, 0, 0, 0 } };
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'h': opt->host = optarg; break;
        case 'p':
            opt->port = parse_port(optarg);
            if (opt->port < 0) {
                fprintf(stderr, "conformance: --port wants 1-65535, got \"%s\"\n", optarg);
                return 2;
            }
            break;
        case 'n': opt->name = optarg; break;
        case 'c':
            if (add_globs(opt, optarg) < 0)
                return 2;
            break;
        case 'k': opt->known_path = optarg; break;
        case 'j': opt->json_path = optarg; break;
        case 'q': opt->quiet = true; break;
        case 'l': opt->list = true; break;
        case 'H': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "conformance: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return -1;
}

static void free_options(struct options *opt)
{
    for (int i = 0; i < opt->nglob_buf; i++)
        free(opt->glob_buf[i]);
}

/* Finds out now, not after the run, that the results cannot be kept. */
static int check_json_writable(const char *json_path)
{
    char *dir = util_xstrdup(json_path);
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
    int rc = 0;
    if (access(d, W_OK) < 0) {
        fprintf(stderr, "conformance: --json %s: directory %s: %s\n", json_path, d, strerror(errno));
        rc = -1;
    }
    free(dir);
    return rc;
}

/* Everything a run needs that can fail before the first case: a port, at
 * least one case selected, the known failures, a writable --json, the
 * server's address, SIGPIPE ignored. Returns 0, or the exit status 2. */
static int prepare_run(const struct options *opt, const struct cf_case *const *all, size_t ncases,
                       struct known *known, struct run_config *cfg)
{
    if (opt->port < 0) {
        fprintf(stderr, "conformance: --port is required\n");
        usage(stderr);
        return 2;
    }
    size_t nsel = 0;
    for (size_t i = 0; i < ncases; i++)
        nsel += selected(all[i]->id, opt->globs, opt->nglobs);
    if (nsel == 0) {
        fprintf(stderr, "conformance: no case matches the --case globs (see --list)\n");
        return 2;
    }
    char err[512];
    if (opt->known_path && known_load(known, opt->known_path, err, sizeof err) < 0) {
        fprintf(stderr, "conformance: %s\n", err);
        return 2;
    }
    if (opt->json_path && check_json_writable(opt->json_path) < 0)
        return 2;
    *cfg = (struct run_config){ .host = opt->host, .port = opt->port };
    if (conn_resolve(opt->host, opt->port, &cfg->addr, err, sizeof err) < 0) {
        fprintf(stderr, "conformance: %s\n", err);
        return 2;
    }
    /* Writes to a server that reset the connection must fail, not kill us. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        fprintf(stderr, "conformance: cannot ignore SIGPIPE: %s\n", strerror(errno));
        return 2;
    }
    return 0;
}

/* Runs case number i (a fresh connection), then the liveness handshake;
 * the case's verdict against the declared known failure becomes its status.
 * The reason is left in r->reason. */
static enum status run_case(const struct run_config *cfg, const struct cf_case *c, size_t i,
                            const char *declared, struct run *r, int64_t *ms)
{
    run_init(r, cfg, (unsigned)i + 1, c->budget_ms ? c->budget_ms : CASES_BUDGET_MS);
    int64_t t0 = util_now_ms();
    c->fn(r, c);
    run_finish(r);
    char why[256];
    if (!server_alive(cfg, why, sizeof why))
        run_fail(r, "server unreachable after this case (%s); %s%s", why,
                 r->verdict == VERDICT_FAIL ? "" : "before that: ",
                 r->verdict == VERDICT_FAIL ? r->reason : (r->reason[0] ? r->reason : "pass"));
    *ms = util_now_ms() - t0;
    enum status st = r->verdict == VERDICT_PASS ? STATUS_PASS
                   : r->verdict == VERDICT_NONSTRICT ? STATUS_NONSTRICT : STATUS_FAIL;
    if (declared && st == STATUS_FAIL)
        st = STATUS_KNOWN;
    else if (declared && st == STATUS_PASS)
        st = STATUS_FIXED;
    return st;
}

/* The case's line: ID verdict reason (README "Run"). */
static void print_case(const char *id, enum status st, const char *reason, const char *declared)
{
    switch (st) {
    case STATUS_PASS:
        printf("%s pass\n", id);
        break;
    case STATUS_NONSTRICT:
        if (declared)
            printf("%s non-strict %s (declared known failure: %s)\n", id, reason, declared);
        else
            printf("%s non-strict %s\n", id, reason);
        break;
    case STATUS_FAIL:
        printf("%s fail %s\n", id, reason);
        break;
    case STATUS_KNOWN:
        printf("%s known failure (library): %s [observed: %s]\n", id, declared, reason);
        break;
    case STATUS_FIXED:
        printf("%s fixed: declared known failure passes (%s)\n", id, declared);
        break;
    }
    fflush(stdout);
}

/* Every selected case in order, into rs and count (by status), printed as it ends. */
static void run_cases(const struct options *opt, const struct cf_case *const *all, size_t ncases,
                      const struct known *known, const struct run_config *cfg,
                      struct results *rs, size_t count[5])
{
    for (size_t i = 0; i < ncases; i++) {
        const struct cf_case *c = all[i];
        if (!selected(c->id, opt->globs, opt->nglobs))
            continue;
        const char *declared = known_reason(known, c->id);
        struct run r;
        int64_t ms;
        enum status st = run_case(cfg, c, i, declared, &r, &ms);
        count[st]++;
        results_add(rs, c->id, c->desc, st, r.reason, declared, ms);
        if (!(opt->quiet && st == STATUS_PASS))
            print_case(c->id, st, r.reason, declared);
    }
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--report") == 0) {
        argv[1] = "conformance --report";
        return report_main(argc - 1, argv + 1);
    }
    struct options opt;
    int rc = parse_options(argc, argv, &opt);
    if (rc >= 0) {
        free_options(&opt);
        return rc;
    }
    size_t ncases;
    const struct cf_case *const *all = cases_all(&ncases);
    if (opt.list) {
        for (size_t i = 0; i < ncases; i++)
            if (selected(all[i]->id, opt.globs, opt.nglobs))
                printf("%-7s %s\n", all[i]->id, all[i]->desc);
        free_options(&opt);
        return 0;
    }
    struct known known = { 0 };
    struct run_config cfg;
    rc = prepare_run(&opt, all, ncases, &known, &cfg);
    if (rc) {
        known_free(&known);
        free_options(&opt);
        return rc;
    }

    struct results rs = { .name = util_xstrdup(opt.name), .host = util_xstrdup(opt.host),
                          .port = opt.port, .date = results_now(), .machine = results_machine(),
                          .command = util_join_argv(argc, argv) };
    size_t count[5] = { 0 };
    int64_t start = util_now_ms();
    run_cases(&opt, all, ncases, &known, &cfg, &rs, count);
    rs.ms = util_now_ms() - start;
    printf("%s: %zu cases: %zu pass, %zu non-strict, %zu known failure, %zu fail, %zu fixed (%.1f s)\n",
           opt.name, rs.n, count[STATUS_PASS] + count[STATUS_FIXED], count[STATUS_NONSTRICT],
           count[STATUS_KNOWN], count[STATUS_FAIL], count[STATUS_FIXED], (double)rs.ms / 1000);
    rc = count[STATUS_FAIL] ? 1 : 0;
    char err[512];
    if (opt.json_path && results_write_json(&rs, opt.json_path, err, sizeof err) < 0) {
        fprintf(stderr, "conformance: %s\n", err);
        rc = 2;
    }
    results_free(&rs);
    known_free(&known);
    free_options(&opt);
    return rc;
}
