#include "ws_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int reserve_fd = -1;

static int fail(char *err, int fd, const char *what)
{
    snprintf(err, WS_ERR_LEN, "%s: %s", what, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* The kernel clamps the backlog to net.core.somaxconn; asking for the most
 * means raising that sysctl is all a big run needs. */
static int max_backlog(void)
{
    int backlog = 65535;
    FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
    if (f) {
        if (fscanf(f, "%d", &backlog) != 1 || backlog <= 0)
            backlog = 65535;
        fclose(f);
    }
    return backlog;
}

int ws_listen(const char *host, int port, char err[WS_ERR_LEN])
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (port <= 0 || port > 65535) {
        snprintf(err, WS_ERR_LEN, "port %d out of range", port);
        return -1;
    }
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        snprintf(err, WS_ERR_LEN, "'%s' is not an IPv4 address", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(err, -1, "socket");
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return fail(err, fd, "SO_REUSEADDR");
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
        return fail(err, fd, "SO_REUSEPORT");
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        char what[64];
        snprintf(what, sizeof what, "bind %s:%d", host, port);
        return fail(err, fd, what);
    }
    if (listen(fd, max_backlog()) < 0)
        return fail(err, fd, "listen");
    return fd;
}

int ws_listen_check_free(const char *host, int port, char err[WS_ERR_LEN])
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        snprintf(err, WS_ERR_LEN, "'%s' is not an IPv4 address", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(err, -1, "socket");
    /* SO_REUSEADDR alone passes TIME_WAIT leftovers but not a listener. */
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        char what[96];
        snprintf(what, sizeof what, "%s:%d is taken (is another server running?)", host, port);
        return fail(err, fd, what);
    }
    close(fd);
    return 0;
}

int ws_accept_reserve(void)
{
    if (reserve_fd < 0)
        reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return reserve_fd < 0 ? -1 : 0;
}

/* Out of descriptors, a pending connection keeps the listening socket
 * readable forever. Free the reserve, take the connection and close it, so
 * the client sees a close rather than a hang and the loop does not spin. */
static void shed_one(int listen_fd)
{
    if (reserve_fd < 0)
        return;
    close(reserve_fd);
    reserve_fd = -1;
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0)
        close(fd);
    ws_accept_reserve();
}

int ws_accept(int listen_fd)
{
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EMFILE || errno == ENFILE) {
            int saved = errno;
            shed_one(listen_fd);
            errno = saved;
        }
        return -1;
    }
}
