/* Load driver for competition/bench: holds idle WebSocket connections, or
 * measures echo round trips (one message in flight per connection) over
 * WebSocket or raw TCP. One epoll loop, one process; the bench script runs
 * several for large idle counts.
 *
 *   bench_load idle --port P [--host H] [--conns N]
 *       prints "ready N failed F" once every connection is open or failed,
 *       then holds them until stdin closes; prints "dropped D" at exit.
 *   bench_load echo --port P [--host H] [--conns 100] [--size 20]
 *                   [--seconds 5] [--warmup-ms 500] [--raw]
 *       prints "messages M seconds S rate R errors E total T" (T counts
 *       the warm-up too).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ws_accept_key.h"
#include "ws_frame.h"

#define MAX_EVENTS 512
#define MAX_CONNECTING 256   /* connects in flight, so the backlog never overflows */
#define RESP_MAX 1024        /* cap on the server's 101 response */

enum { L_NEW, L_CONNECTING, L_HANDSHAKE, L_READY, L_DEAD };

struct lconn {
    int fd;
    uint8_t state;
    size_t have;             /* bytes in buf */
    uint8_t *buf;            /* response, then echo being received */
    uint8_t *msg;            /* the outgoing message, built once */
    char accept[WS_ACCEPT_LEN + 1];
};

struct opts {
    const char *mode, *host;
    int port, conns, size, warmup_ms;
    double seconds;
    bool raw;
};

struct load {
    struct opts o;
    struct lconn *c;
    int epfd;
    int connecting, ready, failed, dropped, errors;
    size_t msg_len, reply_len, buf_cap;
    uint8_t reply_hdr[WS_FRAME_MAX_HEADER]; /* header every echo must carry */
    size_t reply_hdr_len;    /* 0 with --raw */
    uint8_t *expect;         /* payload every echo must carry */
    unsigned long long counted, total; /* in the window / including warm-up */
    bool counting;
    struct sockaddr_in addr;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_load idle --port P [--host H] [--conns N]\n"
            "       bench_load echo --port P [--host H] [--conns N] [--size B]\n"
            "                       [--seconds S] [--warmup-ms MS] [--raw]\n");
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.host = "127.0.0.1", .conns = 100, .size = 20,
                       .seconds = 5, .warmup_ms = 500};
    if (argc < 2 || (strcmp(argv[1], "idle") && strcmp(argv[1], "echo"))) {
        usage();
        return -1;
    }
    o->mode = argv[1];
    static const struct option lo[] = {
        {"host", required_argument, NULL, 'h'}, {"port", required_argument, NULL, 'p'},
        {"conns", required_argument, NULL, 'c'}, {"size", required_argument, NULL, 's'},
        {"seconds", required_argument, NULL, 't'}, {"warmup-ms", required_argument, NULL, 'w'},
        {"raw", no_argument, NULL, 'r'}, {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 2;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case 'h': o->host = optarg; break;
        case 'p': bad = parse_int(optarg, 1, 65535, &o->port); break;
        case 'c': bad = parse_int(optarg, 1, 1000000, &o->conns); break;
        /* one write must always take a whole message: stay well under
         * the 16 KiB a fresh socket's send buffer holds (tcp_wmem) */
        case 's': bad = parse_int(optarg, 1, 8192, &o->size); break;
        case 'w': bad = parse_int(optarg, 0, 60000, &o->warmup_ms); break;
        case 't': {
            char *end;
            o->seconds = strtod(optarg, &end);
            bad = *end || !(o->seconds > 0 && o->seconds <= 3600);
            break;
        }
        case 'r': o->raw = true; break;
        default:
            fprintf(stderr, "bench_load: unknown or incomplete option '%s'\n", argv[optind - 1]);
            usage();
            return -1;
        }
        if (bad) {
            fprintf(stderr, "bench_load: bad value '%s' for %s\n", optarg, argv[optind - 2]);
            return -1;
        }
    }
    if (!o->port || optind < argc) {
        usage();
        return -1;
    }
    return 0;
}

static void kill_conn(struct load *l, struct lconn *c, bool error)
{
    if (c->state == L_CONNECTING)
        l->connecting--;
    if (c->state == L_READY)
        l->dropped++;
    else if (c->state != L_DEAD)
        l->failed++;
    if (error)
        l->errors++;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->state = L_DEAD;
}

static int ctl(struct load *l, int op, struct lconn *c, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};
    return epoll_ctl(l->epfd, op, c->fd, &ev);
}

static void start_connect(struct load *l, struct lconn *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        fprintf(stderr, "bench_load: socket: %s\n", strerror(errno));
        kill_conn(l, c, true);
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->state = L_CONNECTING;
    l->connecting++;
    if (connect(c->fd, (struct sockaddr *)&l->addr, sizeof l->addr) < 0 && errno != EINPROGRESS) {
        kill_conn(l, c, true);
        return;
    }
    if (ctl(l, EPOLL_CTL_ADD, c, EPOLLOUT) < 0)
        kill_conn(l, c, true);
}

