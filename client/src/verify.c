/* ./verify HOST PORT [--path P] [--timeout-ms N]: checks a server speaks
 * enough RFC 6455 to be measured: handshake, text and binary echoes of
 * sizes around each length encoding, ping/pong, a clean close. One line per
 * check; exit 0 only if all pass. Blocking sockets with timeouts: this is a
 * one-connection tool, not the load client. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "handshake.h"
#include "message.h"
#include "net.h"
#include "prng.h"
#include "wsc_accept.h"
#include "wsc_close.h"
#include "wsc_frame.h"

#define MAX_PAYLOAD (1024 * 1024)

/* Around each length encoding (7-bit, 16-bit, 64-bit), and 1 MiB. */
static const size_t echo_sizes[] = {0, 20, 125, 126, 65535, 65536, MAX_PAYLOAD};
#define N_ECHO_SIZES (sizeof echo_sizes / sizeof echo_sizes[0])
/* connect, handshake, each size as text and binary, ping, close */
#define N_CHECKS (2 + 2 * (int)N_ECHO_SIZES + 2)

struct reader {
    int fd;
    uint8_t buf[MAX_PAYLOAD + 2 * WSC_HEADER_MAX + HANDSHAKE_RESPONSE_MAX];
    size_t len;
    bool in_message;   /* a fragmented message is open (wsc_sequence_next) */
    char why[128];
};

static uint64_t prng;

static int fill(struct reader *r)
{
    if (r->len == sizeof r->buf) {
        snprintf(r->why, sizeof r->why, "frame larger than expected");
        return -1;
    }
    ssize_t n;
    do
        n = recv(r->fd, r->buf + r->len, sizeof r->buf - r->len, 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        r->len += (size_t)n;
        return 0;
    }
    if (n == 0)
        snprintf(r->why, sizeof r->why, "server closed the connection");
    else if (errno == EAGAIN)
        snprintf(r->why, sizeof r->why, "timed out waiting for the server");
    else
        snprintf(r->why, sizeof r->why, "recv: %s", strerror(errno));
    return -1;
}

static void consume(struct reader *r, size_t n)
{
    memmove(r->buf, r->buf + n, r->len - n);
    r->len -= n;
}

/* Reads one frame; its payload is copied to out (cap bytes). */
static int read_frame(struct reader *r, struct wsc_header *h, uint8_t *out,
                      size_t cap)
{
    size_t hl;
    while ((hl = wsc_header_parse(r->buf, r->len, h)) == 0)
        if (fill(r) < 0)
            return -1;
    enum wsc_error bad = wsc_check_server_frame(h);
    if (bad == WSC_OK)
        bad = wsc_sequence_next(&r->in_message, h);
    if (bad != WSC_OK) {
        snprintf(r->why, sizeof r->why, "protocol error: %s", wsc_error_text(bad));
        return -1;
    }
    if (h->len > cap) {
        snprintf(r->why, sizeof r->why, "frame of %llu bytes, expected at most %zu",
                 (unsigned long long)h->len, cap);
        return -1;
    }
    while (r->len < hl + h->len)
        if (fill(r) < 0)
            return -1;
    memcpy(out, r->buf + hl, h->len);
    consume(r, hl + h->len);
    return 0;
}

static int send_all(int fd, const uint8_t *p, size_t n, char *why, size_t wl)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            snprintf(why, wl, "send: %s", errno == EAGAIN ? "timed out" : strerror(errno));
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int send_frame(struct reader *r, uint8_t opcode, const uint8_t *p, size_t n)
{
    static uint8_t frame[MAX_PAYLOAD + WSC_HEADER_MAX];
    uint32_t m = (uint32_t)prng_next(&prng);
    uint8_t mask[4];
    memcpy(mask, &m, 4);
    size_t len = wsc_frame_write(frame, true, opcode, p, n, mask);
    return send_all(r->fd, frame, len, r->why, sizeof r->why);
}

/* Reads the next frame that is not a ping, answering pings on the way. */
static int read_answering_pings(struct reader *r, struct wsc_header *h, uint8_t *out,
                                size_t cap)
{
    for (;;) {
        if (read_frame(r, h, out, cap) < 0)
            return -1;
        if (h->opcode != WSC_OP_PING)
            return 0;
        if (send_frame(r, WSC_OP_PONG, out, h->len) < 0)
            return -1;
    }
}

