/* c-epoll: the no-framework reference server. Raw epoll, one event loop per
 * worker process; the protocol lives in conn.c, the loop in loop.c. */
#include "loop.h"
#include "ws_main.h"

int main(int argc, char **argv)
{
    return ws_main(WS_NAME, WS_DEFAULT_WORKERS, NULL, argc, argv, loop_run);
}
