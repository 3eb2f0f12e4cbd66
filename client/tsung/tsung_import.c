/* tsung_import: brings a Tsung run into the kit's database.
 *   tsung_import [--failed REASON] T0_US XML LOGDIR COMMAND DB SECONDS HOST PORT CLIENTS [options]
 * reads LOGDIR/tsung.dump (per event) and LOGDIR/tsung.log (Tsung's
 * counters) and writes, through the client's db module, the events
 * ./runtest writes: ws_init, ws_onopen, message_send, message_recv and one
 * exit per client. What Tsung does not measure stays NULL or absent (see
 * README.md, "What the database holds"). With --failed the run is stored
 * as incomplete with the reason. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "dump.h"
#include "event.h"
#include "frames.h"
#include "head.h"
#include "tsung_log.h"
#include "tsung_opts.h"

/* One kit client: Tsung user id + 1, which its KIT-INIT record names. */
struct client {
    int64_t init_us;           /* its KIT-INIT record (the connect), -1 if none */
    int64_t end_us;            /* EndClient, -1 if none */
    int64_t conn;              /* its connection (pid), -1 if none */
};

/* One user process, by its Erlang pid, in the order pids first appear. */
struct conn {
    char pid[32];
    int64_t client;            /* from its first message's head; -1 unknown */
    bool get_sent, http_done, opened, refused_upgrade;
    bool closed_by_us, closed_by_server, bad_echo;
    uint8_t http_status[12];   /* "HTTP/1.1 101" */
    uint8_t http_have;
    uint8_t crlf;              /* of \r\n\r\n matched so far */
    uint64_t get_us, open_us, last_us;
    uint32_t next_seq;
    struct frame_rx rx;
};

/* How many clients each Tsung node (load host VM) ran. */
#define MAX_NODES 256
struct node_count {
    char name[128];
    long long clients;
};

struct importer {
    struct tsung_opts o;
    uint64_t t0_us, interval_us;
    uint64_t shift_us;         /* the run's t0 - T0_US: heads are on T0_US */
    struct client *clients;
    size_t n_clients, cap_clients;
    struct conn *conns;
    size_t n_conns, cap_conns;
    int64_t *table;            /* pid hash -> conn index, -1 empty */
    size_t table_cap;
    bool emit;                 /* second pass: write events */
    int64_t *ids;              /* pass 1's client id of each connection */
    size_t n_ids, new_seen;
    struct node_count nodes[MAX_NODES];
    unsigned n_nodes;
    struct db db;
    size_t in_tx;
    long long n_events[8];
    char err[512];
};

