/* c-epoll: the no-framework reference server. Raw epoll, one event loop per
 * worker process; the protocol lives in conn.c, the loop in loop.c. */
#include "loop.h"
#include "ws_main.h"

#ifndef WS_NAME
#define WS_NAME "c-epoll-1"
#endif
#ifndef WS_DEFAULT_WORKERS
#define WS_DEFAULT_WORKERS 1
#endif

int main(int argc, char **argv)
{
    return ws_main(WS_NAME, WS_DEFAULT_WORKERS, NULL, argc, argv, loop_run);
}
