#include "frame_guard.h"

#include <stdbool.h>
#include <string.h>

#include "ws_utf8.h"

void frame_guard_init(struct frame_guard *g)
{
    memset(g, 0, sizeof *g);
}

/* The close codes wslay 1.1.1 accepts (wslay_event_is_valid_status_code). */
static bool wslay_accepts(unsigned code)
{
    return (code >= 1000 && code <= 1011 && code != 1004 && code != 1005 && code != 1006) ||
           (code >= 3000 && code <= 4999);
}

/* A complete close payload: NULL to leave it to wslay, else the verdict. */
static const char *judge_close(struct frame_guard *g)
{
    unsigned code = (unsigned)g->close[0] << 8 | g->close[1];
    if (wslay_accepts(code) || !ws_close_code_valid(code))
        return NULL;
    uint8_t state = WS_UTF8_ACCEPT;
    if (ws_utf8_feed(&state, g->close + 2, g->close_len - 2u) != WS_UTF8_ACCEPT) {
        g->code = WS_CLOSE_INVALID_DATA;
        return "invalid UTF-8 in a close reason";
    }
    g->code = (uint16_t)code;
    return "close code registered after RFC 6455";
}

size_t frame_guard_scan(struct frame_guard *g, const uint8_t *p, size_t n,
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
        if ((*reason = ws_frame_check(&h, true)) != NULL)
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
