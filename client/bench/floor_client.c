/* floor_client: the smallest honest c10k client, to measure the kit's
 * client against. It shares no code with the kit (client/src): its own
 * framing, its own loop, its own percentiles, so that a cost or a bug of
 * the kit's client cannot hide in both.
 *
 * The workload is the kit's c10k one: client i connects at t0 + i * ARRIVAL
 * us; once open it sends message 0 at once and message k at open + k *
 * INTERVAL, each carrying (client, seq, send time); latency is measured
 * from the scheduled send (open + k * INTERVAL) and from the actual one.
 * Messages stop SECONDS after t0; echoes are awaited for 2 s more.
 *
 * One thread, one epoll set, one timerfd for the next send (armed on an
 * absolute CLOCK_MONOTONIC time, so sends are not rounded to epoll's ms).
 * All connections share one interval, so the queue of pending sends is a
 * FIFO already in due order: a connection sent now is next due INTERVAL
 * later, after every one queued before it.
 *
 * usage: floor_client HOST PORT CLIENTS SECONDS [--tcp] [--arrival-us N]
 *                     [--interval-ms N] [--size N]
 * prints one JSON line: counts and latency percentiles (nearest rank). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define HEAD 16           /* client u32, seq u32, sent us u64 (little-endian) */
#define MAX_SIZE 1024
#define DRAIN_US 2000000
#define IN_CAP (4 + MAX_SIZE + 1024)

enum state { IDLE, CONNECTING, UPGRADING, OPEN, DONE };

struct conn {
    int fd;
    uint8_t state;
    uint32_t id, next_seq, recv_seq;
    uint64_t open_us;
    uint32_t in_len;
    uint8_t in[IN_CAP];
};

static struct {
    const char *host;
    int port, clients, seconds, tcp, size;
    uint64_t arrival_us, interval_us;
} opt = { .arrival_us = 1000, .interval_us = 1000000, .size = 33 };

static struct conn *conns;
static uint32_t *fifo, fifo_head, fifo_len;   /* ids waiting to send, due order */
static uint32_t *lat_sched, *lat_actual;      /* one per echo, in us */
static uint64_t n_lat, lat_cap;
static uint64_t t0, sent, recvd, bad, handshakes, failures;
static int ep, tfd;

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void fail_conn(struct conn *c)
{
    if (c->state == CONNECTING || c->state == UPGRADING)
        failures++;
    close(c->fd);
    c->state = DONE;
}

/* The payload of message seq of c, as the server must echo it back. */
static void payload(uint8_t *p, const struct conn *c, uint32_t seq, uint64_t t)
{
    put32(p, c->id);
    put32(p + 4, seq);
    put64(p + 8, t);
    for (int i = HEAD; i < opt.size; i++)
        p[i] = (uint8_t)('a' + (i + seq) % 26);
}

/* One whole write or the connection is given up: at one small message a
 * second a socket buffer never fills, and a short write here would be a
 * fact about the machine worth seeing as a failure. */
static void write_all(struct conn *c, const uint8_t *b, size_t n)
{
    ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);
    if (w != (ssize_t)n) {
        bad++;
        fail_conn(c);
    }
}

static void send_message(struct conn *c, uint64_t now)
{
    uint8_t f[14 + MAX_SIZE], *p = f;
    if (!opt.tcp) {
        uint32_t mask = (uint32_t)(now * 2654435761u) ^ c->id;
        *p++ = 0x82;                              /* FIN, binary */
        if (opt.size < 126) {
            *p++ = (uint8_t)(0x80 | opt.size);
        } else {
            *p++ = 0x80 | 126;
            *p++ = (uint8_t)(opt.size >> 8);
            *p++ = (uint8_t)opt.size;
        }
        put32(p, mask);
        payload(p + 4, c, c->next_seq, now);
        for (int i = 0; i < opt.size; i++)
            p[4 + i] ^= p[i % 4];
        p += 4 + opt.size;
    } else {
        payload(p, c, c->next_seq, now);
        p += opt.size;
    }
    c->next_seq++;
    sent++;
    write_all(c, f, (size_t)(p - f));
}

static void arm_timer(uint64_t due_us)
{
    struct itimerspec its = { 0 };
    if (due_us == 0)
        due_us = 1;   /* 0 would disarm */
    its.it_value.tv_sec = (time_t)(due_us / 1000000);
    its.it_value.tv_nsec = (long)(due_us % 1000000) * 1000;
    if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
        die("timerfd_settime");
}

static uint64_t due_of(const struct conn *c)
{
    return c->open_us + c->next_seq * opt.interval_us;
}

static void queue(uint32_t id)
{
    fifo[(fifo_head + fifo_len++) % (uint32_t)opt.clients] = id;
}

static void start_connect(struct conn *c)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port) };
    inet_pton(AF_INET, opt.host, &a.sin_addr);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0)
        die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        c->state = CONNECTING;
        fail_conn(c);
        return;
    }
    c->state = CONNECTING;
    struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = c->id };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        die("epoll_ctl");
}

