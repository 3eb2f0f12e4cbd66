#include "ws_wslay_guard.h"

#include <stdbool.h>
#include <string.h>

#include "ws_utf8.h"
#include "ws_wslay_fix.h"

void ws_wslay_guard_init(struct ws_wslay_guard *g)
{
    memset(g, 0, sizeof *g);
}

/* A complete close payload: NULL to leave it to wslay, else the verdict. */
static const char *judge_close(struct ws_wslay_guard *g)
{
    unsigned code = (unsigned)g->close[0] << 8 | g->close[1];
    uint8_t state = WS_UTF8_ACCEPT;
    bool utf8 = ws_utf8_feed(&state, g->close + 2, g->close_len - 2u) == WS_UTF8_ACCEPT;
    unsigned reply = ws_wslay_fix_close(code, utf8);
    if (reply == 0)
        return NULL;
    g->code = (uint16_t)reply;
    if (reply == WS_CLOSE_INVALID_DATA)
        return "invalid UTF-8 in a close reason";
    return "close code registered after RFC 6455";
}

size_t ws_wslay_guard_scan(struct ws_wslay_guard *g, const uint8_t *p, size_t n,
                        const char **reason)
{
    size_t i = 0, start = 0; /* where the current frame began in p */
    *reason = NULL;
    while (i < n) {
        if (g->close_want > 0) {
            size_t take = n - i < (size_t)(g->close_want - g->close_len)
                              ? n - i : (size_t)(g->close_want - g->close_len);
            for (size_t k = 0; k < take; k++, g->close_len++)
                g->close[g->close_len] = p[i + k] ^ g->mask[g->close_len & 3];
            i += take;
            if (g->close_len < g->close_want)
                continue;
            g->close_want = 0;
            if ((*reason = judge_close(g)) != NULL)
                return start;
            continue;
        }
        if (g->skip > 0) {
            size_t take = n - i < g->skip ? n - i : (size_t)g->skip;
            g->skip -= take;
            i += take;
            continue;
        }
        /* The header of a frame, possibly split across calls. */
        if (g->have == 0)
            start = i;
        g->hdr[g->have++] = p[i++];
        struct ws_frame_header h;
        int r = ws_frame_parse_header(g->hdr, g->have, &h);
        if (r == 0)
            continue;
        g->code = WS_CLOSE_PROTOCOL;
        if (r < 0) {
            *reason = "64-bit payload length with the top bit set";
            return start;
        }
        if ((*reason = ws_wslay_fix_header(&h)) != NULL)
            return start;
        g->have = 0;
        if (h.opcode == WS_OP_CLOSE && h.payload_len >= 2) {
            memcpy(g->mask, h.mask, 4);
            g->close_len = 0;
            g->close_want = (uint8_t)h.payload_len;
        } else {
            g->skip = h.payload_len;
        }
    }
    return n;
}
