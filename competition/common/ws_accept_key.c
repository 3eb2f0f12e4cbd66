#include "ws_accept_key.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

static const char GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

static int is_base64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int ws_accept_key(const char *key, size_t len, char out[WS_ACCEPT_LEN + 1])
{
    /* base64 of 16 bytes: 22 significant characters and "==". The last
     * significant one carries only 2 bits, so it must be one of AQgw. */
    if (len != 24 || key[22] != '=' || key[23] != '=' || !strchr("AQgw", key[21]))
        return -1;
    for (size_t i = 0; i < 22; i++)
        if (!is_base64(key[i]))
            return -1;
    unsigned char buf[24 + sizeof GUID - 1];
    memcpy(buf, key, 24);
    memcpy(buf + 24, GUID, sizeof GUID - 1);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(buf, sizeof buf, digest);
    EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH);
    return 0;
}