static void opened(struct conn *c, uint64_t now)
{
    c->state = OPEN;
    c->open_us = now;
    handshakes++;
    if (now < t0 + (uint64_t)opt.seconds * 1000000) {
        send_message(c, now);
        if (c->state == OPEN)
            queue(c->id);
    }
}

static void connected(struct conn *c, uint64_t now)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
        fail_conn(c);
        return;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = c->id };
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        die("epoll_ctl");
    if (opt.tcp) {
        opened(c, now);
        return;
    }
    char req[256];
    int n = snprintf(req, sizeof req,
                     "GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n", opt.host, opt.port);
    c->state = UPGRADING;
    write_all(c, (const uint8_t *)req, (size_t)n);
}

/* The 101 and the RFC 6455 sample key's accept value (section 1.3). */
static int upgrade_done(struct conn *c, uint64_t now)
{
    uint8_t *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end)
        return c->in_len < IN_CAP ? 0 : -1;
    if (c->in_len < 12 || memcmp(c->in, "HTTP/1.1 101", 12) ||
        !memmem(c->in, (size_t)(end - c->in), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28))
        return -1;
    size_t used = (size_t)(end + 4 - c->in);
    memmove(c->in, c->in + used, c->in_len - used);
    c->in_len -= (uint32_t)used;
    opened(c, now);
    return 1;
}

static void echo_arrived(struct conn *c, const uint8_t *p)
{
    /* Each echo's own time, read when it is checked: a time read once for a
     * batch of events (or before a send in the same read loop) would date
     * the last echoes of a burst as early as the first. */
    uint64_t now = now_us();
    uint8_t want[MAX_SIZE];
    uint32_t seq = (uint32_t)get(p + 4, 4);
    uint64_t t = get(p + 8, 8);
    payload(want, c, seq, t);
    if (seq != c->recv_seq || seq >= c->next_seq || memcmp(want, p, (size_t)opt.size)) {
        bad++;
        return;
    }
    c->recv_seq++;
    recvd++;
    if (n_lat < lat_cap) {
        lat_sched[n_lat] = (uint32_t)(now - (c->open_us + seq * opt.interval_us));
        lat_actual[n_lat] = (uint32_t)(now - t);
        n_lat++;
    }
}

/* Whole messages at the front of c->in, as many as there are; -1 on a
 * frame the echo of our messages cannot be. */
static int consume(struct conn *c)
{
    uint32_t off = 0;
    for (;;) {
        uint32_t hl = opt.tcp ? 0 : (opt.size < 126 ? 2 : 4);
        if (c->in_len - off < hl + (uint32_t)opt.size)
            break;
        const uint8_t *f = c->in + off;
        if (!opt.tcp) {
            if (f[0] == 0x88)
                return -1;                      /* the server closes */
            uint32_t len = f[1] & 0x7f;
            if (opt.size >= 126) {
                if (len != 126)
                    return -1;
                len = (uint32_t)f[2] << 8 | f[3];
            }
            if (f[0] != 0x82 || (f[1] & 0x80) || len != (uint32_t)opt.size)
                return -1;                      /* not an echo of ours */
        }
        echo_arrived(c, f + hl);
        off += hl + (uint32_t)opt.size;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    return 0;
}

static void readable(struct conn *c, uint64_t now)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            fail_conn(c);
            return;
        }
        c->in_len += (uint32_t)n;
        if (c->state == UPGRADING) {
            int r = upgrade_done(c, now);
            if (r < 0) {
                fail_conn(c);
                return;
            }
            if (r == 0)
                continue;
        }
        if (consume(c) < 0) {
            fail_conn(c);
            return;
        }
    }
}

/* Every connection whose next message is due, in due order. */
static void send_due(uint64_t now, uint64_t stop_us)
{
    while (fifo_len) {
        struct conn *c = &conns[fifo[fifo_head]];
        if (c->state != OPEN) {
            fifo_head = (fifo_head + 1) % (uint32_t)opt.clients;
            fifo_len--;
            continue;
        }
        uint64_t due = due_of(c);
        if (due > now)
            break;
        fifo_head = (fifo_head + 1) % (uint32_t)opt.clients;
        fifo_len--;
        if (due >= stop_us)
            continue;
        send_message(c, now_us());   /* its own send time, not the burst's start */
        if (c->state == OPEN)
            queue(c->id);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p of the values at or below it. */
static uint32_t rank(const uint32_t *v, uint64_t n, double p)
{
    if (n == 0)
        return 0;
    uint64_t k = (uint64_t)(p * (double)n + 0.999999);
    return v[(k ? k : 1) - 1];
}

static void print_dist(const char *name, uint32_t *v)
{
    qsort(v, n_lat, sizeof *v, cmp_u32);
    printf("\"%s\": {\"count\": %llu, \"p50\": %u, \"p99\": %u, \"p999\": %u, \"max\": %u}",
           name, (unsigned long long)n_lat, rank(v, n_lat, 0.5), rank(v, n_lat, 0.99),
           rank(v, n_lat, 0.999), n_lat ? v[n_lat - 1] : 0);
}

static long arg_num(const char *s, long lo, long hi, const char *name)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < lo || v > hi) {
        fprintf(stderr, "floor_client: %s must be %ld..%ld, not '%s'\n", name, lo, hi, s);
        exit(2);
    }
    return v;
}

