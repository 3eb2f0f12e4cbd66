#!/usr/bin/python3
"""Interop check with Python's `websockets` (Debian python3-websockets 10.4):
every message (whole or in fragments) must come back byte-for-byte with its
type, a ping must be
answered with a pong carrying the same data, and a close with 1000 must be
answered with 1000.

usage: interop.py HOST PORT
Prints one line per case ("ok ..." / "FAIL ...") and exits 1 on any failure.
"""
import asyncio
import sys

import websockets

SIZES = [0, 20, 125, 64 * 1024, 1024 * 1024]
TIMEOUT = 10.0  # seconds per case; a 1 MiB echo on loopback takes far less


def text_of(n):
    """A str whose UTF-8 encoding is exactly n bytes, mixing 1- to 4-byte
    code points so a server that splits or re-encodes text is caught."""
    pieces = ["a", "\u00e9", "\u20ac", "\U0001f600"]  # 1, 2, 3, 4 bytes
    out, size, i = [], 0, 0
    while size < n:
        p = pieces[i % 4]
        if size + len(p.encode()) > n:
            p = "z"
        out.append(p)
        size += len(p.encode())
        i += 1
    return "".join(out)


def binary_of(n):
    # Every byte value, offset by the size so equal-length messages differ.
    return bytes((i * 7 + n) & 0xFF for i in range(n))


async def run(host, port):
    failures = []

    def report(ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            failures.append(what)

    uri = "ws://%s:%d/" % (host, port)
    async with websockets.connect(uri, max_size=4 * 1024 * 1024,
                                  compression=None, open_timeout=TIMEOUT,
                                  close_timeout=TIMEOUT) as ws:
        for kind in ("text", "binary"):
            for n in SIZES:
                msg = text_of(n) if kind == "text" else binary_of(n)
                name = "%s %d B" % (kind, n)
                try:
                    await asyncio.wait_for(ws.send(msg), TIMEOUT)
                    got = await asyncio.wait_for(ws.recv(), TIMEOUT)
                except Exception as e:  # a dropped connection ends the run
                    report(False, "%s: %s: %s" % (name, type(e).__name__, e))
                    return failures
                if type(got) is not type(msg):
                    report(False, "%s: came back as %s" % (name, type(got).__name__))
                elif got != msg:
                    report(False, "%s: echo differs (got %d units)" % (name, len(got)))
                else:
                    report(True, name)

        # A message sent as three fragments comes back as one message.
        for kind, parts in (("text", [text_of(100), text_of(7), text_of(3000)]),
                            ("binary", [binary_of(100), binary_of(1), binary_of(70000)])):
            name = "%s in 3 fragments" % kind
            whole = "".join(parts) if kind == "text" else b"".join(parts)
            try:
                await asyncio.wait_for(ws.send(iter(parts)), TIMEOUT)
                got = await asyncio.wait_for(ws.recv(), TIMEOUT)
            except Exception as e:
                report(False, "%s: %s: %s" % (name, type(e).__name__, e))
                return failures
            report(got == whole, name if got == whole else
                   "%s: echo differs (got %d units)" % (name, len(got)))

        for data in (b"", b"ping-data-0123456789"):
            name = "ping %d B" % len(data)
            try:
                waiter = await ws.ping(data)
                await asyncio.wait_for(waiter, TIMEOUT)
                report(True, name)
            except Exception as e:
                report(False, "%s: no pong: %s: %s" % (name, type(e).__name__, e))

        try:
            await asyncio.wait_for(ws.close(1000, "bye"), TIMEOUT)
        except Exception as e:
            report(False, "close: %s: %s" % (type(e).__name__, e))
            return failures
        # close_code is what the server sent back in its close frame.
        report(ws.close_code == 1000,
               "close 1000 answered with %s" % ws.close_code)
    return failures


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        failures = asyncio.run(run(sys.argv[1], int(sys.argv[2])))
    except Exception as e:
        print("FAIL connect: %s: %s" % (type(e).__name__, e))
        sys.exit(1)
    print("%d failed" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
