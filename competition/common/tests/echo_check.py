#!/usr/bin/python3
"""Black-box checks of an echo server binary, over raw sockets so every
byte on the wire is the test's own (standard library only: run it with
Debian's /usr/bin/python3).

usage: echo_check.py BINARY PORT [server options...]

Starts BINARY --host 127.0.0.1 --port PORT, runs the cases, stops it with
SIGTERM and expects exit status 0; then starts it again on a second port
from tests/lib/free_port with a 200-file limit for the EMFILE case. ONLY=substring runs matching cases. Prints one line per case; exits 1 if any
failed. Frames the server sends are compared byte for byte where the echo
is one frame (messages up to 64 KiB); longer echoes are reassembled and
their opcodes checked, since fragment sizes are the server's choice."""
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import time

# wsmini, the kit's WebSocket client, lives in tests/robust at the top.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "tests", "robust"))
import wsmini  # noqa: E402
from wsmini import frame, server_frame  # noqa: E402

HOST = "127.0.0.1"
FREE_PORT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "..", "..", "..", "tests", "lib", "free_port")
MAX_MESSAGE = 16 << 20
# A failed check and a failed read (a masked server frame) are one kind; an
# early close is a wsmini.WsClosed, which is an EOFError too.
Fail = wsmini.WsError


def check(cond, what):
    if not cond:
        raise Fail(what)


def close_payload(code, reason=b""):
    return struct.pack(">H", code) + reason