static void parse(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: floor_client HOST PORT CLIENTS SECONDS [--tcp] "
                        "[--arrival-us N] [--interval-ms N] [--size N]\n");
        exit(2);
    }
    opt.host = argv[1];
    opt.port = (int)arg_num(argv[2], 1, 65535, "PORT");
    opt.clients = (int)arg_num(argv[3], 1, 100000, "CLIENTS");
    opt.seconds = (int)arg_num(argv[4], 1, 3600, "SECONDS");
    for (int i = 5; i < argc; i++) {
        if (!strcmp(argv[i], "--tcp"))
            opt.tcp = 1;
        else if (i + 1 < argc && !strcmp(argv[i], "--arrival-us"))
            opt.arrival_us = (uint64_t)arg_num(argv[++i], 0, 1000000, "--arrival-us");
        else if (i + 1 < argc && !strcmp(argv[i], "--interval-ms"))
            opt.interval_us = 1000 * (uint64_t)arg_num(argv[++i], 1, 60000, "--interval-ms");
        else if (i + 1 < argc && !strcmp(argv[i], "--size"))
            opt.size = (int)arg_num(argv[++i], HEAD, MAX_SIZE, "--size");
        else {
            fprintf(stderr, "floor_client: unknown option '%s'\n", argv[i]);
            exit(2);
        }
    }
    struct in_addr a;
    if (inet_pton(AF_INET, opt.host, &a) != 1) {
        fprintf(stderr, "floor_client: HOST must be an IPv4 address, not '%s'\n", opt.host);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    parse(argc, argv);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    conns = calloc((size_t)opt.clients, sizeof *conns);
    fifo = calloc((size_t)opt.clients, sizeof *fifo);
    lat_cap = (uint64_t)opt.clients * ((uint64_t)opt.seconds * 1000000 / opt.interval_us + 2);
    lat_sched = malloc(lat_cap * sizeof *lat_sched);
    lat_actual = malloc(lat_cap * sizeof *lat_actual);
    if (!conns || !fifo || !lat_sched || !lat_actual)
        die("malloc");
    ep = epoll_create1(0);
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    if (ep < 0 || tfd < 0)
        die("epoll_create1/timerfd_create");
    struct epoll_event tev = { .events = EPOLLIN, .data.u32 = UINT32_MAX };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev) < 0)
        die("epoll_ctl");

    t0 = now_us();
    uint64_t stop_us = t0 + (uint64_t)opt.seconds * 1000000, end_us = stop_us + DRAIN_US;
    int started = 0;
    struct epoll_event evs[256];
    for (;;) {
        uint64_t now = now_us();
        while (started < opt.clients && t0 + (uint64_t)started * opt.arrival_us <= now &&
               now < stop_us) {
            conns[started].id = (uint32_t)started;
            start_connect(&conns[started]);
            started++;
        }
        send_due(now, stop_us);
        if (now >= end_us || (now >= stop_us && recvd + bad >= sent))
            break;
        uint64_t next = end_us;
        if (started < opt.clients && now < stop_us)
            next = t0 + (uint64_t)started * opt.arrival_us;
        if (fifo_len) {
            uint64_t d = due_of(&conns[fifo[fifo_head]]);
            if (d < next)
                next = d;
        }
        arm_timer(next);
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        for (int i = 0; i < n; i++) {
            now = now_us();   /* a connect or an upgrade: dated when handled */
            if (evs[i].data.u32 == UINT32_MAX) {
                uint64_t x;
                if (read(tfd, &x, sizeof x) < 0 && errno != EAGAIN)
                    die("read timerfd");
                continue;
            }
            struct conn *c = &conns[evs[i].data.u32];
            if (c->state == CONNECTING)
                connected(c, now);
            else if (c->state == UPGRADING || c->state == OPEN)
                readable(c, now);
        }
    }
    for (int i = 0; i < started; i++)
        if (conns[i].state != DONE)
            close(conns[i].fd);

    printf("{\"client\": \"floor_client\", \"protocol\": \"%s\", \"clients\": %d, "
           "\"handshakes\": %llu, \"failures\": %llu, \"messages_sent\": %llu, "
           "\"messages_recv\": %llu, \"messages_lost\": %llu, \"bad\": %llu, ",
           opt.tcp ? "tcp" : "websocket", opt.clients, (unsigned long long)handshakes,
           (unsigned long long)failures, (unsigned long long)sent, (unsigned long long)recvd,
           (unsigned long long)(sent - recvd), (unsigned long long)bad);
    print_dist("message_latency_us", lat_sched);
    printf(", ");
    print_dist("message_latency_actual_us", lat_actual);
    printf("}\n");
    return handshakes == (uint64_t)opt.clients && sent == recvd && bad == 0 ? 0 : 1;
}
