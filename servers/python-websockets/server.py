#!/usr/bin/python3
"""The python-websockets reference server: the echo of Python's websockets
library (Debian's python3-websockets 10.4) on asyncio, as its documentation
shows it, with compression off.

  server.py [--host ADDR] [--port P]     default 0.0.0.0:8000
SIGTERM/SIGINT: close every connection with 1001 and exit 0."""
import argparse
import asyncio
import signal
import sys

import websockets

# The kit's message limit (contestants' --max-message default): a 16 MiB
# message is echoed, a larger one is closed with 1009.
MAX_SIZE = 16 * 1024 * 1024
# An echo sends each message back as it arrives, so only a short burst ever
# waits to be processed (the docs: max_queue is the number of messages the
# application expects to receive faster than it can process them).
MAX_QUEUE = 4
# Asking for the most lets net.core.somaxconn decide, as for contestants.
BACKLOG = 65535
# On SIGTERM, how long a peer gets to answer our close (default 10 s).
CLOSE_TIMEOUT_S = 1

counts = {"connections": 0, "errors": 0}


async def echo(websocket):
    counts["connections"] += 1
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosedError:
        counts["errors"] += 1   # the library has already closed it (1002, 1007, 1009...)


async def serve(host, port):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    try:
        server = await websockets.serve(
            echo, host, port,
            compression=None, max_size=MAX_SIZE, max_queue=MAX_QUEUE,
            ping_interval=None, close_timeout=CLOSE_TIMEOUT_S, backlog=BACKLOG)
    except OSError as e:
        print(f"python-websockets: cannot listen on {host}:{port}: {e.strerror}", file=sys.stderr)
        return 1
    print(f"python-websockets: listening on {host}:{port}", file=sys.stderr, flush=True)
    await stop
    print(f"python-websockets: stopping: {counts['connections']} connections, "
          f"{counts['errors']} closed on an error", file=sys.stderr, flush=True)
    server.close()   # stops accepting, closes every connection with 1001
    await server.wait_closed()
    return 0


def main():
    p = argparse.ArgumentParser(prog="python-websockets", description=__doc__.splitlines()[0])
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, default=8000)
    a = p.parse_args()
    if not 1 <= a.port <= 65535:
        p.error(f"bad port {a.port}")
    return asyncio.run(serve(a.host, a.port))


if __name__ == "__main__":
    sys.exit(main())