/* Reads one data message, reassembling fragments and answering pings. */
static int read_message(struct reader *r, uint8_t *opcode, uint8_t *out, size_t *len)
{
    static uint8_t frame[MAX_PAYLOAD];
    struct wsc_header h;
    *len = 0;
    *opcode = 0;
    for (;;) {
        if (read_answering_pings(r, &h, frame, sizeof frame) < 0)
            return -1;
        if (h.opcode == WSC_OP_PONG)
            continue;
        if (h.opcode == WSC_OP_CLOSE) {
            snprintf(r->why, sizeof r->why, "server sent a close frame");
            return -1;
        }
        if (!*opcode)
            *opcode = h.opcode;
        if (*len + h.len > MAX_PAYLOAD) {
            snprintf(r->why, sizeof r->why, "message longer than sent");
            return -1;
        }
        memcpy(out + *len, frame, h.len);
        *len += h.len;
        if (h.fin)
            return 0;
    }
}

static int check_echo(struct reader *r, uint8_t opcode, size_t size)
{
    static uint8_t sent[MAX_PAYLOAD], got[MAX_PAYLOAD];
    for (size_t i = 0; i < size; i++)
        sent[i] = opcode == WSC_OP_TEXT ? (uint8_t)('a' + i % 26)
                                       : (uint8_t)(i * 7 + size);
    if (send_frame(r, opcode, sent, size) < 0)
        return -1;
    uint8_t op;
    size_t len;
    if (read_message(r, &op, got, &len) < 0)
        return -1;
    if (op != opcode) {
        snprintf(r->why, sizeof r->why, "echo has opcode %u, sent %u", op, opcode);
        return -1;
    }
    if (len != size) {
        snprintf(r->why, sizeof r->why, "echo of %zu bytes, sent %zu", len, size);
        return -1;
    }
    for (size_t i = 0; i < size; i++)
        if (got[i] != sent[i]) {
            snprintf(r->why, sizeof r->why, "echo differs at byte %zu", i);
            return -1;
        }
    return 0;
}

static int check_ping(struct reader *r)
{
    static const uint8_t payload[] = "verify ping 0123456789";
    uint8_t got[WSC_CONTROL_MAX];
    struct wsc_header h;
    if (send_frame(r, WSC_OP_PING, payload, sizeof payload - 1) < 0 ||
        read_answering_pings(r, &h, got, sizeof got) < 0)
        return -1;
    if (h.opcode != WSC_OP_PONG) {
        snprintf(r->why, sizeof r->why, "got opcode %u instead of a pong", h.opcode);
        return -1;
    }
    if (h.len != sizeof payload - 1 || memcmp(got, payload, h.len)) {
        snprintf(r->why, sizeof r->why, "pong payload differs from the ping's");
        return -1;
    }
    return 0;
}

static int check_close(struct reader *r, char *detail, size_t dl)
{
    uint8_t code[2] = {WSC_CLOSE_NORMAL >> 8, WSC_CLOSE_NORMAL & 0xff}, got[WSC_CONTROL_MAX];
    struct wsc_header h;
    if (send_frame(r, WSC_OP_CLOSE, code, 2) < 0)
        return -1;
    for (;;) {
        if (read_frame(r, &h, got, sizeof got) < 0)
            return -1;
        if (h.opcode == WSC_OP_CLOSE)
            break;
        if (!wsc_is_control(h.opcode)) {
            snprintf(r->why, sizeof r->why, "data frame after our close");
            return -1;
        }
    }
    unsigned c;
    uint64_t bad_at = 0;
    enum wsc_close_verdict v = wsc_close_parse(got, h.len, &c, &bad_at);
    if (c != WSC_CLOSE_NORMAL && c != WSC_CLOSE_NO_STATUS) {
        snprintf(r->why, sizeof r->why, "server answered close with code %u", c);
        return -1;
    }
    if (v == WSC_CLOSE_BAD_REASON) {
        snprintf(r->why, sizeof r->why, "close reason is not UTF-8 (byte %llu)",
                 (unsigned long long)bad_at);
        return -1;
    }
    /* The server closes the TCP connection after its close frame (7.1.1). */
    uint8_t b;
    ssize_t n;
    do
        n = recv(r->fd, &b, 1, 0);
    while (n < 0 && errno == EINTR);
    if (n != 0) {
        snprintf(r->why, sizeof r->why, n > 0 ? "bytes after the close frame"
                 : "server did not close the TCP connection");
        return -1;
    }
    snprintf(detail, dl, " (code %u, then TCP close)", c);
    return 0;
}

