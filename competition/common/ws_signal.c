#include "ws_signal.h"

#include <signal.h>
#include <sys/signalfd.h>

void ws_signal_ignore_pipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}

int ws_signal_stopfd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}
