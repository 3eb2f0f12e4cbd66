/* The judge's close-frame rules (RFC 6455 5.5.1, 7.4): which status codes
 * may travel in a close frame, and the check of a close payload a server
 * sent. Independent of competition/common (see wsc_frame.h). */
#ifndef WSC_CLOSE_H
#define WSC_CLOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WSC_CLOSE_NORMAL 1000
#define WSC_CLOSE_PROTOCOL_ERROR 1002
#define WSC_CLOSE_NO_STATUS 1005   /* "no code": never on the wire (7.4.1) */

/* Whether code may be sent in a close frame: the codes RFC 6455 7.4.1
 * defines for the wire (1000-1003, 1007-1011), those IANA's registry has
 * added since (1012-1014), and the registered and private ranges of 7.4.2
 * (3000-4999). Not 0-999, 1004 (reserved), 1005, 1006 and 1015 (which
 * 7.4.1 says must not be sent), 1016-2999 (unassigned) nor 5000 up. */
bool wsc_close_code_valid(unsigned code);

enum wsc_close_verdict {
    WSC_CLOSE_OK = 0,
    WSC_CLOSE_ONE_BYTE,      /* a body must start with a 2-byte code (5.5.1) */
    WSC_CLOSE_BAD_CODE,      /* a code wsc_close_code_valid refuses */
    WSC_CLOSE_BAD_REASON,    /* the reason is not UTF-8 (5.5.1) */
};

/* Checks the close payload p[0..n) (n <= 125). *code is the status code,
 * WSC_CLOSE_NO_STATUS for an empty body; with WSC_CLOSE_BAD_REASON,
 * *error_at is the offset in the reason (after the code) of the first
 * byte that is not UTF-8. */
enum wsc_close_verdict wsc_close_parse(const uint8_t *p, size_t n,
                                       unsigned *code, uint64_t *error_at);

#endif
