#!/usr/bin/python3
"""Wire-level checks of a running server on the wslay glue (c-h2o): exact
close codes, handshake refusals, byte-at-a-time delivery.
Usage: wire_test.py PORT [MAX_MESSAGE]
(MAX_MESSAGE: the server's --max-message, default 16 MiB). Waits up to 5 s
for the server to listen. Exits non-zero if a check failed and says which."""
import os
import socket
import struct
import sys
import time

# wsmini, the kit's WebSocket client, lives in tests/robust at the top.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "..", "tests", "robust"))
from wsmini import frame, read_head, recv_frame_bytes  # noqa: E402

PORT = int(sys.argv[1])
MAX = int(sys.argv[2]) if len(sys.argv) > 2 else 16 << 20
KEY = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
UPGRADE = ("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % KEY).encode()
failures = 0


def wait_listening(deadline_s=5.0):
    end = time.monotonic() + deadline_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > end:
                sys.exit("wire_test: nothing listens on port %d" % PORT)
            time.sleep(0.05)


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


class Conn:
    def __init__(self, request=UPGRADE):
        self.s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
        self.s.sendall(request)
        self.head = read_head(self.s)

    def send(self, data, bytewise=False):
        if bytewise:
            for i in range(len(data)):
                self.s.sendall(data[i:i + 1])
        else:
            self.s.sendall(data)

    def recv_frame(self):
        """(first byte whole, payload): callers check the FIN and RSV bits too."""
        return recv_frame_bytes(self.s)[:2]

    def expect_close(self, code):
        b0, p = self.recv_frame()
        got = struct.unpack("!H", p[:2])[0] if len(p) >= 2 else None
        assert b0 == 0x88 and got == code, "want close %s, got opcode %#x payload %r" % (code, b0, p[:20])
        # and then the server closes the TCP connection
        self.s.settimeout(3)
        rest = self.s.recv(100)
        assert rest == b"", "data after close: %r" % rest

    def expect_echo(self, opcode, payload):
        b0, p = self.recv_frame()
        assert b0 == 0x80 | opcode, "want opcode %#x, got %#x" % (0x80 | opcode, b0)
        assert p == payload, "echo differs (%d vs %d bytes)" % (len(p), len(payload))


def check(name, fn):
    global failures
    try:
        fn()
        print("ok   ", name)
    except Exception as e:  # noqa: BLE001 - report every kind of failure
        failures += 1
        print("FAIL ", name, "-", e)


def echo_sizes():
    c = Conn()
    assert b" 101 " in c.head.split(b"\r\n")[0], c.head
    assert b"sec-websocket-accept: " + ACCEPT.lower() in c.head.lower(), c.head
    for n in (0, 1, 125, 126, 65535, 65536, 1 << 20):
        p = os.urandom(n)
        c.send(frame(2, p))
        c.expect_echo(2, p)
        t = ("\u00e9" * (n // 2)).encode()
        c.send(frame(1, t))
        c.expect_echo(1, t)
    c.send(frame(8, close_payload(1000)))
    c.expect_close(1000)


def exact_max():
    c = Conn()
    p = os.urandom(MAX)
    c.send(frame(2, p))
    c.expect_echo(2, p)


def over_max():
    c = Conn()
    c.send(frame(2, b"", fin=False) + frame(0, b"x" * 10, fin=False, length=None))
    # Only the header and one byte: the server must refuse on the declared
    # length, not wait for (and buffer) the payload.
    c.send(frame(0, b"", fin=False, length=MAX - 9)[:14] + b"y")
    c.expect_close(1009)


def bytewise():
    c = Conn()
    msg = frame(1, b"Hel", fin=False) + frame(9, b"p") + frame(0, b"lo", fin=False) + \
        frame(10, b"unsolicited") + frame(0, "\u20ac".encode(), fin=True)
    c.send(msg, bytewise=True)
    b0, p = c.recv_frame()
    assert (b0, p) == (0x8A, b"p"), (b0, p)
    c.expect_echo(1, "Hello\u20ac".encode())
    c.send(frame(8, close_payload(1000, b"bye")), bytewise=True)
    c.expect_close(1000)


def coalesced_with_handshake():
    c = Conn(UPGRADE + frame(1, b"early") + frame(9, b"pp"))
    # Control frames may be sent ahead of a queued message: either order.
    got = sorted([c.recv_frame(), c.recv_frame()])
    assert got == [(0x81, b"early"), (0x8A, b"pp")], got


def closes(data, code, echo=None):
    """data gets close `code`, after the echo of `echo` if given."""
    def run():
        c = Conn()
        c.send(data)
        if echo:
            c.expect_echo(*echo)
        c.expect_close(code)
    return run


def http_status(request, status, header=None):
    def run():
        s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
        s.sendall(request)
        r = read_head(s)
        line = r.split(b"\r\n")[0]
        assert line.startswith(b"HTTP/1.1 %d " % status), line
        if header:
            assert header.lower() in r.lower(), r
    return run


U = UPGRADE.decode()
wait_listening()
check("echo 0 B .. 1 MiB text and binary, close 1000", echo_sizes)
check("echo exactly --max-message", exact_max)
check("1009 over --max-message (fragmented)", over_max)
check("byte at a time: fragments, ping inside, pong ignored", bytewise)
check("frames coalesced with the handshake", coalesced_with_handshake)
check("1007 invalid UTF-8 text", closes(frame(1, b"\xff\xfe"), 1007))
check("1007 invalid UTF-8 across fragments", closes(frame(1, b"a\xe2", fin=False) + frame(0, b"\x28\xa1"), 1007))
check("1007 invalid UTF-8 close reason", closes(frame(8, close_payload(1000, b"\xc3\x28")), 1007))
check("1002 close code 1005", closes(frame(8, close_payload(1005)), 1002))
check("1002 close code 999", closes(frame(8, close_payload(999)), 1002))
check("1002 close 1-byte payload", closes(frame(8, b"\x03"), 1002))
check("1002 RSV1", closes(frame(1, b"x", rsv=0x40), 1002))
check("1002 reserved opcode 3", closes(frame(3, b"x"), 1002))
check("1002 reserved opcode 11", closes(frame(11, b"x"), 1002))
check("1002 ping of 126 bytes", closes(frame(9, b"x" * 126), 1002))
check("1002 fragmented ping", closes(frame(9, b"x", fin=False), 1002))
check("1002 continuation without a start", closes(frame(0, b"x"), 1002))
check("1002 text inside a fragmented message", closes(frame(1, b"a", fin=False) + frame(1, b"b"), 1002))
check("1002 unmasked frame", closes(frame(1, b"x", masked=False), 1002))
check("1002 16-bit length for 5 bytes", closes(b"\x82\xfe\x00\x05\0\0\0\0hello", 1002))
check("1002 64-bit length with top bit", closes(b"\x82\xff\x80" + b"\0" * 7 + b"\1\2\3\4", 1002))
check("1002 after garbage, the message before it echoed first",
      closes(frame(1, b"ok") + b"\x83\x80garbage", 1002, echo=(1, b"ok")))
check("close reply after the echo of a message in the same write",
      closes(frame(2, b"last") + frame(8, close_payload(1000)), 1000, echo=(2, b"last")))
check("close 1012 (IANA) echoed", closes(frame(8, close_payload(1012, b"restart")), 1012))
check("1007 close 1013 with invalid UTF-8 reason", closes(frame(8, close_payload(1013, b"\xff")), 1007))
check("close 3000 echoed", closes(frame(8, close_payload(3000)), 3000))
check("426 version 8", http_status(UPGRADE.replace(b"Version: 13", b"Version: 8"), 426, b"Sec-WebSocket-Version: 13"))
check("400 missing key", http_status(U.replace("Sec-WebSocket-Key: %s\r\n" % KEY, "").encode(), 400))
check("400 malformed key", http_status(UPGRADE.replace(KEY.encode(), b"abc"), 400))
check("405 POST", http_status(UPGRADE.replace(b"GET", b"POST", 1), 405))
check("426 plain GET", http_status(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 426, b"Sec-WebSocket-Version: 13"))
check("431 oversized header block", http_status(UPGRADE.replace(b"Host: x", b"Host: x\r\nX-Big: " + b"a" * 9000), 431))
sys.exit(1 if failures else 0)
