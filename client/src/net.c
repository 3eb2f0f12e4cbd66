#include "net.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int net_connect_start(const struct sockaddr_in *dest, const struct in_addr *src,
                      unsigned port_lo, unsigned port_hi)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        goto fail;
    /* Our own port range, so the kernel's default range stays free for the
     * server side and others; kernels before 6.3 refuse the option, and
     * then the system range is used. */
    uint32_t range = (uint32_t)port_hi << 16 | port_lo;
    (void)setsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &range, sizeof range);
    if (src) {
        /* Defer the port choice to connect(), so each source address gets
         * its own full port range per destination. */
        (void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr = *src};
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
            goto fail;
    }
    int r;
    do
        r = connect(fd, (const struct sockaddr *)dest, sizeof *dest);
    while (r < 0 && errno == EINTR);
    if (r < 0 && errno != EINPROGRESS)
        goto fail;
    return fd;
fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int net_socket_error(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return errno;
    return err;
}

bool net_self_connected(int fd)
{
    struct sockaddr_in l, p;
    socklen_t ll = sizeof l, pl = sizeof p;
    if (getsockname(fd, (struct sockaddr *)&l, &ll) < 0 ||
        getpeername(fd, (struct sockaddr *)&p, &pl) < 0)
        return false;
    return l.sin_addr.s_addr == p.sin_addr.s_addr && l.sin_port == p.sin_port;
}

void net_errno_reason(int err, char *out, size_t len)
{
    switch (err) {
    case ECONNREFUSED:
        snprintf(out, len, "refused");
        return;
    case ECONNRESET:
    case EPIPE:
        snprintf(out, len, "reset");
        return;
    case ETIMEDOUT:
        snprintf(out, len, "connection_timeout");
        return;
    case EHOSTUNREACH:
    case ENETUNREACH:
        snprintf(out, len, "unreachable");
        return;
    default: {
        const char *name = strerrorname_np(err);
        if (name)
            snprintf(out, len, "error:%s", name);
        else
            snprintf(out, len, "error:%d", err);
    }
    }
}
