#include "ws_args.h"

#include "ws_workers.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out, const char *name)
{
    fprintf(out,
            "usage: %s [options]\n"
            "  --host ADDR                listen address (default 0.0.0.0)\n"
            "  --port N                   listen port (default 8000)\n"
            "  --workers N                event loops, one process each (0 = one per CPU;\n"
            "                             default from WS_WORKERS when set)\n"
            "  --max-message BYTES        largest message echoed, k/m suffix allowed (default 16m)\n"
            "  --handshake-timeout-ms N   close handshakes not done by then (default 5000)\n"
            "  --max-header BYTES         cap on the upgrade request header block (default 8192)\n",
            name);
}

/* Parses a non-negative integer with an optional k/m suffix (binary units). */
static int parse_size(const char *s, long long max, long long *out)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v < 0)
        return -1;
    if (*end == 'k' || *end == 'K')
        v *= 1024, end++;
    else if (*end == 'm' || *end == 'M')
        v *= 1024 * 1024, end++;
    if (*end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* WS_WORKERS, when set, replaces the built-in default of --workers, so one
 * supervisord environment (server_env = WS_WORKERS=64) can size every -N
 * server. A -1 contestant is by definition one event loop: it accepts only
 * WS_WORKERS=1, and says so, rather than silently ignoring the request. */
static int env_workers(const char *name, int *workers)
{
    const char *s = getenv("WS_WORKERS");
    if (!s)
        return 0;
    long long v;
    if (parse_size(s, 256, &v) || strpbrk(s, "kKmM")) {
        fprintf(stderr, "%s: bad WS_WORKERS='%s': takes 0 to 256 (0 = one per CPU)\n", name, s);
        return -1;
    }
    if (*workers == 1 && v != 1) {
        fprintf(stderr, "%s: WS_WORKERS=%s, but this is a one-worker (-1) contestant: "
                "unset WS_WORKERS or set it to 1 (--workers N still forks N loops)\n", name, s);
        return -1;
    }
    *workers = (int)v;
    return 0;
}

int ws_args_parse(struct ws_args *a, const char *name, int default_workers,
                  int argc, char **argv)
{
    if (env_workers(name, &default_workers) < 0)
        return -1;
    *a = (struct ws_args){
        .name = name, .host = "0.0.0.0", .port = 8000,
        .workers = default_workers, .max_message = 16u << 20,
        .handshake_timeout_ms = 5000, .max_header = 8192,
    };
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'p'},
        {"workers", required_argument, NULL, 'w'},
        {"max-message", required_argument, NULL, 'm'},
        {"handshake-timeout-ms", required_argument, NULL, 't'},
        {"max-header", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, '?' + 256},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        long long v = 0;
        const char *bad = NULL;
        switch (c) {
        case 'h': a->host = optarg; break;
        case 'p':
            if (parse_size(optarg, 65535, &v) || v == 0) bad = "--port takes 1 to 65535";
            a->port = (int)v;
            break;
        case 'w':
            if (parse_size(optarg, 256, &v)) bad = "--workers takes 0 to 256";
            a->workers = (int)v;
            break;
        case 'm':
            if (parse_size(optarg, 1LL << 31, &v) || v == 0) bad = "--max-message takes 1 to 2g bytes";
            a->max_message = (size_t)v;
            break;
        case 't':
            if (parse_size(optarg, 3600000, &v) || v == 0) bad = "--handshake-timeout-ms takes 1 to 3600000";
            a->handshake_timeout_ms = (int)v;
            break;
        case 'H':
            if (parse_size(optarg, 1 << 20, &v) || v < 256) bad = "--max-header takes 256 to 1m bytes";
            a->max_header = (size_t)v;
            break;
        case '?' + 256:
            usage(stdout, name);
            return 1;
        default:
            fprintf(stderr, "%s: unknown or incomplete option '%s'\n", name, argv[optind - 1]);
            usage(stderr, name);
            return -1;
        }
        if (bad) {
            fprintf(stderr, "%s: bad value '%s': %s\n", name, optarg, bad);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", name, argv[optind]);
        usage(stderr, name);
        return -1;
    }
    if (a->workers == 0)
        a->workers = ws_workers_online();
    return 0;
}
