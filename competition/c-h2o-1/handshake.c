#include "handshake.h"

#include <stdbool.h>

#include "conn.h"
#include "ws_accept_key.h"
#include "ws_log.h"

/* Refusals by status, for the shutdown log line. */
static struct {
    unsigned long long upgraded, s400, s405, s426, s431, s503;
} stats;

struct handshake_handler {
    h2o_handler_t super;
    size_t max_header;
};

/* Counts the headers of this name and returns the last one's value. */
static int find_all(h2o_req_t *req, const char *name, size_t name_len, h2o_iovec_t *value)
{
    int count = 0;
    ssize_t i = -1;
    for (;;) {
        i = h2o_find_header_by_str(&req->headers, name, name_len, i);
        if (i < 0)
            return count;
        *value = req->headers.entries[i].value;
        count++;
    }
}

/* The header block as it came on the wire, give or take optional spaces
 * h2o has trimmed and the Connection header it does not keep (counted as
 * "Connection: Upgrade"). */
static size_t header_block_len(h2o_req_t *req)
{
    size_t n = req->input.method.len + 1 + req->input.path.len + 1 + 8 + 2 + 2;
    if (req->input.authority.base != NULL)
        n += 6 + req->input.authority.len + 2;
    if (req->upgrade.base != NULL)
        n += 9 + req->upgrade.len + 2 + 21;
    for (size_t i = 0; i < req->headers.size; i++)
        n += req->headers.entries[i].name->len + 2 + req->headers.entries[i].value.len + 2;
    return n;
}

static int refuse(h2o_req_t *req, int status, const char *reason, const char *why)
{
    switch (status) {
    case 400: stats.s400++; break;
    case 405: stats.s405++; break;
    case 426: stats.s426++; break;
    case 431: stats.s431++; break;
    default: stats.s503++; break;
    }
    if (status == 426)
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("sec-websocket-version"), 0,
                              NULL, H2O_STRLIT("13"));
    if (status == 405)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("GET"));
    h2o_send_error_generic(req, status, reason, why,
                           H2O_SEND_ERROR_HTTP1_CLOSE_CONNECTION | H2O_SEND_ERROR_KEEP_HEADERS);
    return 0;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    struct handshake_handler *h = (struct handshake_handler *)self;
    h2o_iovec_t v = {NULL, 0};

    if (header_block_len(req) > h->max_header)
        return refuse(req, 431, "Request Header Fields Too Large", "request header block too large\n");
    if (req->version != 0x101)
        return refuse(req, 400, "Bad Request", "not HTTP/1.1\n");
    if (!h2o_memis(req->input.method.base, req->input.method.len, H2O_STRLIT("GET")))
        return refuse(req, 405, "Method Not Allowed", "method is not GET\n");
    /* h2o keeps Connection and Upgrade out of req->headers: it sets
     * req->upgrade only when both are there, so the two cannot be told
     * apart and both get 426. */
    if (req->upgrade.base == NULL ||
        !h2o_contains_token(req->upgrade.base, req->upgrade.len, H2O_STRLIT("websocket"), ','))
        return refuse(req, 426, "Upgrade Required", "no Upgrade: websocket with Connection: Upgrade\n");
    if (find_all(req, H2O_STRLIT("sec-websocket-version"), &v) != 1 ||
        !h2o_memis(v.base, v.len, H2O_STRLIT("13")))
        return refuse(req, 426, "Upgrade Required", "Sec-WebSocket-Version is not 13\n");
    char accept[WS_ACCEPT_LEN + 1];
    if (find_all(req, H2O_STRLIT("sec-websocket-key"), &v) != 1 ||
        ws_accept_key(v.base, v.len, accept) != 0)
        return refuse(req, 400, "Bad Request", "missing or malformed Sec-WebSocket-Key\n");
    /* h2o moves Host to req->input.authority (the last one, if several). */
    if (req->input.authority.len == 0)
        return refuse(req, 400, "Bad Request", "missing Host\n");

    if (conn_upgrade(req, accept) != 0)
        return refuse(req, 503, "Service Unavailable", "out of memory\n");
    stats.upgraded++;
    return 0;
}

void handshake_log_stats(void)
{
    ws_log("handshakes: %llu upgraded; refused 400 x%llu, 405 x%llu, 426 x%llu, 431 x%llu, "
           "503 x%llu",
           stats.upgraded, stats.s400, stats.s405, stats.s426, stats.s431, stats.s503);
}

void handshake_register(h2o_pathconf_t *pathconf, size_t max_header)
{
    struct handshake_handler *h =
        (struct handshake_handler *)h2o_create_handler(pathconf, sizeof *h);
    h->super.on_req = on_req;
    h->max_header = max_header;
}
