#include "ws_wslay_fix.h"

const char *ws_wslay_fix_header(const struct ws_frame_header *h)
{
    const char *why = ws_frame_check(h, true);
    if (why)
        return why;
    size_t ext = h->header_len - 2 - (h->masked ? 4 : 0);
    if ((ext == 2 && h->payload_len < 126) || (ext == 8 && h->payload_len < 65536))
        return "payload length not in its shortest form";
    return NULL;
}

/* The close codes wslay 1.1.1 accepts (wslay_event_is_valid_status_code). */
static bool wslay_accepts(unsigned code)
{
    return (code >= 1000 && code <= 1011 && code != 1004 && code != 1005 && code != 1006) ||
           (code >= 3000 && code <= 4999);
}

unsigned ws_wslay_fix_close(unsigned code, bool reason_utf8)
{
    /* wslay echoes the codes it accepts, checking the reason itself, and
     * answers every other code with 1002: right but for 1012-1014. */
    if (wslay_accepts(code) || !ws_close_code_valid(code))
        return 0;
    return reason_utf8 ? code : WS_CLOSE_INVALID_DATA;
}
