#!/usr/bin/python3
"""Test-only plain-TCP echo "reference" for suite/tests: echoes every byte
on 127.0.0.1:PORT, so a reference with protocol = tcp has something to
load. Never part of servers/."""
import asyncio
import signal
import sys


async def echo(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    writer.close()


async def main(port):
    server = await asyncio.start_server(echo, "127.0.0.1", port, reuse_address=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()


asyncio.run(main(int(sys.argv[1])))