/* Sends the upgrade request (or, raw, nothing) once connected. */
static void on_connected(struct load *l, struct lconn *c)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
        kill_conn(l, c, true);
        return;
    }
    l->connecting--;
    if (l->o.raw) {
        c->state = L_READY;
        l->ready++;
        ctl(l, EPOLL_CTL_MOD, c, EPOLLIN);
        return;
    }
    uint8_t raw[16];
    char key[25], req[512];
    if (getrandom(raw, sizeof raw, 0) != sizeof raw) {
        kill_conn(l, c, true);
        return;
    }
    EVP_EncodeBlock((unsigned char *)key, raw, sizeof raw); /* 24 characters and a NUL */
    ws_accept_key(key, 24, c->accept);
    int n = snprintf(req, sizeof req,
                     "GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n", l->o.host, l->o.port, key);
    /* a fresh socket's buffer always takes 200 bytes in one write */
    if (write(c->fd, req, (size_t)n) != n || ctl(l, EPOLL_CTL_MOD, c, EPOLLIN) < 0) {
        kill_conn(l, c, true);
        return;
    }
    c->state = L_HANDSHAKE;
}

/* Appends what the socket holds to c->buf, up to cap bytes in all; false
 * when nothing came or the connection is gone (then it is killed). */
static bool read_more(struct load *l, struct lconn *c, size_t cap)
{
    ssize_t r = read(c->fd, c->buf + c->have, cap - c->have);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return false;
    if (r <= 0) {
        kill_conn(l, c, true);
        return false;
    }
    c->have += (size_t)r;
    return true;
}

/* Reads the 101 response and checks its Sec-WebSocket-Accept. */
static void on_handshake(struct load *l, struct lconn *c)
{
    if (!read_more(l, c, RESP_MAX))
        return;
    char *resp = (char *)c->buf;
    char *end = memmem(resp, c->have, "\r\n\r\n", 4);
    if (!end) {
        if (c->have == RESP_MAX)
            kill_conn(l, c, true);
        return;
    }
    *end = 0;
    bool ok = strncmp(resp, "HTTP/1.1 101 ", 13) == 0, found = false;
    /* header names are case-insensitive; the accept value is exact */
    for (char *line = strstr(resp, "\r\n"); ok && line; line = strstr(line, "\r\n")) {
        line += 2;
        char *colon = strchr(line, ':'), *eol = strstr(line, "\r\n");
        size_t vlen = (eol ? (size_t)(eol - line) : strlen(line));
        if (!colon || (eol && colon > eol))
            continue;
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        vlen -= (size_t)(v - line);
        while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
            vlen--;
        if ((size_t)(colon - line) == 20 && strncasecmp(line, "Sec-WebSocket-Accept", 20) == 0)
            found = vlen == WS_ACCEPT_LEN && memcmp(v, c->accept, WS_ACCEPT_LEN) == 0;
    }
    if (!ok || !found) {
        fprintf(stderr, "bench_load: bad handshake response: %.200s\n", resp);
        kill_conn(l, c, true);
        return;
    }
    size_t extra = c->have - (size_t)(end + 4 - resp);
    if (extra) { /* nothing may follow the 101 before we send */
        kill_conn(l, c, true);
        return;
    }
    c->have = 0;
    c->state = L_READY;
    l->ready++;
}

static int send_msg(struct load *l, struct lconn *c)
{
    ssize_t w = write(c->fd, c->msg, l->msg_len);
    return w == (ssize_t)l->msg_len ? 0 : -1;
}

/* One echo arrived whole: check it byte for byte and send the next. */
static void on_echo(struct load *l, struct lconn *c)
{
    if (!read_more(l, c, l->buf_cap))
        return;
    if (c->have < l->reply_len)
        return;
    size_t hl = l->reply_hdr_len;
    if (c->have != l->reply_len || memcmp(c->buf, l->reply_hdr, hl) ||
        memcmp(c->buf + hl, l->expect, (size_t)l->o.size)) {
        fprintf(stderr, "bench_load: wrong echo (%zu bytes)\n", c->have);
        kill_conn(l, c, true);
        return;
    }
    c->have = 0;
    l->total++;
    if (l->counting)
        l->counted++;
    if (send_msg(l, c) < 0)
        kill_conn(l, c, true);
}

static void on_idle_input(struct load *l, struct lconn *c)
{
    uint8_t b[256];
    ssize_t r = read(c->fd, b, sizeof b);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    kill_conn(l, c, r > 0); /* an idle server sends nothing; EOF is a drop */
}

static void dispatch(struct load *l, struct epoll_event *ev)
{
    struct lconn *c = ev->data.ptr;
    if (c->state == L_DEAD)
        return;
    if (c->state == L_CONNECTING)
        on_connected(l, c);
    else if (c->state == L_HANDSHAKE)
        on_handshake(l, c);
    else if (!strcmp(l->o.mode, "echo"))
        on_echo(l, c);
    else
        on_idle_input(l, c);
}

