#!/usr/bin/python3
"""End-to-end checks of a wslay contestant, byte-exact, over raw sockets.

Usage: echo_test.py SERVER_BINARY PORT [extra server args]
Starts the server on 127.0.0.1:PORT, runs every check, stops it with
SIGTERM and requires a clean exit. Exit status 0 only if all checks pass.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

# wsmini, the kit's WebSocket client, lives in tests/robust at the top.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "..", "tests", "robust"))
import wsmini  # noqa: E402
from wsmini import frame, recv_exact, server_frame  # noqa: E402

MIB = 1 << 20
HOST = "127.0.0.1"
# A failed check and a failed read (EOF, a masked server frame) are one kind.
Fail = wsmini.WsError


def expect(cond, what):
    if not cond:
        raise Fail(what)


def recv_frame(s):
    """(first byte whole, payload): FIN and RSV bits are compared too."""
    return wsmini.recv_frame_bytes(s)[:2]


def expect_eof(s, what):
    s.settimeout(3)
    try:
        data = s.recv(1)
    except ConnectionResetError:
        return
    expect(data == b"", what + ": expected EOF, got %r" % data)


def expect_close(s, code, what):
    try:
        b0, payload = recv_frame(s)
    except Fail as e:
        raise Fail("%s: %s" % (what, e))
    expect(b0 == 0x88, "%s: expected a close frame, got byte0 0x%02x" % (what, b0))
    expect(len(payload) >= 2, "%s: close without a status code" % what)
    got = struct.unpack("!H", payload[:2])[0]
    expect(got == code, "%s: expected close %d, got %d" % (what, code, got))
    expect_eof(s, what)


def request(key=b"dGhlIHNhbXBsZSBub25jZQ=="):
    return (b"GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key +
            b"\r\nSec-WebSocket-Version: 13\r\n\r\n")


def connect(port):
    s = socket.create_connection((HOST, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def ws_connect(port):
    s = connect(port)
    s.sendall(request())
    head = wsmini.read_head(s)
    expect(head.startswith(b"HTTP/1.1 101"), "no 101: %r" % head)
    return s


# ---- checks ----

def check_handshake(port):
    key = b"dGhlIHNhbXBsZSBub25jZQ=="
    want = wsmini.expected_accept(key)
    expect(want == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "test's own accept computation")
    s = connect(port)
    s.sendall(request(key))
    head = wsmini.read_head(s).lower()
    expect(b"sec-websocket-accept: " + want.lower() in head, "accept key: %r" % head)
    s.close()


def check_echo_sizes(port):
    s = ws_connect(port)
    for n in (0, 1, 125, 126, 65535, 65536, MIB, 16 * MIB):
        for op in (1, 2):
            payload = (b"abcdefghij" * (n // 10 + 1))[:n]
            s.sendall(frame(op, payload))
            got = recv_exact(s, len(server_frame(op, payload)))
            expect(got == server_frame(op, payload), "echo of %d bytes, opcode %d" % (n, op))
    s.close()


def check_fragmented_with_ping(port):
    s = ws_connect(port)
    s.sendall(frame(1, b"Hel", fin=False) + frame(9, b"ping!") +
              frame(0, b"lo, ", fin=False) + frame(10, b"unsolicited") +
              frame(0, "w\u00f6rld".encode(), fin=True))
    expect(recv_exact(s, 7) == server_frame(10, b"ping!"), "pong with the ping's payload")
    msg = "Hello, w\u00f6rld".encode()
    expect(recv_exact(s, len(msg) + 2) == server_frame(1, msg), "reassembled text")
    # A multi-byte code point split across fragments stays valid.
    euro = "\u20ac".encode()
    s.sendall(frame(1, euro[:1], fin=False) + frame(0, euro[1:2], fin=False) + frame(0, euro[2:]))
    expect(recv_exact(s, 5) == server_frame(1, euro), "code point split over fragments")
    s.close()


def check_byte_at_a_time(port):
    s = connect(port)
    data = request() + frame(2, bytes(range(200))) + frame(1, b"tiny")
    for i in range(len(data)):
        s.send(data[i:i + 1])
        time.sleep(0.001)
    wsmini.read_head(s)
    expect(recv_exact(s, 204) == server_frame(2, bytes(range(200))), "byte-at-a-time binary")
    expect(recv_exact(s, 6) == server_frame(1, b"tiny"), "byte-at-a-time text")
    s.close()


def check_coalesced(port):
    # Handshake and frames in one write: the frames must not be lost.
    s = connect(port)
    s.sendall(request() + frame(1, b"one") + frame(2, b"two"))
    wsmini.read_head(s)
    expect(recv_exact(s, 10) == server_frame(1, b"one") + server_frame(2, b"two"), "coalesced")
    s.close()


def check_close(port):
    s = ws_connect(port)
    s.sendall(frame(8, struct.pack("!H", 1000) + b"bye"))
    b0, payload = recv_frame(s)
    expect(b0 == 0x88 and payload[:2] == struct.pack("!H", 1000), "close echo: %r" % payload)
    expect_eof(s, "after the close handshake")
    s.close()
    # Messages and the close in one write: every echo comes before the close.
    s = ws_connect(port)
    s.sendall(frame(1, b"first") + frame(2, b"x" * 70000) + frame(8, struct.pack("!H", 1000)))
    expect(recv_exact(s, 7) == server_frame(1, b"first"), "echo before close (1)")
    expect(recv_exact(s, 70010) == server_frame(2, b"x" * 70000), "echo before close (2)")
    expect(recv_frame(s) == (0x88, struct.pack("!H", 1000)), "close after the echoes")
    expect_eof(s, "after echoes and close")
    s = ws_connect(port)
    s.sendall(frame(8, b""))
    expect(recv_frame(s) == (0x88, b""), "empty close answered with an empty close")
    expect_eof(s, "after empty close")
    for code in (1001, 1012, 3000, 4999):
        s = ws_connect(port)
        s.sendall(frame(8, struct.pack("!H", code)))
        b0, payload = recv_frame(s)
        expect(b0 == 0x88 and payload[:2] == struct.pack("!H", code), "close %d echoed: %r" % (code, payload))
        s.close()


def check_protocol_errors(port):
    cases = [
        ("rsv1 bit", frame(1, b"x", rsv=0x40), 1002),
        ("rsv3 bit", frame(2, b"x", rsv=0x10), 1002),
        ("unmasked frame", frame(1, b"x", masked=False), 1002),
        ("reserved opcode 3", frame(3, b"x"), 1002),
        ("reserved opcode 0xB", frame(11, b""), 1002),
        ("continuation first", frame(0, b"x"), 1002),
        ("text inside fragmented", frame(1, b"a", fin=False) + frame(1, b"b"), 1002),
        ("fragmented ping", frame(9, b"p", fin=False), 1002),
        ("ping over 125", frame(9, b"p" * 126), 1002),
        ("close with 1 byte", frame(8, b"\x03"), 1002),
        ("close code 999", frame(8, struct.pack("!H", 999)), 1002),
        ("close code 1005", frame(8, struct.pack("!H", 1005)), 1002),
        ("close code 1016", frame(8, struct.pack("!H", 1016)), 1002),
        ("close code 2999", frame(8, struct.pack("!H", 2999)), 1002),
        ("close code 5000", frame(8, struct.pack("!H", 5000)), 1002),
        ("invalid utf-8", frame(1, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"), 1007),
        ("overlong utf-8", frame(1, b"\xc0\xaf"), 1007),
        ("truncated utf-8 at end", frame(1, b"ok\xe2\x82"), 1007),
        ("utf-8 above U+10FFFF", frame(1, b"\xf4\x90\x80\x80"), 1007),
        ("invalid utf-8 close reason", frame(8, struct.pack("!H", 1000) + b"\xff"), 1007),
        # Fail fast: the bad first fragment is enough, the rest never comes.
        ("invalid utf-8 first fragment", frame(1, b"ok\xff", fin=False), 1007),
        ("garbage", b"\x00" * 3 + b"GET / HTTP/1.1\r\n\r\n", 1002),
    ]
    for what, data, code in cases:
        s = ws_connect(port)
        s.sendall(data)
        try:
            expect_close(s, code, what)
        except OSError as e:
            raise Fail("%s: %s" % (what, e))
        s.close()


def check_too_big(port, max_message):
    s = ws_connect(port)
    s.sendall(frame(2, b"", length=max_message + 1)[:14])
    expect_close(s, 1009, "one frame over --max-message")
    s.close()
    s = ws_connect(port)
    half = max_message // 2 + 1
    s.sendall(frame(2, b"z" * half, fin=False))
    s.sendall(frame(0, b"", fin=True, length=half)[:14])
    expect_close(s, 1009, "fragments adding up to over --max-message")
    s.close()


def check_handshake_errors(port):
    cases = [
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"426"),
        (request().replace(b"GET", b"POST"), b"405"),
        (b"\x16\x03\x01garbage\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 10000 + b"\r\n\r\n", b"431"),
    ]
    for data, status in cases:
        s = connect(port)
        s.sendall(data)
        head = wsmini.read_head(s)
        expect(head.startswith(b"HTTP/1.1 " + status), "expected %s, got %r" % (status, head[:40]))
        expect_eof(s, "after a refused handshake")
        s.close()


def check_handshake_timeout(port, timeout_ms):
    s = connect(port)
    s.sendall(b"GET / HTTP/1.1\r\n")
    t0 = time.monotonic()
    expect_eof(s, "slow handshake")
    took = time.monotonic() - t0
    expect(took < timeout_ms / 1000 + 1.0, "handshake timeout took %.2f s" % took)
    s.close()


def check_resets(port):
    # Resets mid-frame and mid-handshake must only cost that connection.
    for data in (request()[:20], request() + frame(2, b"q" * 1000)[:300]):
        s = connect(port)
        s.sendall(data)
        time.sleep(0.05)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    s = ws_connect(port)
    s.sendall(frame(1, b"still here"))
    expect(recv_exact(s, 12) == server_frame(1, b"still here"), "server alive after resets")
    s.close()


def rss_kb(pid):
    total = 0
    for p in [pid] + children(pid):
        with open("/proc/%d/status" % p) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def check_backpressure(port, pid):
    # A client that writes and never reads: the server must stop reading it
    # instead of queueing echoes without bound.
    s = ws_connect(port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    msg = frame(2, b"b" * (64 << 10))
    before = rss_kb(pid)
    s.settimeout(2)
    sent = 0
    try:
        while sent < 256 * MIB:
            sent += s.send(msg)
    except socket.timeout:
        pass
    grew = rss_kb(pid) - before
    expect(sent < 256 * MIB, "server kept reading 256 MiB from a client that does not read")
    expect(grew < 64 * 1024, "server RSS grew %d KiB" % grew)
    print("  backpressure: client got %.1f MiB in before blocking; server RSS +%d KiB" %
          (sent / MIB, grew))
    s.close()


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: echo_test.py SERVER_BINARY PORT [server args]")
    binary, port = sys.argv[1], int(sys.argv[2])
    timeout_ms = 500
    log = open("/tmp/echo_test.%d.log" % port, "w+")
    proc = subprocess.Popen([binary, "--host", HOST, "--port", str(port),
                             "--handshake-timeout-ms", str(timeout_ms)] + sys.argv[3:],
                            stdout=log, stderr=subprocess.STDOUT)
    failed = 0
    try:
        wsmini.wait_listening(HOST, port, proc)
        checks = [
            ("handshake", lambda: check_handshake(port)),
            ("backpressure", lambda: check_backpressure(port, proc.pid)),
            ("echo 0 B .. 16 MiB, text and binary", lambda: check_echo_sizes(port)),
            ("fragments, ping, unsolicited pong", lambda: check_fragmented_with_ping(port)),
            ("byte at a time", lambda: check_byte_at_a_time(port)),
            ("coalesced handshake and frames", lambda: check_coalesced(port)),
            ("close handshake", lambda: check_close(port)),
            ("1002 / 1007 errors", lambda: check_protocol_errors(port)),
            ("1009 over --max-message", lambda: check_too_big(port, 16 * MIB)),
            ("refused handshakes", lambda: check_handshake_errors(port)),
            ("handshake timeout", lambda: check_handshake_timeout(port, timeout_ms)),
            ("resets", lambda: check_resets(port)),
        ]
        for name, fn in checks:
            try:
                fn()
                print("ok   %s" % name)
            except (Fail, OSError) as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
        expect(proc.poll() is None, "server died during the checks")
    except Fail as e:
        failed += 1
        print("FAIL %s" % e)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
    if rc != 0:
        failed += 1
        print("FAIL server exit status %d" % rc)
    log.seek(0)
    text = log.read()
    if "connections " not in text:
        failed += 1
        print("FAIL no statistics line in the server log")
    if "Sanitizer" in text or "runtime error" in text:
        failed += 1
        print("FAIL sanitizer report in the server log")
    print("server log (%s):\n%s" % (log.name, text[-1500:]))
    print("%s: %d failed" % (os.path.basename(binary), failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
