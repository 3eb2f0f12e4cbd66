#include "handshake.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "prng.h"

void handshake_make_key(uint64_t *prng, char key[HANDSHAKE_KEY_LEN + 1])
{
    uint8_t raw[16];
    uint64_t a = prng_next(prng), b = prng_next(prng);

    memcpy(raw, &a, 8);
    memcpy(raw + 8, &b, 8);
    EVP_EncodeBlock((unsigned char *)key, raw, sizeof raw);
    key[HANDSHAKE_KEY_LEN] = '\0';
}

size_t handshake_build_request(char *out, size_t cap, const char *host,
                               unsigned port, const char *path,
                               const char key[HANDSHAKE_KEY_LEN])
{
    int n = snprintf(out, cap,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s:%u\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %.*s\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "\r\n",
                     path, host, port, HANDSHAKE_KEY_LEN, key);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
}

static int fail(struct handshake_result *res, const char *what)
{
    snprintf(res->reason, sizeof res->reason, "handshake_failed:%s", what);
    return -1;
}

static bool name_is(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

/* Whether the comma-separated list v[0..n) holds token (case-insensitive). */
static bool has_token(const char *v, size_t n, const char *token)
{
    size_t i = 0;

    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (name_is(v + s, e - s, token))
            return true;
    }
    return false;
}

int handshake_parse_response(const char *p, size_t n,
                             const char *expected_accept,
                             struct handshake_result *res)
{
    res->status = 0;
    res->reason[0] = '\0';

    const char *end = memmem(p, n, "\r\n\r\n", 4);
    if (!end)
        return n >= HANDSHAKE_RESPONSE_MAX ? fail(res, "too_long") : 0;
    size_t hlen = (size_t)(end - p) + 4;
    if (hlen > HANDSHAKE_RESPONSE_MAX)
        return fail(res, "too_long");

    /* Status line: HTTP/1.1 SP 3DIGIT [SP reason] */
    const char *line_end = memmem(p, hlen, "\r\n", 2);
    size_t ll = (size_t)(line_end - p);
    if (ll < 12 || memcmp(p, "HTTP/1.1 ", 9) != 0 ||
        !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
        !isdigit((unsigned char)p[11]) || (ll > 12 && p[12] != ' '))
        return fail(res, "bad_status_line");
    res->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    if (res->status != 101) {
        char num[8];
        snprintf(num, sizeof num, "%d", res->status);
        return fail(res, num);
    }

    bool upgrade = false, connection = false, accept = false;
    const char *q = line_end + 2;
    const char *stop = p + hlen - 2;   /* the final CRLF */
    while (q < stop) {
        const char *le = memmem(q, (size_t)(stop - q) + 2, "\r\n", 2);
        const char *colon = memchr(q, ':', (size_t)(le - q));
        if (!colon || colon == q)
            return fail(res, "bad_header");
        size_t nl = (size_t)(colon - q);
        const char *v = colon + 1;
        while (v < le && (*v == ' ' || *v == '\t'))
            v++;
        const char *ve = le;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t vl = (size_t)(ve - v);

        if (name_is(q, nl, "Upgrade")) {
            if (!name_is(v, vl, "websocket"))
                return fail(res, "bad_upgrade");
            upgrade = true;
        } else if (name_is(q, nl, "Connection")) {
            if (!has_token(v, vl, "upgrade"))
                return fail(res, "bad_connection");
            connection = true;
        } else if (name_is(q, nl, "Sec-WebSocket-Accept")) {
            if (vl != strlen(expected_accept) ||
                memcmp(v, expected_accept, vl) != 0)
                return fail(res, "bad_accept");
            accept = true;
        } else if (name_is(q, nl, "Sec-WebSocket-Extensions") ||
                   name_is(q, nl, "Sec-WebSocket-Protocol")) {
            /* We offered none; a server may not pick one (4.1, step 5/6). */
            if (vl > 0)
                return fail(res, "unrequested_extension");
        }
        q = le + 2;
    }
    if (!upgrade)
        return fail(res, "no_upgrade");
    if (!connection)
        return fail(res, "no_connection");
    if (!accept)
        return fail(res, "no_accept");
    return (int)hlen;
}
