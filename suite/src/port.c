#include "port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 1000

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* 1: a connect succeeded; 0: refused or timed out; -1: error (in err). */
static int port_accepts(const char *host, int port, char *err, size_t errlen)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "bad IPv4 address '%s'", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int result = 0;
    /* Non-blocking, so a full backlog cannot stall us past the timeout. */
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        result = 1;
    } else if (errno == EINPROGRESS) {
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        int n;
        do
            n = poll(&p, 1, CONNECT_TIMEOUT_MS);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            result = -1;
        } else if (n == 1) {
            int soerr = 0;
            socklen_t len = sizeof(soerr);
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
                snprintf(err, errlen, "getsockopt: %s", strerror(errno));
                result = -1;
            } else {
                result = soerr == 0;
            }
        }
    } else if (errno != ECONNREFUSED && errno != ETIMEDOUT && errno != ECONNRESET) {
        snprintf(err, errlen, "connect %s:%d: %s", host, port, strerror(errno));
        result = -1;
    }
    close(fd);
    return result;
}

static int wait_for(const char *host, int port, int want, long timeout_ms,
                    volatile int *stop, char *err, size_t errlen)
{
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        if (stop && *stop)
            return 2;
        int a = port_accepts(host, port, err, errlen);
        if (a < 0)
            return -1;
        if (a == want)
            return 0;
        if (now_ms() >= deadline)
            return 1;
        struct timespec ts = { 0, 100 * 1000000L };
        nanosleep(&ts, NULL);   /* an early wake-up just polls sooner */
    }
}

int port_wait_accepting(const char *host, int port, long timeout_ms,
                        volatile int *stop, char *err, size_t errlen)
{
    return wait_for(host, port, 1, timeout_ms, stop, err, errlen);
}

int port_wait_free(const char *host, int port, long timeout_ms,
                   volatile int *stop, char *err, size_t errlen)
{
    return wait_for(host, port, 0, timeout_ms, stop, err, errlen);
}
