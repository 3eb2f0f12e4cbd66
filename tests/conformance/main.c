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

static bool selected(const char *id, char **globs, int nglobs)
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

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--report") == 0) {
        argv[1] = "conformance --report";
        return report_main(argc - 1, argv + 1);
    }
    const char *host = "127.0.0.1", *name = "server", *known_path = NULL, *json_path = NULL;
    int port = -1, nglobs = 0;
    bool quiet = false, list = false;
    char *globs[MAX_GLOBS];
    char *glob_buf[MAX_GLOBS];
    int nglob_buf = 0;
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'h' }, { "port", required_argument, NULL, 'p' },
        { "name", required_argument, NULL, 'n' }, { "case", required_argument, NULL, 'c' },
        { "known", required_argument, NULL, 'k' }, { "json", required_argument, NULL, 'j' },
        { "quiet", no_argument, NULL, 'q' }, { "list", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'H' }, { 0, 0, 0, 0 } };
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'h': host = optarg; break;
        case 'p':
            port = parse_port(optarg);
            if (port < 0) {
                fprintf(stderr, "conformance: --port wants 1-65535, got \"%s\"\n", optarg);
                return 2;
            }
            break;
        case 'n': name = optarg; break;
        case 'c': {
            if (nglob_buf == MAX_GLOBS) {
                fprintf(stderr, "conformance: at most %d --case options\n", MAX_GLOBS);
                return 2;
            }
            char *copy = glob_buf[nglob_buf++] = util_xstrdup(optarg), *save = NULL;
            for (char *g = strtok_r(copy, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
                if (nglobs == MAX_GLOBS) {
                    fprintf(stderr, "conformance: at most %d case globs\n", MAX_GLOBS);
                    return 2;
                }
                globs[nglobs++] = g;
            }
            break;
        }
        case 'k': known_path = optarg; break;
        case 'j': json_path = optarg; break;
        case 'q': quiet = true; break;
        case 'l': list = true; break;
        case 'H': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "conformance: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    size_t ncases;
    const struct cf_case *const *all = cases_all(&ncases);
    if (list) {
        for (size_t i = 0; i < ncases; i++)
            if (selected(all[i]->id, globs, nglobs))
                printf("%-7s %s\n", all[i]->id, all[i]->desc);
        return 0;
    }
    if (port < 0) {
        fprintf(stderr, "conformance: --port is required\n");
        usage(stderr);
        return 2;
    }
    size_t nsel = 0;
    for (size_t i = 0; i < ncases; i++)
        nsel += selected(all[i]->id, globs, nglobs);
    if (nsel == 0) {
        fprintf(stderr, "conformance: no case matches the --case globs (see --list)\n");
        return 2;
    }
    struct known known = { 0 };
    char err[512];
    if (known_path && known_load(&known, known_path, err, sizeof err) < 0) {
        fprintf(stderr, "conformance: %s\n", err);
        return 2;
    }
    if (json_path) {
        /* Find out now, not after the run, that the results cannot be kept. */
        char *dir = util_xstrdup(json_path);
        char *slash = strrchr(dir, '/');
        const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
        if (access(d, W_OK) < 0) {
            fprintf(stderr, "conformance: --json %s: directory %s: %s\n", json_path, d, strerror(errno));
            free(dir);
            known_free(&known);
            return 2;
        }
        free(dir);
    }
    struct run_config cfg = { .host = host, .port = port };
    if (conn_resolve(host, port, &cfg.addr, err, sizeof err) < 0) {
        fprintf(stderr, "conformance: %s\n", err);
        return 2;
    }
    /* Writes to a server that reset the connection must fail, not kill us. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        fprintf(stderr, "conformance: cannot ignore SIGPIPE: %s\n", strerror(errno));
        return 2;
    }

    struct results rs = { .name = util_xstrdup(name), .host = util_xstrdup(host), .port = port,
                          .date = results_now(), .machine = results_machine(),
                          .command = util_join_argv(argc, argv) };
    size_t count[5] = { 0 };
    int64_t start = util_now_ms();
    for (size_t i = 0; i < ncases; i++) {
        const struct cf_case *c = all[i];
        if (!selected(c->id, globs, nglobs))
            continue;
        struct run r;
        run_init(&r, &cfg, (unsigned)i + 1, c->budget_ms ? c->budget_ms : CASES_BUDGET_MS);
        int64_t t0 = util_now_ms();
        c->fn(&r, c);
        run_finish(&r);
        char why[256];
        if (!server_alive(&cfg, why, sizeof why))
            run_fail(&r, "server unreachable after this case (%s); %s%s", why,
                     r.verdict == VERDICT_FAIL ? "" : "before that: ",
                     r.verdict == VERDICT_FAIL ? r.reason : (r.reason[0] ? r.reason : "pass"));
        int64_t ms = util_now_ms() - t0;
        const char *declared = known_reason(&known, c->id);
        enum status st = r.verdict == VERDICT_PASS ? STATUS_PASS
                       : r.verdict == VERDICT_NONSTRICT ? STATUS_NONSTRICT : STATUS_FAIL;
        if (declared && st == STATUS_FAIL)
            st = STATUS_KNOWN;
        else if (declared && st == STATUS_PASS)
            st = STATUS_FIXED;
        count[st]++;
        results_add(&rs, c->id, c->desc, st, r.reason, declared, ms);
        if (quiet && st == STATUS_PASS)
            continue;
        switch (st) {
        case STATUS_PASS:
            printf("%s pass\n", c->id);
            break;
        case STATUS_NONSTRICT:
            if (declared)
                printf("%s non-strict %s (declared known failure: %s)\n", c->id, r.reason, declared);
            else
                printf("%s non-strict %s\n", c->id, r.reason);
            break;
        case STATUS_FAIL:
            printf("%s fail %s\n", c->id, r.reason);
            break;
        case STATUS_KNOWN:
            printf("%s known failure (library): %s [observed: %s]\n", c->id, declared, r.reason);
            break;
        case STATUS_FIXED:
            printf("%s fixed: declared known failure passes (%s)\n", c->id, declared);
            break;
        }
        fflush(stdout);
    }
    rs.ms = util_now_ms() - start;
    printf("%s: %zu cases: %zu pass, %zu non-strict, %zu known failure, %zu fail, %zu fixed (%.1f s)\n",
           name, rs.n, count[STATUS_PASS] + count[STATUS_FIXED], count[STATUS_NONSTRICT],
           count[STATUS_KNOWN], count[STATUS_FAIL], count[STATUS_FIXED], (double)rs.ms / 1000);
    int rc = count[STATUS_FAIL] ? 1 : 0;
    if (json_path && results_write_json(&rs, json_path, err, sizeof err) < 0) {
        fprintf(stderr, "conformance: %s\n", err);
        rc = 2;
    }
    results_free(&rs);
    known_free(&known);
    for (int i = 0; i < nglob_buf; i++)
        free(glob_buf[i]);
    return rc;
}
