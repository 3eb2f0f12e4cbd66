#include "split.h"

size_t split_next(struct split *s, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s->skip > 0) {
            size_t take = s->skip < n - i ? (size_t)s->skip : n - i;
            i += take;
            s->skip -= take;
        } else {
            s->hdr[s->have++] = p[i++];
            struct ws_frame_header h;
            int r = ws_frame_parse_header(s->hdr, s->have, &h);
            if (r == 0)
                continue;
            s->have = 0;
            if (r < 0) {
                s->skip = UINT64_MAX; /* the stream ends here for the glue */
                s->ends_message = false;
                continue;
            }
            s->skip = h.payload_len;
            s->ends_message = h.fin && (h.opcode == WS_OP_TEXT || h.opcode == WS_OP_BINARY ||
                                        h.opcode == WS_OP_CONT);
        }
        if (s->skip == 0 && s->ends_message) {
            s->ends_message = false;
            return i;
        }
    }
    return n;
}