class Conn:
    def __init__(self, port, timeout=10.0):
        self.s = socket.create_connection((HOST, port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = port

    def upgrade(self):
        key, request = wsmini.request(HOST, self.port)
        self.s.sendall(request)
        head = wsmini.read_head(self.s)
        check(head.startswith(b"HTTP/1.1 101 "), "handshake status %r" % head[:40])
        check(b"\r\nsec-websocket-accept: " + wsmini.expected_accept(key).lower() in head.lower(),
              "Sec-WebSocket-Accept missing or wrong")
        return self

    def read_exact(self, n):
        return wsmini.recv_exact(self.s, n)

    def read_frame(self):
        """Returns (fin, opcode, payload, raw bytes); checks the server rules
        (wsmini refuses a masked one)."""
        b0, payload, raw = wsmini.recv_frame_bytes(self.s)
        check(b0 & 0x70 == 0, "server frame has RSV bits")
        return bool(b0 & 0x80), b0 & 0x0F, payload, raw

    def read_message(self):
        """Reassembles one data message; control frames before it are returned too."""
        controls, parts, op = [], [], None
        while True:
            fin, fop, payload, raw = self.read_frame()
            if fop >= 8:
                controls.append(raw)
                if fop == 8:
                    return controls, fop, payload
                continue
            if op is None:
                check(fop in (1, 2), "message starts with opcode %d" % fop)
                op = fop
            else:
                check(fop == 0, "continuation has opcode %d" % fop)
            parts.append(payload)
            if fin:
                return controls, op, b"".join(parts)

    def expect_close(self, code):
        fin, op, payload, raw = self.read_frame()
        check(op == 8, "expected close %d, got opcode %d (%r)" % (code, op, raw[:20]))
        got = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
        check(got == code, "expected close code %d, got %r" % (code, got))

    def expect_eof(self, within=7.0):
        """The server closes TCP after the close handshake (lws may wait for
        our close first; we have sent it by then)."""
        self.s.settimeout(within)
        try:
            while self.s.recv(1 << 20):
                pass
            return
        except ConnectionResetError:
            return
        except socket.timeout:
            raise Fail("no EOF within %.0f s" % within)

    def close(self):
        self.s.close()


# ---- cases -----------------------------------------------------------------

def case_echo_sizes(port):
    c = Conn(port).upgrade()
    for n in (0, 1, 125, 126, 127, 65535, 65536, 65537, 1 << 20, MAX_MESSAGE):
        for op in (1, 2):
            payload = (b"abcdefghij" * (n // 10 + 1))[:n] if op == 1 else os.urandom(n)
            c.s.sendall(frame(op, payload))
            if n <= 65536:
                got = c.read_exact(len(server_frame(op, payload)))
                check(got == server_frame(op, payload), "echo of %d bytes op %d differs" % (n, op))
            else:
                controls, gop, got = c.read_message()
                check(not controls and gop == op and got == payload,
                      "reassembled echo of %d bytes op %d differs" % (n, op))
    c.close()


def case_byte_at_a_time(port):
    c = Conn(port).upgrade()
    text = "byte at a time, é and 😀 split across sends ".encode() * 4
    wire = frame(1, text) + frame(2, b"", fin=False) + frame(0, b"\x00\x01", fin=False) + \
        frame(0, b"\xff")
    for i in range(len(wire)):
        c.s.sendall(wire[i:i + 1])
    check(c.read_exact(len(server_frame(1, text))) == server_frame(1, text), "text echo differs")
    want = server_frame(2, b"\x00\x01\xff")
    check(c.read_exact(len(want)) == want, "fragmented binary echo differs")
    c.close()


def case_coalesced(port):
    # RFC 6455 5.5.3 asks for the pong "as soon as practical", not before the
    # echo of data that arrived after the ping: only data order is checked.
    c = Conn(port).upgrade()
    c.s.sendall(frame(1, b"one") + frame(9, b"p") + frame(2, b"two") +
                frame(1, b"th", fin=False) + frame(0, b"ree"))
    frames = [c.read_frame()[3] for _ in range(4)]
    pong = server_frame(0xA, b"p")
    check(frames.count(pong) == 1, "no single pong among %r" % frames)
    frames.remove(pong)
    check(frames == [server_frame(1, b"one"), server_frame(2, b"two"),
                     server_frame(1, b"three")], "coalesced echoes differ: %r" % frames)
    c.close()


def case_ping_pong(port):
    c = Conn(port).upgrade()
    c.s.sendall(frame(9, b"hello"))
    check(c.read_exact(7) == b"\x8a\x05hello", "pong differs")
    c.s.sendall(frame(9, b""))
    check(c.read_exact(2) == b"\x8a\x00", "empty pong differs")
    c.s.sendall(frame(0xA, b"unsolicited") + frame(1, b"after"))
    check(c.read_exact(7) == server_frame(1, b"after"), "unsolicited pong not ignored")
    c.s.sendall(frame(1, b"ab", fin=False) + frame(9, b"mid") + frame(0, b"cd"))
    want = server_frame(0xA, b"mid") + server_frame(1, b"abcd")
    check(c.read_exact(len(want)) == want, "ping inside a fragmented message")
    c.close()


def case_close_handshake(port):
    c = Conn(port).upgrade()
    c.s.sendall(frame(8, close_payload(1000, b"bye")))
    check(c.read_exact(7) == b"\x88\x05\x03\xe8bye", "close not echoed")
    c.expect_eof()
    c.close()
    c = Conn(port).upgrade()
    c.s.sendall(frame(8))
    check(c.read_exact(2) == b"\x88\x00", "empty close not echoed")
    c.expect_eof()
    c.close()


def fails_with(code, *frames):
    def run(port):
        c = Conn(port).upgrade()
        try:
            c.s.sendall(b"".join(frames))
        except OSError:
            pass
        c.expect_close(code)
        c.s.sendall(frame(8, close_payload(code)))
        c.expect_eof()
        c.close()
    return run


def case_too_big_declared(port):
    # Only the header and 64 KiB: the length alone must earn the 1009.
    c = Conn(port).upgrade()
    c.s.sendall(frame(2, b"", length=MAX_MESSAGE + 1) + b"x" * 65536)
    c.expect_close(1009)
    c.close()


def case_too_big_fragmented(port):
    c = Conn(port).upgrade()
    try:
        c.s.sendall(frame(2, b"a" * (10 << 20), fin=False) + frame(0, b"b" * ((6 << 20) + 1)))
    except OSError:
        pass
    c.expect_close(1009)
    c.close()


def http_status(request, status, must_have=b""):
    def run(port):
        c = Conn(port)
        c.s.sendall(request)
        head = wsmini.read_head(c.s)
        check(head.startswith(b"HTTP/1.1 %d " % status), "got %r" % head.split(b"\r\n")[0])
        check(must_have.lower() in head.lower(), "response lacks %r" % must_have)
        c.expect_eof()
        c.close()
    return run


def request(method=b"GET", version=b"HTTP/1.1", host=True, upgrade=b"websocket",
            connection=b"Upgrade", key=b"dGhlIHNhbXBsZSBub25jZQ==", wsversion=b"13"):
    r = method + b" / " + version + b"\r\n"
    for name, value in ((b"Host", b"x" if host else None), (b"Upgrade", upgrade),
                        (b"Connection", connection), (b"Sec-WebSocket-Key", key),
                        (b"Sec-WebSocket-Version", wsversion)):
        if value is not None:
            r += name + b": " + value + b"\r\n"
    return r + b"\r\n"


def case_rfc_sample_accept(port):
    c = Conn(port)
    c.s.sendall(request())
    head = wsmini.read_head(c.s)
    check(head.startswith(b"HTTP/1.1 101 "), "status %r" % head[:30])
    check(b"sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n" in head.lower(),
          "RFC 6455 sample key not answered with its accept value")
    c.close()


def case_reset_mid_frame(port):
    for _ in range(20):
        c = Conn(port).upgrade()
        c.s.sendall(frame(2, os.urandom(5000))[:2500])
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    c = Conn(port).upgrade()
    c.s.sendall(frame(1, b"still here"))
    check(c.read_exact(12) == server_frame(1, b"still here"), "no echo after resets")
    c.close()


def case_garbage(port):
    c = Conn(port).upgrade()
    c.s.sendall(b"\x8f\xff" + os.urandom(2000))
    try:
        c.expect_close(1002)
    except EOFError:
        pass
    c.close()
    c = Conn(port).upgrade()
    c.s.sendall(frame(2, b"ok"))
    check(c.read_exact(4) == server_frame(2, b"ok"), "no echo after garbage")
    c.close()


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (fields[1] is
    the parent's pid)."""
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()


def family(pid):
    """pid and its children: the server and the workers of a -N server."""
    pids = [pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if int(stat_fields(int(d))[1]) == pid:
                    pids.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return pids


def rss_kib(pid):
    """RSS of pid plus its children."""
    total = 0
    for p in family(pid):
        try:
            with open("/proc/%d/status" % p) as f:
                total += sum(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        except OSError:
            pass
    check(total > 0, "no RSS for pid %d" % pid)
    return total


def case_non_reading_client(port, pid):
    """Sends 256 MiB of 1 MiB messages without reading one reply: once the
    socket buffers fill the server must stop reading, not keep echoing into
    memory. Its RSS may grow by the two messages in flight, not by 256."""
    before = rss_kib(pid)
    c = Conn(port, timeout=3).upgrade()
    msg = frame(2, b"m" * (1 << 20))
    sent = 0
    try:
        for _ in range(256):
            c.s.sendall(msg)
            sent += 1
    except socket.timeout:
        pass
    time.sleep(0.5)
    grown = rss_kib(pid) - before
    check(sent < 256, "server kept reading all %d messages" % sent)
    check(grown < 16 * 1024, "RSS grew by %d KiB with a non-reading client" % grown)
    c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()


def cpu_seconds(pid):
    """User+system CPU of pid and its children so far."""
    total = 0
    for p in family(pid):
        try:
            fields = stat_fields(p)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def case_emfile(binary, port, extra):
    """A server with 200 open files meets 300 connections: it must serve
    what fits, shed or park the rest without spinning a core, and serve
    again once connections go away."""
    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))
    # One worker: the limit is per process, so N workers would fit 300.
    proc = subprocess.Popen([binary, "--host", HOST, "--port", str(port)] + extra +
                            ["--workers", "1"], preexec_fn=limit)
    conns = []
    try:
        wsmini.wait_listening(HOST, port, proc)
        for _ in range(300):
            c = Conn(port, timeout=5)
            c.s.sendall(wsmini.request(HOST, port)[1])
            conns.append(c)
        time.sleep(1.0)
        t0, c0 = time.monotonic(), cpu_seconds(proc.pid)
        time.sleep(3.0)
        share = (cpu_seconds(proc.pid) - c0) / (time.monotonic() - t0)
        upgraded = 0
        for c in conns:
            c.s.setblocking(False)
            try:
                upgraded += c.s.recv(12) == b"HTTP/1.1 101"
            except OSError:
                pass
        check(share < 0.25, "server used %.0f%% of a core at the fd limit" % (share * 100))
        check(50 < upgraded < 200, "%d of 300 upgraded under a 200-file limit" % upgraded)
        for c in conns:
            c.close()
        conns = []
        deadline = time.monotonic() + 10
        while True:
            try:
                c = Conn(port, timeout=2).upgrade()
                c.s.sendall(frame(1, b"after"))
                check(c.read_exact(7) == server_frame(1, b"after"), "echo after the storm")
                c.close()
                break
            except (OSError, EOFError, Fail):
                if time.monotonic() > deadline:
                    raise Fail("no service 10 s after the connections closed")
                time.sleep(0.2)
        print("      (%d of 300 upgraded, %.1f%% CPU while at the limit)" % (upgraded, share * 100))
    finally:
        for c in conns:
            c.close()
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
    check(rc == 0, "exit status %d after SIGTERM" % rc)


CASES = [
    ("echo 0 B..16 MiB text+binary", case_echo_sizes),
    ("byte-at-a-time delivery", case_byte_at_a_time),
    ("coalesced frames", case_coalesced),
    ("ping/pong", case_ping_pong),
    ("close handshake", case_close_handshake),
    ("1002 RSV1 without extension", fails_with(1002, frame(1, b"x", rsv=0x40))),
    ("1002 reserved opcode 3", fails_with(1002, frame(3, b"x"))),
    ("1002 reserved opcode 0xB", fails_with(1002, frame(0xB, b""))),
    ("1002 fragmented ping", fails_with(1002, frame(9, b"x", fin=False))),
    ("1002 continuation first", fails_with(1002, frame(0, b"x"))),
    ("1002 text inside fragmented", fails_with(1002, frame(1, b"a", fin=False), frame(1, b"b"))),
    ("1002 close with 1-byte payload", fails_with(1002, frame(8, b"\x03"))),
    ("1002 close code 999", fails_with(1002, frame(8, close_payload(999)))),
    ("1002 close code 1005", fails_with(1002, frame(8, close_payload(1005)))),
    ("1002 close code 2999", fails_with(1002, frame(8, close_payload(2999)))),
    ("1007 invalid UTF-8", fails_with(1007, frame(1, b"ok\xff"))),
    ("1007 invalid across fragments", fails_with(1007, frame(1, b"a\xc3", fin=False),
                                                   frame(0, b"\x28"))),
    ("1007 truncated code point", fails_with(1007, frame(1, b"a\xe2\x82"))),
    ("1007 surrogate", fails_with(1007, frame(1, b"\xed\xa0\x80"))),
    ("1007 close reason", fails_with(1007, frame(8, close_payload(1000, b"\xc0\xaf")))),
    ("1009 declared length", case_too_big_declared),
    ("1009 fragmented", case_too_big_fragmented),
    ("RFC sample key", case_rfc_sample_accept),
    ("426 version 8", http_status(request(wsversion=b"8"), 426, b"Sec-WebSocket-Version: 13")),
    ("426 no version", http_status(request(wsversion=None), 426)),
    ("426 plain GET", http_status(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 426)),
    ("400 no key", http_status(request(key=None), 400)),
    ("400 short key", http_status(request(key=b"c2hvcnQ="), 400)),
    ("400 no Host", http_status(request(host=False), 400)),
    ("400 no Connection: Upgrade", http_status(request(connection=b"keep-alive"), 400)),
    ("400 HTTP/1.0", http_status(request(version=b"HTTP/1.0"), 400)),
    ("405 POST", http_status(request(method=b"POST"), 405, b"Allow: GET")),
    ("reset mid-frame", case_reset_mid_frame),
    ("garbage after upgrade", case_garbage),
]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, port = sys.argv[1], int(sys.argv[2])
    only = os.environ.get("ONLY", "")
    proc = subprocess.Popen([binary, "--host", HOST, "--port", str(port)] + sys.argv[3:])
    failed = 0
    try:
        wsmini.wait_listening(HOST, port, proc)
        for name, run in CASES + [("bounded memory, non-reading client",
                                   lambda p: case_non_reading_client(p, proc.pid))]:
            if only and only not in name:
                continue
            t = time.monotonic()
            try:
                run(port)
                print("ok    %-40s %6.2f s" % (name, time.monotonic() - t))
            except (Fail, OSError, EOFError) as e:
                failed += 1
                print("FAIL  %-40s %s: %s" % (name, type(e).__name__, e))
            if proc.poll() is not None:
                print("FAIL  server died (status %d) during %r" % (proc.returncode, name))
                return 1
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            rc = None
        if rc != 0:
            failed += 1
            print("FAIL  %-40s exit status %r" % ("SIGTERM exits 0", rc))
        else:
            print("ok    %-40s" % "SIGTERM exits 0")
        if not only or "EMFILE" in only:
            t = time.monotonic()
            try:
                emfile_port = int(subprocess.check_output([FREE_PORT]).split()[0])
                case_emfile(binary, emfile_port, sys.argv[3:])
                print("ok    %-40s %6.2f s" % ("EMFILE: 300 conns, 200 files", time.monotonic() - t))
            except (Fail, OSError, EOFError) as e:
                failed += 1
                print("FAIL  %-40s %s: %s" % ("EMFILE: 300 conns, 200 files", type(e).__name__, e))
    except Fail as e:
        print("FAIL  %s" % e)
        failed += 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    print("%d of %d cases failed" % (failed, len(CASES) + 3) if failed else "all passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
