"""A minimal blocking WebSocket client over plain sockets, just enough for the
robustness checks to handshake, echo and measure, and for the contestants'
own tests to send malformed frames and read the exact bytes that come back.
Standard library only, so it runs with Debian's /usr/bin/python3 and nothing
else."""
import base64
import hashlib
import os
import socket
import struct
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WsError(Exception):
    pass


class WsClosed(WsError, EOFError):
    """The peer closed the connection: also an EOFError, for tests to which
    a close is an acceptable answer."""


def request(host, port, key=None):
    key = key or base64.b64encode(os.urandom(16))
    return key, (b"GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                 b"Sec-WebSocket-Version: 13\r\n\r\n"
                 % (host.encode(), port, key))


def expected_accept(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def connect(host, port, timeout=5.0):
    """Connects and completes the handshake; returns the socket (blocking,
    with `timeout`) or raises WsError / OSError."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        key, req = request(host, port)
        s.sendall(req)
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in buf:
            if time.monotonic() > deadline:
                raise WsError("handshake response not complete after %.1f s" % timeout)
            chunk = s.recv(4096)
            if not chunk:
                raise WsError("connection closed during handshake (got %r)" % buf[:80])
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        if rest:
            raise WsError("server sent %d bytes after its 101" % len(rest))
        lines = head.split(b"\r\n")
        if not lines[0].startswith(b"HTTP/1.1 101"):
            raise WsError("status line %r" % lines[0])
        accept = [l.split(b":", 1)[1].strip() for l in lines[1:]
                  if l.lower().startswith(b"sec-websocket-accept:")]
        if accept != [expected_accept(key)]:
            raise WsError("bad Sec-WebSocket-Accept %r" % accept)
        return s
    except BaseException:
        s.close()
        raise


def wait_listening(host, port, proc, seconds=10.0):
    """Waits until the server started as `proc` (a subprocess.Popen) accepts
    on host:port; raises WsError if it exits first or is not listening
    within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise WsError("server exited with %d at start" % proc.returncode)
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise WsError("server not listening on %d after %.0f s" % (port, seconds))
            time.sleep(0.05)


def frame(opcode, payload=b"", fin=True, mask=None, rsv=0, length=None, masked=True):
    """A client frame, masked as RFC 6455 requires. To provoke a server's
    refusals: `rsv` bits, a declared `length` other than the payload's, or
    masked=False."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | rsv | opcode
    mbit = 0x80 if masked else 0
    if n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if not masked:
        return head + payload
    mask = mask if mask is not None else os.urandom(4)
    return head + mask + apply_mask(payload, mask)


def server_frame(opcode, payload, fin=True):
    """The bytes a server must send: unmasked, shortest length encoding."""
    return frame(opcode, payload, fin, masked=False)


def apply_mask(payload, mask):
    if not payload:
        return b""
    # XOR as one big integer: fast enough for megabytes in pure Python.
    reps = (len(payload) + 3) // 4
    m = int.from_bytes((mask * reps)[:len(payload)], "big")
    return (int.from_bytes(payload, "big") ^ m).to_bytes(len(payload), "big")


def recv_exact(s, n):
    chunks, got = [], 0
    while got < n:
        c = s.recv(min(n - got, 1 << 20))
        if not c:
            raise WsClosed("connection closed with %d of %d bytes read" % (got, n))
        chunks.append(c)
        got += len(c)
    return b"".join(chunks)


def read_head(s):
    """Reads an HTTP response head up to and including its blank line. One
    byte at a time, so that frames sent right behind it stay in the socket
    for recv_frame."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        c = s.recv(1)
        if not c:
            raise WsClosed("connection closed during the response head %r" % head[:80])
        head += c
    return head


def recv_header(s):
    """Returns (first byte, payload length, header bytes) of the next server
    frame."""
    head = recv_exact(s, 2)
    if head[1] & 0x80:
        raise WsError("server frame is masked")
    n, ext = head[1] & 0x7F, b""
    if n == 126:
        ext = recv_exact(s, 2)
        n = struct.unpack("!H", ext)[0]
    elif n == 127:
        ext = recv_exact(s, 8)
        n = struct.unpack("!Q", ext)[0]
    return head[0], n, head + ext


def recv_frame(s):
    """Returns (fin, opcode, payload) of the next server frame."""
    b0, n, _ = recv_header(s)
    return bool(b0 & 0x80), b0 & 0x0F, recv_exact(s, n)


def recv_frame_bytes(s):
    """Returns (b0, payload, wire) of the next server frame: its first byte
    whole (FIN, RSV bits, opcode), its payload, and every byte of it as it
    came, for tests that compare the encoding exactly."""
    b0, n, head = recv_header(s)
    payload = recv_exact(s, n)
    return b0, payload, head + payload


def recv_message(s):
    """Reassembles one data message, answering nothing (the server does not
    ping in these tests). Returns (opcode, payload)."""
    fin, op, data = recv_frame(s)
    parts = [data]
    while not fin:
        fin, cont, data = recv_frame(s)
        if cont != 0:
            raise WsError("expected continuation, got opcode %d" % cont)
        parts.append(data)
    return op, b"".join(parts)


def echo_once(host, port, payload=b"probe", timeout=5.0):
    """A fresh connection, one binary echo, a clean close. Returns the
    seconds it took, or raises with the reason."""
    t0 = time.monotonic()
    s = connect(host, port, timeout)
    try:
        s.sendall(frame(0x2, payload))
        op, got = recv_message(s)
        if op != 0x2 or got != payload:
            raise WsError("echo differs: opcode %d, %d bytes" % (op, len(got)))
        s.sendall(frame(0x8, struct.pack("!H", 1000)))
        fin, op, data = recv_frame(s)
        if op != 0x8:
            raise WsError("expected close, got opcode %d" % op)
    finally:
        s.close()
    return time.monotonic() - t0
