#include "wsc_close.h"

#include "wsc_utf8.h"

bool wsc_close_code_valid(unsigned code)
{
    return (code >= 1000 && code <= 1003) ||
           (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

enum wsc_close_verdict wsc_close_parse(const uint8_t *p, size_t n,
                                       unsigned *code, uint64_t *error_at)
{
    *code = WSC_CLOSE_NO_STATUS;
    if (n == 0)
        return WSC_CLOSE_OK;
    if (n == 1)
        return WSC_CLOSE_ONE_BYTE;
    *code = (unsigned)p[0] << 8 | p[1];
    if (!wsc_close_code_valid(*code))
        return WSC_CLOSE_BAD_CODE;
    if (!wsc_utf8_valid(p + 2, n - 2, error_at))
        return WSC_CLOSE_BAD_REASON;
    return WSC_CLOSE_OK;
}
