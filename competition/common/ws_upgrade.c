#include "ws_upgrade.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct span {
    const char *p;
    size_t n;
};

static bool span_is(struct span s, const char *lit)
{
    return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

static struct span trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return (struct span){p, n};
}

/* Whether a comma-separated header value holds the token (case-insensitive),
 * e.g. "keep-alive, Upgrade" holds "upgrade". */
static bool has_token(struct span v, const char *token)
{
    size_t start = 0;
    for (size_t i = 0; i <= v.n; i++) {
        if (i == v.n || v.p[i] == ',') {
            if (span_is(trim(v.p + start, i - start), token))
                return true;
            start = i + 1;
        }
    }
    return false;
}

static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

static int refuse(struct ws_upgrade *u, int status, const char *reason)
{
    u->status = status;
    u->reason = reason;
    return status;
}

struct headers {
    struct span upgrade, connection, version, key;
    int keys, hosts;
};

/* Walks the header lines between the request line and the blank line. */
static const char *parse_headers(const char *p, const char *end, struct headers *h)
{
    while (p < end) {
        const char *eol = memchr(p, '\r', (size_t)(end - p));
        if (!eol || eol[1] != '\n')
            return "header line not ended by CRLF";
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (!colon || colon == p)
            return "header line without a name";
        for (const char *c = p; c < colon; c++)
            if (!is_tchar(*c))
                return "bad character in a header name";
        struct span name = {p, (size_t)(colon - p)};
        struct span value = trim(colon + 1, (size_t)(eol - colon - 1));
        if (span_is(name, "upgrade"))
            h->upgrade = value;
        else if (span_is(name, "connection"))
            h->connection = value;
        else if (span_is(name, "sec-websocket-version"))
            h->version = value;
        else if (span_is(name, "sec-websocket-key"))
            h->key = value, h->keys++;
        else if (span_is(name, "host"))
            h->hosts++;
        p = eol + 2;
    }
    return NULL;
}

int ws_upgrade_parse(const char *buf, size_t len, size_t max_header,
                     struct ws_upgrade *u)
{
    memset(u, 0, sizeof *u);
    size_t scan = len < max_header ? len : max_header;
    const char *blank = NULL;
    for (size_t i = 3; i < scan; i++) {
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
            blank = buf + i - 3;
            break;
        }
    }
    if (!blank)
        return len >= max_header ? refuse(u, WS_UPGRADE_TOO_LARGE, "request header block too large")
                                 : WS_UPGRADE_INCOMPLETE;
    u->request_len = (size_t)(blank - buf) + 4;

    /* Request line: METHOD SP TARGET SP HTTP/1.1 CRLF */
    const char *eol = memchr(buf, '\r', (size_t)(blank - buf) + 1);
    const char *sp1 = memchr(buf, ' ', (size_t)(eol - buf));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || sp1 == buf || sp2 == sp1 + 1 || eol[1] != '\n')
        return refuse(u, WS_UPGRADE_BAD_REQUEST, "malformed request line");
    for (const char *c = buf; c < sp1; c++)
        if (!is_tchar(*c))
            return refuse(u, WS_UPGRADE_BAD_REQUEST, "malformed method");
    struct span version = {sp2 + 1, (size_t)(eol - sp2 - 1)};
    if (!span_is(version, "HTTP/1.1"))
        return refuse(u, WS_UPGRADE_BAD_REQUEST, "not HTTP/1.1");
    if ((size_t)(sp1 - buf) != 3 || memcmp(buf, "GET", 3) != 0)
        return refuse(u, WS_UPGRADE_BAD_METHOD, "method is not GET");

    struct headers h = {0};
    const char *bad = parse_headers(eol + 2, blank + 2, &h);
    if (bad)
        return refuse(u, WS_UPGRADE_BAD_REQUEST, bad);
    if (!h.upgrade.p || !has_token(h.upgrade, "websocket"))
        return refuse(u, WS_UPGRADE_NEED_VERSION, "no Upgrade: websocket");
    if (!h.connection.p || !has_token(h.connection, "upgrade"))
        return refuse(u, WS_UPGRADE_BAD_REQUEST, "no Connection: Upgrade");
    if (!span_is(h.version, "13"))
        return refuse(u, WS_UPGRADE_NEED_VERSION, "Sec-WebSocket-Version is not 13");
    if (h.keys != 1 || ws_accept_key(h.key.p, h.key.n, u->accept) != 0)
        return refuse(u, WS_UPGRADE_BAD_REQUEST, "missing or malformed Sec-WebSocket-Key");
    if (h.hosts != 1)
        return refuse(u, WS_UPGRADE_BAD_REQUEST, "missing Host");
    u->status = WS_UPGRADE_OK;
    return WS_UPGRADE_OK;
}

size_t ws_upgrade_response(const struct ws_upgrade *u, char *out, size_t cap)
{
    int n;
    switch (u->status) {
    case WS_UPGRADE_OK:
        n = snprintf(out, cap, "HTTP/1.1 101 Switching Protocols\r\n"
                     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n", u->accept);
        break;
    case WS_UPGRADE_NEED_VERSION:
        n = snprintf(out, cap, "HTTP/1.1 426 Upgrade Required\r\n"
                     "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                     "Connection: close\r\nContent-Length: 0\r\n\r\n");
        break;
    case WS_UPGRADE_BAD_METHOD:
        n = snprintf(out, cap, "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\n"
                     "Connection: close\r\nContent-Length: 0\r\n\r\n");
        break;
    case WS_UPGRADE_TOO_LARGE:
        n = snprintf(out, cap, "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                     "Connection: close\r\nContent-Length: 0\r\n\r\n");
        break;
    default:
        n = snprintf(out, cap, "HTTP/1.1 400 Bad Request\r\n"
                     "Connection: close\r\nContent-Length: 0\r\n\r\n");
        break;
    }
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
