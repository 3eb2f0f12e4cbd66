#!/usr/bin/python3
"""A WebSocket echo server (asyncio, standard library) with one fault at a
time, to show that each check of tests/interop and tests/robust fails when
it should, and passes on the same server without the fault.

  faulty_server.py --host H --port P --mode MODE [--handshake-timeout-ms T]

MODE: good; no-timeout (pending handshakes are never closed); unbounded
(keeps reading from clients that do not read their echoes); leak (keeps
4 KiB per connection forever); spin (burns CPU while 50 or more
connections are open, like an accept loop spinning on EMFILE); close-1001
(answers a close with 1001); text-as-binary (echoes text as binary).
"""
import argparse
import asyncio
import base64
import hashlib
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HEADER = 8192
HIGH_WATER = 1 << 20   # stop reading a client with this much unsent echo
SPIN_CONNS = 50        # "spin" burns CPU from this many connections on

args = None
conns = set()
leaked = []


def unmask(payload, mask):
    if not payload:
        return b""
    n = len(payload)
    m = int.from_bytes((mask * ((n + 3) // 4))[:n], "big")
    return (int.from_bytes(payload, "big") ^ m).to_bytes(n, "big")


def frame(opcode, payload):
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.t = transport
        self.buf = bytearray()
        self.open = False
        self.closing = False
        self.msg_op = None
        self.parts = []
        self.timer = None
        conns.add(self)
        if args.mode == "leak":
            leaked.append(bytearray(b"\x01") * 4096)  # touched, so it is resident
        if args.mode != "no-timeout":
            self.timer = asyncio.get_running_loop().call_later(
                args.handshake_timeout_ms / 1000.0, self.expire)
        transport.set_write_buffer_limits(high=HIGH_WATER)
        # asyncio retries accept() on EMFILE with a traceback a second, which
        # costs CPU: with --max-conns, stay under the open-file limit instead.
        if args.max_conns and len(conns) > args.max_conns:
            transport.abort()
            return
        if args.mode == "spin" and len(conns) >= SPIN_CONNS:
            asyncio.get_running_loop().call_soon(spin)

    def connection_lost(self, exc):
        conns.discard(self)
        if self.timer:
            self.timer.cancel()

    def pause_writing(self):
        if args.mode != "unbounded":
            self.t.pause_reading()

    def resume_writing(self):
        self.t.resume_reading()

    def expire(self):
        if not self.open:
            self.t.close()

    def fail(self, code):
        self.t.write(frame(0x8, struct.pack("!H", code)))
        self.closing = True
        self.t.close()

    def data_received(self, data):
        if self.closing:
            return
        self.buf += data
        if not self.open and not self.handshake():
            return
        while self.open and not self.closing and self.one_frame():
            pass

    def handshake(self):
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buf) >= MAX_HEADER:
                self.t.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                             b"Connection: close\r\n\r\n")
                self.t.close()
            return False
        head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
        del self.buf[:end + 4]
        key = None
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-key":
                key = value.strip().encode()
        if not head[0].startswith("GET ") or key is None:
            self.t.write(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
            self.t.close()
            return False
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        self.t.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        self.open = True
        if self.timer:
            self.timer.cancel()
        return True

    def one_frame(self):
        b = self.buf
        if len(b) < 2:
            return False
        n, at = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return False
            n, at = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return False
            n, at = struct.unpack("!Q", b[2:10])[0], 10
        fin, rsv, op, masked = b[0] & 0x80, b[0] & 0x70, b[0] & 0x0F, b[1] & 0x80
        if rsv or not masked or op not in (0, 1, 2, 8, 9, 10) or n > 16 << 20:
            self.fail(1002)
            return False
        if len(b) < at + 4 + n:
            return False
        payload = unmask(bytes(b[at + 4:at + 4 + n]), bytes(b[at:at + 4]))
        del b[:at + 4 + n]
        if op == 0x8:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1000
            if args.mode == "close-1001":
                code = 1001
            self.t.write(frame(0x8, struct.pack("!H", code)))
            self.closing = True
            self.t.close()
            return False
        if op == 0x9:
            self.t.write(frame(0xA, payload))
            return True
        if op == 0xA:
            return True
        if op != 0:
            self.msg_op = op
        self.parts.append(payload)
        if fin:
            out_op = self.msg_op
            if args.mode == "text-as-binary" and out_op == 1:
                out_op = 2
            self.t.write(frame(out_op, b"".join(self.parts)))
            self.parts = []
        return True


def spin():
    # Burns CPU in slices while many connections are open.
    if len(conns) >= SPIN_CONNS:
        x = 0
        for i in range(200000):
            x += i
        asyncio.get_running_loop().call_soon(spin)


async def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", default="good",
                   choices=["good", "no-timeout", "unbounded", "leak", "spin",
                            "close-1001", "text-as-binary"])
    p.add_argument("--handshake-timeout-ms", type=int, default=2000)
    p.add_argument("--workers", type=int, default=1)  # accepted, like a contestant
    # asyncio accepts up to `backlog` sockets per wake-up before any
    # connection_made runs: the fd-exhaustion selftest needs it small so
    # that MAX_CONNS holds.
    p.add_argument("--backlog", type=int, default=1024)
    p.add_argument("--max-conns", type=int, default=0)
    args = p.parse_args()
    server = await asyncio.get_running_loop().create_server(
        Echo, args.host, args.port, reuse_address=True, backlog=args.backlog)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
