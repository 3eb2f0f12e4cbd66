#include "wsc_accept.h"

#include <string.h>

#include <openssl/evp.h>

static const char GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int wsc_accept(const char *key, size_t n, char out[WSC_ACCEPT_LEN + 1])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
             EVP_DigestUpdate(ctx, key, n) &&
             EVP_DigestUpdate(ctx, GUID, sizeof GUID - 1) &&
             EVP_DigestFinal_ex(ctx, digest, &dl) && dl == 20;

    EVP_MD_CTX_free(ctx);
    out[0] = '\0';
    if (!ok)
        return -1;
    /* EVP_EncodeBlock writes 4 characters per 3 bytes and a NUL. */
    if (EVP_EncodeBlock((unsigned char *)out, digest, 20) != WSC_ACCEPT_LEN)
        return -1;
    return 0;
}