/* Opens every connection, at most MAX_CONNECTING at a time. */
static int open_all(struct load *l, double deadline)
{
    struct epoll_event evs[MAX_EVENTS];
    int next = 0;
    while (l->ready + l->failed < l->o.conns) {
        while (next < l->o.conns && l->connecting < MAX_CONNECTING)
            start_connect(l, &l->c[next++]);
        if (now_s() > deadline) {
            fprintf(stderr, "bench_load: set-up timed out with %d of %d open\n",
                    l->ready, l->o.conns);
            return -1;
        }
        int n = epoll_wait(l->epfd, evs, MAX_EVENTS, 100);
        if (n < 0 && errno != EINTR) {
            perror("bench_load: epoll_wait");
            return -1;
        }
        for (int i = 0; i < n; i++)
            dispatch(l, &evs[i]);
    }
    return 0;
}

static int run_idle(struct load *l)
{
    printf("ready %d failed %d\n", l->ready, l->failed);
    fflush(stdout);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, evs[MAX_EVENTS];
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev) < 0) {
        perror("bench_load: stdin");
        return 1;
    }
    for (;;) {
        int n = epoll_wait(l->epfd, evs, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR) {
            perror("bench_load: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr) {
                dispatch(l, &evs[i]);
                continue;
            }
            char b[64];
            ssize_t r = read(STDIN_FILENO, b, sizeof b);
            if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
                printf("dropped %d\n", l->dropped);
                return 0;
            }
        }
    }
}

static int run_echo(struct load *l)
{
    if (l->failed) {
        fprintf(stderr, "bench_load: %d of %d connections failed to open\n",
                l->failed, l->o.conns);
        return 1;
    }
    for (int i = 0; i < l->o.conns; i++)
        if (send_msg(l, &l->c[i]) < 0)
            kill_conn(l, &l->c[i], true);
    struct epoll_event evs[MAX_EVENTS];
    double t0 = now_s(), start = t0 + l->o.warmup_ms / 1000.0, end = start + l->o.seconds;
    double t = t0;
    while (t < end && l->ready > l->dropped) {
        if (!l->counting && t >= start)
            l->counting = true;
        int n = epoll_wait(l->epfd, evs, MAX_EVENTS, 50);
        if (n < 0 && errno != EINTR) {
            perror("bench_load: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++)
            dispatch(l, &evs[i]);
        t = now_s();
    }
    double secs = t - start;
    printf("messages %llu seconds %.3f rate %.0f errors %d total %llu\n", l->counted, secs,
           secs > 0 ? (double)l->counted / secs : 0.0, l->errors, l->total);
    return l->errors ? 1 : 0;
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    struct load l = {.epfd = -1};
    int status = 2;
    if (parse_opts(argc, argv, &l.o) < 0)
        return 2;
    raise_nofile();
    l.addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)l.o.port)};
    if (inet_pton(AF_INET, l.o.host, &l.addr.sin_addr) != 1) {
        fprintf(stderr, "bench_load: '%s' is not an IPv4 address\n", l.o.host);
        return 2;
    }
    size_t size = (size_t)l.o.size;
    if (!l.o.raw)
        l.reply_hdr_len = ws_frame_write_header(l.reply_hdr, true, WS_OP_BINARY, size, NULL);
    l.msg_len = l.o.raw ? size : l.reply_hdr_len + 4 + size;
    l.reply_len = l.reply_hdr_len + size;
    l.buf_cap = l.reply_len > RESP_MAX ? l.reply_len : RESP_MAX;
    l.c = calloc((size_t)l.o.conns, sizeof *l.c);
    l.expect = malloc(size);
    bool echo = !strcmp(l.o.mode, "echo");
    if (!l.c || !l.expect || getrandom(l.expect, size, 0) != (ssize_t)size) {
        fprintf(stderr, "bench_load: out of memory\n");
        goto out;
    }
    for (int i = 0; i < l.o.conns; i++) {
        struct lconn *c = &l.c[i];
        c->fd = -1;
        c->buf = malloc(echo ? l.buf_cap : RESP_MAX);
        c->msg = echo ? malloc(l.msg_len) : NULL;
        if (!c->buf || (echo && !c->msg)) {
            fprintf(stderr, "bench_load: out of memory\n");
            goto out;
        }
        if (!echo)
            continue;
        if (l.o.raw) {
            memcpy(c->msg, l.expect, size);
            continue;
        }
        uint8_t mask[4];
        if (getrandom(mask, 4, 0) != 4)
            goto out;
        size_t mh = ws_frame_write_header(c->msg, true, WS_OP_BINARY, size, mask);
        memcpy(c->msg + mh, l.expect, size);
        ws_frame_mask(c->msg + mh, size, mask, 0);
    }
    if ((l.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        perror("bench_load: epoll_create1");
        goto out;
    }
    status = 1;
    if (open_all(&l, now_s() + 120) < 0)
        goto out;
    status = echo ? run_echo(&l) : run_idle(&l);
out:
    fflush(stdout);
    for (int i = 0; l.c && i < l.o.conns; i++) {
        if (l.c[i].fd >= 0)
            close(l.c[i].fd);
        free(l.c[i].buf);
        free(l.c[i].msg);
    }
    free(l.c);
    free(l.expect);
    if (l.epfd >= 0)
        close(l.epfd);
    return status;
}
