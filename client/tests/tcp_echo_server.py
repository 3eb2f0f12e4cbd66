#!/usr/bin/python3
"""A plain-TCP echo server for the client's --tcp tests: every byte back as
it arrives, one process. Usage: tcp_echo_server.py PORT"""
import asyncio
import sys


async def echo(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


async def main(port):
    server = await asyncio.start_server(echo, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
