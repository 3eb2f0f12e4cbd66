#include "locality.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* HOST of scheme://[userinfo@]HOST[:port][/path], brackets of an IPv6
 * literal removed. Returns 0, or -1 when it does not fit. */
static int url_host(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t authority = strcspn(p, "/");
    const char *at = memchr(p, '@', authority);
    if (at) {
        authority -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t n;
    if (*p == '[') {
        const char *close = memchr(p, ']', authority);
        if (!close)
            return -1;
        p++;
        n = (size_t)(close - p);
    } else {
        n = strcspn(p, ":/");
    }
    if (n == 0 || n >= cap)
        return -1;
    memcpy(out, p, n);
    out[n] = 0;
    return 0;
}

static bool same_address(const struct sockaddr *a, const struct sockaddr *b)
{
    if (!a || !b || a->sa_family != b->sa_family)
        return false;
    if (a->sa_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->sa_family == AF_INET6)
        return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
    return false;
}

static bool is_loopback(const struct sockaddr *a)
{
    if (a->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
    if (a->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)a)->sin6_addr);
    return false;
}

bool url_is_this_machine(const char *url)
{
    char host[256];
    if (url_host(url, host, sizeof(host)) < 0)
        return false;
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false;
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) < 0)
        ifs = NULL;
    bool local = false;
    for (struct addrinfo *a = res; a && !local; a = a->ai_next) {
        local = is_loopback(a->ai_addr);
        for (struct ifaddrs *i = ifs; i && !local; i = i->ifa_next)
            local = same_address(a->ai_addr, i->ifa_addr);
    }
    if (ifs)
        freeifaddrs(ifs);
    freeaddrinfo(res);
    return local;
}
