#include "handshake.h"

#include "ws_accept_key.h"
#include "ws_upgrade.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Copies header h (lws joins repeated headers with ',') into buf.
 * Returns its length, 0 when absent, -1 when longer than buf. */
static int header(struct lws *wsi, enum lws_token_indexes h, char *buf, int cap)
{
    if (lws_hdr_total_length(wsi, h) <= 0)
        return 0;
    return lws_hdr_copy(wsi, buf, cap, h);
}

/* Whether the comma-separated list s[0..n) holds token, case-insensitively. */
static bool has_token(const char *s, int n, const char *token)
{
    size_t tlen = strlen(token);
    int i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
            i++;
        int start = i;
        while (i < n && s[i] != ',')
            i++;
        int end = i;
        while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
            end--;
        if ((size_t)(end - start) == tlen && !strncasecmp(s + start, token, tlen))
            return true;
    }
    return false;
}

int handshake_check(struct lws *wsi)
{
    char buf[256];
    int n;

    /* WSI_TOKEN_HTTP holds the request line's version, eg "HTTP/1.1". */
    n = header(wsi, WSI_TOKEN_HTTP, buf, sizeof buf);
    if (n != 8 || memcmp(buf, "HTTP/1.1", 8) != 0)
        return WS_UPGRADE_BAD_REQUEST;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0)
        return WS_UPGRADE_BAD_METHOD;
    n = header(wsi, WSI_TOKEN_CONNECTION, buf, sizeof buf);
    if (n <= 0 || !has_token(buf, n, "upgrade"))
        return WS_UPGRADE_BAD_REQUEST;
    n = header(wsi, WSI_TOKEN_VERSION, buf, sizeof buf);
    if (n != 2 || memcmp(buf, "13", 2) != 0)
        return WS_UPGRADE_NEED_VERSION;
    char accept[WS_ACCEPT_LEN + 1];
    n = header(wsi, WSI_TOKEN_KEY, buf, sizeof buf);
    if (n <= 0 || ws_accept_key(buf, (size_t)n, accept) != 0)
        return WS_UPGRADE_BAD_REQUEST;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HOST) <= 0)
        return WS_UPGRADE_BAD_REQUEST;
    return 0;
}

int handshake_refuse(struct lws *wsi, int status)
{
    unsigned char buf[LWS_PRE + 256];
    struct ws_upgrade u = {.status = status};
    size_t n = ws_upgrade_response(&u, (char *)buf + LWS_PRE, sizeof buf - LWS_PRE);
    if (n == 0)
        return -1;
    /* Raw bytes on an h1 connection: the response is complete as written. */
    return lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_HEADERS) < (int)n ? -1 : 0;
}