static void die(const char *fmt, const char *a)
{
    fprintf(stderr, "tsung_import: ");
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    exit(1);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap * 2 : 1024;
    while (n < need)
        n *= 2;
    p = realloc(p, n * elem);
    if (!p)
        die("%s", "out of memory");
    *cap = n;
    return p;
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static void table_put(struct importer *im, size_t idx)
{
    size_t m = im->table_cap - 1, i = hash(im->conns[idx].pid) & m;
    while (im->table[i] >= 0)
        i = (i + 1) & m;
    im->table[i] = (int64_t)idx;
}

static struct conn *conn_of(struct importer *im, const char *pid)
{
    if (im->table_cap) {
        size_t m = im->table_cap - 1;
        for (size_t i = hash(pid) & m; im->table[i] >= 0; i = (i + 1) & m)
            if (strcmp(im->conns[im->table[i]].pid, pid) == 0)
                return &im->conns[im->table[i]];
    }
    if ((im->n_conns + 1) * 2 > im->table_cap) {
        free(im->table);
        im->table_cap = im->table_cap ? im->table_cap * 2 : 4096;
        im->table = malloc(im->table_cap * sizeof *im->table);
        if (!im->table)
            die("%s", "out of memory");
        memset(im->table, 0xff, im->table_cap * sizeof *im->table);
        for (size_t i = 0; i < im->n_conns; i++)
            table_put(im, i);
    }
    im->conns = grow(im->conns, &im->cap_conns, im->n_conns + 1, sizeof *im->conns);
    struct conn *c = &im->conns[im->n_conns];
    memset(c, 0, sizeof *c);
    snprintf(c->pid, sizeof c->pid, "%s", pid);
    c->client = im->emit && im->n_conns < im->n_ids ? im->ids[im->n_conns] : -1;
    table_put(im, im->n_conns++);
    return c;
}

/* --- writing ---------------------------------------------------------------- */

static void event(struct importer *im, unsigned type, int64_t client, uint64_t t_us,
                  int64_t key, int64_t data, int64_t data2, const char *text)
{
    if (!im->emit || client < 0)
        return;
    struct event_record e = {0};
    e.type = (uint16_t)type;
    e.client = (uint32_t)client;
    e.t_us = t_us;
    e.key = key;
    e.data = data;
    e.data2 = data2;
    if (text)
        snprintf(e.text, sizeof e.text, "%s", text);
    if (im->in_tx == 0 && db_begin(&im->db) < 0)
        die("%s", im->db.err);
    if (db_event(&im->db, &e) < 0)
        die("%s", im->db.err);
    im->n_events[type]++;
    if (++im->in_tx == 20000) {
        if (db_commit(&im->db) < 0)
            die("%s", im->db.err);
        im->in_tx = 0;
    }
}

static uint64_t rel(const struct importer *im, uint64_t wall_us)
{
    return wall_us > im->t0_us ? wall_us - im->t0_us : 0;
}

static uint64_t sched_of(const struct importer *im, const struct conn *c, uint32_t seq)
{
    return c->open_us + (uint64_t)seq * im->interval_us;
}

/* --- the HTTP upgrade response ---------------------------------------------- */

/* Consumes the response head; returns the bytes it took. */
static size_t http_feed(struct conn *c, const uint8_t *p, size_t n)
{
    static const char END[] = "\r\n\r\n";
    size_t i = 0;
    while (i < n && !c->http_done) {
        if (c->http_have < sizeof c->http_status)
            c->http_status[c->http_have++] = p[i];
        c->crlf = p[i] == (uint8_t)END[c->crlf] ? c->crlf + 1 : (p[i] == '\r' ? 1 : 0);
        i++;
        if (c->crlf == 4)
            c->http_done = true;
    }
    return i;
}

static bool http_is_101(const struct conn *c)
{
    return c->http_have == sizeof c->http_status &&
           memcmp(c->http_status, "HTTP/1.1 101", sizeof c->http_status) == 0;
}

/* The records the session writes itself (KIT-T0, KIT-INIT), not traffic. */
static bool is_kit_record(const uint8_t *p, size_t n)
{
    return n >= 4 && memcmp(p, "KIT-", 4) == 0;
}

/* The client id of a KIT-INIT record, or -1 (not one, or out of range);
 * *node, *node_len: the node name after it. */
static int64_t init_record_id(const struct importer *im, const uint8_t *p, size_t n,
                              const uint8_t **node, size_t *node_len)
{
    size_t k = strlen(INIT_RECORD), i;
    if (n <= k || memcmp(p, INIT_RECORD, k) != 0)
        return -1;
    int64_t id = 0;
    for (i = k; i < n && p[i] >= '0' && p[i] <= '9' && id <= UINT32_MAX; i++)
        id = id * 10 + (p[i] - '0');
    *node = i < n && p[i] == ' ' ? p + i + 1 : p + n;
    *node_len = (size_t)(p + n - *node);
    return id < (int64_t)im->o.args.clients ? id : -1;
}

static void count_node(struct importer *im, const uint8_t *name, size_t len)
{
    if (len == 0 || len >= sizeof im->nodes[0].name)
        return;
    unsigned i;
    for (i = 0; i < im->n_nodes; i++)
        if (strlen(im->nodes[i].name) == len && memcmp(im->nodes[i].name, name, len) == 0)
            break;
    if (i == im->n_nodes) {
        if (im->n_nodes == MAX_NODES)
            return;
        memcpy(im->nodes[i].name, name, len);
        im->nodes[i].name[len] = '\0';
        im->n_nodes++;
    }
    im->nodes[i].clients++;
}

/* --- record lengths (see dump.h) ----------------------------------------------- */

#define SIMULATE_MAX (4u << 20)

static size_t record_len(void *ctx, const struct dump_reader *d, const struct dump_record *r,
                         const uint8_t *data, size_t avail)
{
    struct importer *im = ctx;
    if (r->kind == DUMP_SEND) {
        if (is_kit_record(data, avail))
            return 0;
        if (avail >= 4 && memcmp(data, "GET ", 4) == 0) {
            const uint8_t *e = memmem(data, avail, "\r\n\r\n", 4);
            return e ? (size_t)(e - data) + 4 : 0;
        }
        struct frame_header h;
        if (frame_parse_header(data, avail, &h) != 1 || h.len > avail - h.header_len)
            return 0;
        return h.header_len + (size_t)h.len;
    }
    /* a read: walk a copy of the connection's receive state */
    struct conn tmp = *conn_of(im, r->who);
    size_t pos = 0;
    if (avail > SIMULATE_MAX)
        avail = SIMULATE_MAX;
    if (!tmp.http_done) {
        pos = http_feed(&tmp, data, avail);
        if (!tmp.http_done)
            return 0;
        if (dump_ends_at(d, data + pos))
            return pos;
    }
    while (pos < avail) {
        bool done;
        struct frame_done f;
        long k = frame_rx_feed(&tmp.rx, data + pos, avail - pos, &done, &f);
        if (k < 0 || !done)
            return 0;
        pos += (size_t)k;
        if (dump_ends_at(d, data + pos))
            return pos;
    }
    return 0;
}

/* --- the records ------------------------------------------------------------- */

/* The run's t0: the session's KIT-T0 record, else T0_US itself. */
static void find_t0(struct importer *im, const uint8_t *buf, size_t len)
{
    static const char pat[] = ">:" T0_RECORD;
    const uint8_t *p = memmem(buf, len, pat, strlen(pat));
    if (!p)
        return;
    im->shift_us = strtoull((const char *)p + strlen(pat), NULL, 10);
    im->t0_us += im->shift_us;
}

static void on_send(struct importer *im, struct conn *c, uint64_t t, const uint8_t *p, size_t n)
{
    if (is_kit_record(p, n)) {
        const uint8_t *node;
        size_t node_len;
        int64_t id = init_record_id(im, p, n, &node, &node_len);
        if (id < 0)
            return;
        if (!im->emit) {
            c->client = id;
            im->clients[id].init_us = (int64_t)t;
            count_node(im, node, node_len);
        }
        event(im, EVENT_WS_INIT, c->client, t, 0,
              (int64_t)t - (int64_t)((uint64_t)c->client * im->o.arrival_us), 0, NULL);
        return;
    }
    if (n >= 4 && memcmp(p, "GET ", 4) == 0) {
        c->get_sent = true;
        c->get_us = t;
        return;
    }
    struct frame_header h;
    if (frame_parse_header(p, n, &h) != 1 || h.len > n - h.header_len)
        return;
    if (h.opcode == 8) {
        c->closed_by_us = true;
        return;
    }
    if (h.opcode != 2 || h.len < HEAD_LEN)
        return;
    uint8_t b[HEAD_LEN];
    for (int i = 0; i < HEAD_LEN; i++)
        b[i] = p[h.header_len + i] ^ (h.masked ? h.mask[i & 3] : 0);
    struct head hd;
    head_decode(b, &hd);
    if (c->client < 0 && !im->emit)
        c->client = hd.client;
    if (!c->opened)
        return;
    int64_t lag = (int64_t)(t - sched_of(im, c, hd.seq));
    event(im, EVENT_MESSAGE_SEND, c->client, t, hd.seq, lag, 0, NULL);
}

static void on_frame(struct importer *im, struct conn *c, uint64_t t, const struct frame_done *f)
{
    if (f->opcode == 8) {
        c->closed_by_server = true;
        return;
    }
    if (f->opcode == 9 || f->opcode == 10 || c->bad_echo)
        return;
    struct head h;
    head_decode(f->head, &h);
    if (f->opcode != 2 || !f->fin || f->len != im->o.size || f->filler_bad ||
        (int64_t)h.client != c->client || h.seq != c->next_seq) {
        c->bad_echo = true;
        return;
    }
    c->next_seq++;
    event(im, EVENT_MESSAGE_RECV, c->client, t, h.seq,
          (int64_t)(t - sched_of(im, c, h.seq)), (int64_t)(t - (h.sent_us - im->shift_us)), NULL);
}

static void on_recv(struct importer *im, struct conn *c, uint64_t t, const uint8_t *p, size_t n)
{
    size_t pos = 0;
    if (!c->http_done) {
        pos = http_feed(c, p, n);
        if (!c->http_done)
            return;
        if (!http_is_101(c)) {
            c->refused_upgrade = true;
            return;
        }
        c->opened = true;
        c->open_us = t;
        /* Tsung logs no connect start: the upgrade request to its response */
        event(im, EVENT_WS_ONOPEN, c->client, t, 0, (int64_t)(t - c->get_us), 0, NULL);
    }
    if (c->refused_upgrade)
        return;
    while (pos < n) {
        bool done;
        struct frame_done f;
        long k = frame_rx_feed(&c->rx, p + pos, n - pos, &done, &f);
        if (k < 0) {
            c->bad_echo = true;
            return;
        }
        pos += (size_t)k;
        if (done)
            on_frame(im, c, t, &f);
    }
}

static void scan(struct importer *im, const uint8_t *buf, size_t len)
{
    struct dump_reader d;
    struct dump_record r;
    int rc, bad = 0;
    dump_init(&d, buf, len);
    while ((rc = dump_next(&d, &r, record_len, im, im->err, sizeof im->err)) != 0) {
        if (rc < 0) {
            if (!im->emit && bad++ < 5)
                fprintf(stderr, "tsung_import: warning: %s\n", im->err);
            continue;
        }
        uint64_t t = rel(im, r.t_us);
        switch (r.kind) {
        case DUMP_NEW_CLIENT:
            if (!im->emit)
                im->new_seen++;
            break;
        case DUMP_END_CLIENT: {
            long long user = atoll(r.who);
            if (!im->emit && user >= 1 && (size_t)user <= im->n_clients)
                im->clients[user - 1].end_us = (int64_t)t;
            break;
        }
        case DUMP_SEND:
        case DUMP_RECV: {
            struct conn *c = conn_of(im, r.who);
            c->last_us = t;
            if (r.kind == DUMP_SEND)
                on_send(im, c, t, r.data, r.len);
            else
                on_recv(im, c, t, r.data, r.len);
            break;
        }
        default:
            break;
        }
    }
    if (bad > 5 && !im->emit)
        fprintf(stderr, "tsung_import: warning: %d malformed records in all\n", bad);
}

/* Gives every connection a client id: its own head's, or, for one that
 * never sent a message, the lowest id no connection claimed. */
static void resolve(struct importer *im)
{
    size_t next_free = 0;
    for (size_t i = 0; i < im->n_conns; i++) {
        struct conn *c = &im->conns[i];
        if (c->client >= 0 && (size_t)c->client < im->n_clients &&
            im->clients[c->client].conn < 0)
            im->clients[c->client].conn = (int64_t)i;
        else
            c->client = -1;
    }
    for (size_t i = 0; i < im->n_conns; i++) {
        struct conn *c = &im->conns[i];
        if (c->client >= 0)
            continue;
        while (next_free < im->n_clients && im->clients[next_free].conn >= 0)
            next_free++;
        if (next_free == im->n_clients) {
            fprintf(stderr, "tsung_import: warning: connection %s has no Tsung user left; "
                    "its events are left out\n", c->pid);
            continue;
        }
        c->client = (int64_t)next_free;
        im->clients[next_free].conn = (int64_t)i;
    }
}

/* --- exits -------------------------------------------------------------------- */

/* Tsung counts why sessions ended; the counts are handed out, in client
 * order, to the clients whose events stop there. */
struct pool {
    const char *counter, *reason;
    int64_t left;
};

static struct pool CONNECT_POOL[] = {
    {"error_connect_timeout", "connection_timeout", 0},
    {"error_connect_econnrefused", "refused", 0},
    {"error_connect_econnreset", "reset", 0},
    {"error_connect_ehostunreach", "unreachable", 0},
    {"error_connect_enetunreach", "unreachable", 0},
    {"error_connect_eaddrinuse", "error:EADDRINUSE", 0},
    {"error_connect_emfile", "error:EMFILE", 0},
    {"error_connect_eaddrnotavail", "error:EADDRNOTAVAIL", 0},
    {NULL, NULL, 0},
};

/* After the connection: no upgrade response or echo in time, or the socket
 * failed. The ack timeout is named for what was awaited. */
static struct pool WAIT_POOL[] = {
    {"error_timeout", "timeout", 0},
    {"error_closed", "eof", 0},
    {"error_inet_econnreset", "reset", 0},
    {"error_inet_etimedout", "connection_timeout", 0},
    {"error_send", "tsung:error_send", 0},
    {"error_unknown", "tsung:error_unknown", 0},
    {NULL, NULL, 0},
};

static void pools_load(struct pool *p, const struct tsung_log *l)
{
    for (; p->counter; p++)
        p->left = tsung_log_get(l, p->counter);
}

static const char *take(struct pool *p)
{
    for (; p->counter; p++)
        if (p->left > 0) {
            p->left--;
            return p->reason;
        }
    return NULL;
}

static void write_exits(struct importer *im)
{
    for (size_t k = 0; k < im->n_clients; k++) {
        const struct client *cl = &im->clients[k];
        const struct conn *c = cl->conn >= 0 ? &im->conns[cl->conn] : NULL;
        const char *why = NULL;
        char buf[64];
        if (cl->init_us < 0 && !c)
            continue;               /* never started: Tsung stopped first */
        /* its last traffic: EndClient comes after the linger (tsung_config.c) */
        uint64_t t = c ? c->last_us : cl->end_us >= 0 ? (uint64_t)cl->end_us : (uint64_t)cl->init_us;
        if (!c) {
            why = take(CONNECT_POOL);
            if (!why)
                why = take(WAIT_POOL);
            if (!why)
                why = "tsung:no_connection";
        } else if (c->bad_echo) {
            why = "bad_echo";
        } else if (c->closed_by_us) {
            why = "run_end";
        } else if (c->closed_by_server) {
            why = c->opened ? "normal" : "handshake_failed:close";
        } else if (c->refused_upgrade) {
            snprintf(buf, sizeof buf, "handshake_failed:status_%.3s", c->http_status + 9);
            why = buf;
        } else {
            why = take(WAIT_POOL);
            if (why && strcmp(why, "timeout") == 0)
                why = c->opened ? "echo_timeout" : "handshake_timeout";
            if (!why)
                why = "tsung:unknown";
        }
        event(im, EVENT_EXIT, (int64_t)k, t, 0, 0, c && c->opened, why);
    }
}

/* --- meta ---------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *p = NULL;
    if (fstat(fd, &st) == 0) {
        p = malloc((size_t)st.st_size + 1);
        if (p) {
            ssize_t n = 0, r;
            while (n < st.st_size && (r = read(fd, p + n, (size_t)(st.st_size - n))) > 0)
                n += r;
            p[n] = '\0';
            *len = (size_t)n;
        }
    }
    close(fd);
    return p;
}

static void iso_time(uint64_t wall_us, char *out, size_t n)
{
    time_t s = (time_t)(wall_us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void write_meta(struct importer *im, const char *command, const char *xml,
                       const char *failed, const struct tsung_log *l, uint64_t last_us)
{
    const struct tsung_opts *o = &im->o;
    struct db *d = &im->db;
    char buf[8192];
    int r = 0;
#define META(k, ...) do { snprintf(buf, sizeof buf, __VA_ARGS__); r |= db_meta(d, k, buf); } while (0)
    r |= db_meta(d, "engine", "tsung");
    r |= db_meta(d, "command", command);
    r |= db_meta(d, "label", o->label);
    r |= db_meta(d, "host", o->args.host);
    META("port", "%u", o->args.port);
    META("clients", "%" PRIu32, o->args.clients);
    META("seconds", "%g", o->args.seconds);
    META("arrival_us", "%" PRIu64, o->arrival_us);
    META("interval_ms", "%" PRIu64, o->interval_ms);
    META("size", "%" PRIu32, o->size);
    META("connect_timeout_ms", "%" PRIu64, o->connect_timeout_ms);
    META("handshake_timeout_ms", "%d", ACK_TIMEOUT_MS);
    r |= db_meta(d, "path", "/");
    r |= db_meta(d, "protocol", "websocket");
    r |= db_meta(d, "mode", "interval");
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < o->n_bind; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? "," : "", o->bind[i]);
    r |= db_meta(d, "bind", buf);
    if (o->port_range_set)
        META("port_range", "%u-%u", o->port_lo, o->port_hi);
    if (o->server_pid)
        META("server_pid", "%ld", o->server_pid);
    if (o->server_stats)
        r |= db_meta(d, "server_stats", o->server_stats);
    n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < o->n_hosts; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s:%u:%" PRIu32, i ? "," : "",
                              o->hosts[i].name, o->hosts[i].cpu,
                              o->hosts[i].maxusers ? o->hosts[i].maxusers : o->args.clients);
    r |= db_meta(d, "tsung.load_hosts", n ? buf : "controller");
    r |= db_meta(d, "tsung.xml", xml);
    r |= db_meta(d, "tsung.version", "1.7.0");
    META("t0_unix_us", "%" PRIu64, im->t0_us);
    META("tsung.start_after_us", "%" PRIu64, im->shift_us);
    iso_time(im->t0_us, buf, sizeof buf);
    r |= db_meta(d, "start_time", buf);
    iso_time(im->t0_us + last_us, buf, sizeof buf);
    r |= db_meta(d, "end_time", buf);
    META("seconds_run", "%.6f", (double)last_us / 1e6);
    n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < l->n && n < sizeof buf; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"%s\":%" PRId64, i ? "," : "{",
                              l->c[i].name, l->c[i].total);
    if (n < sizeof buf - 1)
        snprintf(buf + n, sizeof buf - n, "%s", n ? "}" : "{}");
    r |= db_meta(d, "tsung.counters", buf);
    n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < im->n_nodes && n < sizeof buf; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"%s\":%lld", i ? "," : "{",
                              im->nodes[i].name, im->nodes[i].clients);
    if (n < sizeof buf - 1)
        snprintf(buf + n, sizeof buf - n, "%s", n ? "}" : "{}");
    r |= db_meta(d, "tsung.clients_per_node", buf);
    r |= db_meta(d, "complete", failed ? "0" : "1");
    if (failed)
        r |= db_meta(d, "incomplete_reason", failed);
    r |= db_meta(d, "interrupted", failed ? "1" : "0");
#undef META
    if (r)
        die("%s", d->err);
}

int main(int argc, char **argv)
{
    static struct importer im;
    const char *failed = NULL;
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "--failed") == 0) {
        failed = argv[a + 1];
        a += 2;
    }
    if (argc - a < 5) {
        fprintf(stderr, "usage: tsung_import [--failed REASON] T0_US XML LOGDIR COMMAND "
                "DB SECONDS HOST PORT CLIENTS [options]\n");
        return 2;
    }
    char *end;
    im.t0_us = strtoull(argv[a], &end, 10);
    if (*end || !im.t0_us)
        die("T0_US %s: expected us since the epoch", argv[a]);
    const char *xml_path = argv[a + 1], *logdir = argv[a + 2], *command = argv[a + 3];
    /* the runtest-tsung arguments, with COMMAND in argv[0]'s place */
    if (topts_parse(argc - (a + 3), argv + a + 3, &im.o, im.err, sizeof im.err) != 0)
        die("%s", im.err);
    im.interval_us = im.o.interval_ms * 1000;

    size_t xml_len;
    char *xml = slurp(xml_path, &xml_len);
    if (!xml)
        die("%s: cannot read the generated XML", xml_path);
    char path[4096];
    struct tsung_log log = {0};
    snprintf(path, sizeof path, "%s/tsung.log", logdir);
    FILE *lf = fopen(path, "r");
    if (lf) {
        tsung_log_read(lf, &log);
        fclose(lf);
    }
    pools_load(CONNECT_POOL, &log);
    pools_load(WAIT_POOL, &log);

    snprintf(path, sizeof path, "%s/tsung.dump", logdir);
    const uint8_t *buf = (const uint8_t *)"";
    size_t len = 0;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
        len = (size_t)st.st_size;
        void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED)
            die("%s: cannot map", path);
        buf = m;
    } else if (!failed) {
        die("%s: missing or empty (did Tsung run?)", path);
    }
    if (fd >= 0)
        close(fd);

    if (db_create(&im.db, im.o.args.db_path) < 0)
        die("%s", im.db.err);
    im.n_clients = im.cap_clients = im.o.args.clients;
    im.clients = malloc((im.n_clients + 1) * sizeof *im.clients);
    if (!im.clients)
        die("%s", "out of memory");
    for (size_t k = 0; k < im.n_clients; k++)
        im.clients[k] = (struct client){-1, -1, -1};
    find_t0(&im, buf, len);
    scan(&im, buf, len);              /* pass 1: users, pids, ids */
    resolve(&im);
    uint64_t last = 0;
    for (size_t i = 0; i < im.n_conns; i++)
        if (im.conns[i].last_us > last)
            last = im.conns[i].last_us;
    /* the last traffic: users linger after their close (tsung_config.c) */
    for (size_t k = 0; k < im.n_clients && im.n_conns == 0; k++)
        if (im.clients[k].end_us > (int64_t)last)
            last = (uint64_t)im.clients[k].end_us;
    /* Pass 2 replays from a clean state; pids appear in the same order, so
     * its connection i is pass 1's, whose id it takes. */
    im.ids = malloc((im.n_conns + 1) * sizeof *im.ids);
    if (!im.ids)
        die("%s", "out of memory");
    for (size_t i = 0; i < im.n_conns; i++)
        im.ids[i] = im.conns[i].client;
    im.n_ids = im.n_conns;
    im.n_conns = 0;
    memset(im.table, 0xff, im.table_cap * sizeof *im.table);
    im.emit = true;
    scan(&im, buf, len);
    write_exits(&im);
    if (im.in_tx && db_commit(&im.db) < 0)
        die("%s", im.db.err);
    write_meta(&im, command, xml, failed, &log, last);
    if (db_finish(&im.db) < 0)
        die("%s", im.db.err);
    db_close(&im.db);
    if (!im.o.quiet)
        printf("tsung_import: %lld of %zu clients started, %lld handshakes, %lld sent, %lld echoed -> %s%s\n",
               im.n_events[EVENT_WS_INIT], im.n_clients, im.n_events[EVENT_WS_ONOPEN], im.n_events[EVENT_MESSAGE_SEND],
               im.n_events[EVENT_MESSAGE_RECV], im.o.args.db_path,
               failed ? " (incomplete)" : "");
    free(xml);
    return 0;
}
