#!/usr/bin/python3
"""A reference echo server for the client's tests: websockets 10.4, one
process. Usage: echo_server.py PORT"""
import asyncio
import sys

import websockets


async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)


async def main(port):
    async with websockets.serve(echo, "127.0.0.1", port, max_size=None,
                                ping_interval=None, compression=None):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
