#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "wsc_accept.h"

/* A response head bigger than this is not a WebSocket server's. */
#define HTTP_HEAD_MAX 16384

size_t http_upgrade_request(char *out, size_t cap, const char *host, int port)
{
    int n = snprintf(out, cap,
                     "GET / HTTP/1.1\r\n"
                     "Host: %s:%d\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: " HTTP_WS_KEY "\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "\r\n", host, port);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static const char *find_blank_line(const char *p, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++)
        if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
            return p + i + 4;
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Splits the owned head into status and headers. */
static int parse_head(struct http_response *r, char *err, size_t errlen)
{
    char *save = NULL;
    char *line = strtok_r(r->block, "\r\n", &save);
    int minor = 0, status = 0, used = 0;
    if (!line || sscanf(line, "HTTP/1.%d %3d%n", &minor, &status, &used) < 2 ||
        status < 100 || status > 599) {
        snprintf(err, errlen, "not an HTTP/1.x status line: \"%.40s\"", line ? line : "");
        return -1;
    }
    r->status = status;
    while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
        char *colon = strchr(line, ':');
        if (!colon) {
            snprintf(err, errlen, "header line without a colon: \"%.40s\"", line);
            return -1;
        }
        if (r->nheaders == HTTP_MAX_HEADERS)
            break;
        *colon = '\0';
        r->headers[r->nheaders].name = trim(line);
        r->headers[r->nheaders].value = trim(colon + 1);
        r->nheaders++;
    }
    return 0;
}

enum http_read_status http_read_response(struct conn *c, struct http_response *r,
                                         int idle_ms, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    for (;;) {
        const char *start = (const char *)c->rx + c->rx_off;
        size_t avail = conn_pending(c);
        const char *end = find_blank_line(start, avail);
        if (end) {
            r->header_len = (size_t)(end - start);
            r->block = util_xmalloc(r->header_len + 1);
            memcpy(r->block, start, r->header_len);
            r->block[r->header_len] = '\0';
            conn_consume(c, r->header_len);
            return parse_head(r, err, errlen) == 0 ? HTTP_READ_OK : HTTP_READ_BAD;
        }
        if (avail > HTTP_HEAD_MAX) {
            snprintf(err, errlen, "response head over %d bytes", HTTP_HEAD_MAX);
            return HTTP_READ_BAD;
        }
        switch (conn_fill(c, idle_ms)) {
        case CONN_OK:
            break;
        case CONN_TIMEOUT:
            snprintf(err, errlen, "timeout: no complete response after %d ms", idle_ms);
            return HTTP_READ_TIMEOUT;
        default:
            snprintf(err, errlen, "connection %s after %zu bytes of response",
                     c->reset ? "reset" : "closed", avail);
            return HTTP_READ_EOF;
        }
    }
}

void http_response_free(struct http_response *r)
{
    free(r->block);
    memset(r, 0, sizeof *r);
}

const char *http_header(const struct http_response *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

bool http_header_has_token(const struct http_response *r, const char *name,
                           const char *token)
{
    size_t tlen = strlen(token);
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, name) != 0)
            continue;
        const char *p = r->headers[i].value;
        while (*p) {
            while (*p == ' ' || *p == '\t' || *p == ',')
                p++;
            const char *q = p;
            while (*q && *q != ',')
                q++;
            const char *e = q;
            while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if ((size_t)(e - p) == tlen && strncasecmp(p, token, tlen) == 0)
                return true;
            p = q;
        }
    }
    return false;
}

const char *http_check_upgrade(const struct http_response *r)
{
    static char why[128];
    if (r->status != 101) {
        snprintf(why, sizeof why, "status %d, expected 101", r->status);
        return why;
    }
    const char *up = http_header(r, "Upgrade");
    if (!up || strcasecmp(up, "websocket") != 0)
        return "101 without \"Upgrade: websocket\"";
    if (!http_header_has_token(r, "Connection", "upgrade"))
        return "101 without \"Connection: Upgrade\"";
    char want[WSC_ACCEPT_LEN + 1];
    if (wsc_accept(HTTP_WS_KEY, strlen(HTTP_WS_KEY), want) != 0)
        return "harness: wsc_accept failed on the sample key";
    const char *acc = http_header(r, "Sec-WebSocket-Accept");
    if (!acc)
        return "101 without Sec-WebSocket-Accept";
    if (strcmp(acc, want) != 0) {
        snprintf(why, sizeof why, "Sec-WebSocket-Accept \"%.40s\", expected \"%s\"", acc, want);
        return why;
    }
    return NULL;
}