static int connect_to(const char *host, const char *port, long timeout_ms, char *why, size_t wl)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    int r = getaddrinfo(host, port, &hints, &ai);
    if (r) {
        snprintf(why, wl, "%s: %s", host, gai_strerror(r));
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(why, wl, "socket: %s", strerror(errno));
        freeaddrinfo(ai);
        return -1;
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    do
        r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    while (r < 0 && errno == EINTR);
    freeaddrinfo(ai);
    if (r < 0) {
        snprintf(why, wl, "connect: %s", errno == EINPROGRESS ? "timed out" : strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int handshake(struct reader *r, const char *host, unsigned port, const char *path)
{
    char key[HANDSHAKE_KEY_LEN + 1], accept[WSC_ACCEPT_LEN + 1], req[2048];
    handshake_make_key(&prng, key);
    if (wsc_accept(key, HANDSHAKE_KEY_LEN, accept) < 0) {
        snprintf(r->why, sizeof r->why, "internal: bad key");
        return -1;
    }
    size_t n = handshake_build_request(req, sizeof req, host, port, path, key);
    if (!n) {
        snprintf(r->why, sizeof r->why, "request too long");
        return -1;
    }
    if (send_all(r->fd, (const uint8_t *)req, n, r->why, sizeof r->why) < 0)
        return -1;
    for (;;) {
        struct handshake_result res;
        int hl = handshake_parse_response((const char *)r->buf, r->len, accept, &res);
        if (hl > 0) {
            consume(r, (size_t)hl);
            return 0;
        }
        if (hl < 0) {
            snprintf(r->why, sizeof r->why, "%s", res.reason);
            return -1;
        }
        if (fill(r) < 0)
            return -1;
    }
}

int main(int argc, char **argv)
{
    const char *path = "/";
    long timeout_ms = 5000;
    const char *pos[2];
    int npos = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--path") && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) {
            char *end;
            timeout_ms = strtol(argv[++i], &end, 10);
            if (*end || timeout_ms < 1 || timeout_ms > 600000) {
                fprintf(stderr, "verify: --timeout-ms: expected 1..600000, got '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: verify HOST PORT [--path P] [--timeout-ms N]\n");
            return 0;
        } else if (argv[i][0] == '-' || npos == 2) {
            fprintf(stderr, "verify: unexpected argument '%s'\n"
                            "usage: verify HOST PORT [--path P] [--timeout-ms N]\n", argv[i]);
            return 2;
        } else {
            pos[npos++] = argv[i];
        }
    }
    if (npos != 2) {
        fprintf(stderr, "usage: verify HOST PORT [--path P] [--timeout-ms N]\n");
        return 2;
    }
    char *end;
    long port = strtol(pos[1], &end, 10);
    if (*end || port < 1 || port > 65535) {
        fprintf(stderr, "verify: PORT: expected 1..65535, got '%s'\n", pos[1]);
        return 2;
    }
    if (path[0] != '/' || strpbrk(path, " \r\n")) {
        fprintf(stderr, "verify: --path: expected a path starting with /\n");
        return 2;
    }
    if (getrandom(&prng, sizeof prng, 0) != sizeof prng || !prng)
        prng = 1;

    static struct reader r;
    int passed = 0, total = 0;
    r.fd = connect_to(pos[0], pos[1], timeout_ms, r.why, sizeof r.why);
    total++;
    if (r.fd < 0) {
        printf("FAIL connect %s:%ld: %s\n", pos[0], port, r.why);
        goto done;
    }
    printf("ok   connect %s:%ld\n", pos[0], port);
    passed++;

    total++;
    if (handshake(&r, pos[0], (unsigned)port, path) < 0) {
        printf("FAIL handshake: %s\n", r.why);
        goto done;
    }
    printf("ok   handshake (Sec-WebSocket-Accept matches)\n");
    passed++;

    for (int t = 0; t < 2; t++) {
        uint8_t op = t == 0 ? WSC_OP_TEXT : WSC_OP_BINARY;
        for (size_t i = 0; i < N_ECHO_SIZES; i++) {
            total++;
            if (check_echo(&r, op, echo_sizes[i]) < 0) {
                printf("FAIL echo %s %zu B: %s\n", t ? "binary" : "text", echo_sizes[i], r.why);
                goto done;
            }
            printf("ok   echo %s %zu B\n", t ? "binary" : "text", echo_sizes[i]);
            passed++;
        }
    }
    total++;
    if (check_ping(&r) < 0) {
        printf("FAIL ping: %s\n", r.why);
        goto done;
    }
    printf("ok   ping answered by a pong with the same payload\n");
    passed++;

    total++;
    char detail[64];
    if (check_close(&r, detail, sizeof detail) < 0) {
        printf("FAIL close: %s\n", r.why);
        goto done;
    }
    printf("ok   close%s\n", detail);
    passed++;
done:
    if (r.fd >= 0)
        close(r.fd);
    printf("%s: %d of %d checks passed%s\n", passed == total && total == N_CHECKS ? "PASS" : "FAIL",
           passed, total, passed == total && total == N_CHECKS ? "" : " (stopped at the first failure)");
    return passed == total && total == N_CHECKS ? 0 : 1;
}
