#!/usr/bin/python3
"""Server memory per idle WebSocket connection.

Usage: idle_mem.py SERVER_BINARY PORT [N [server args]]
Starts the server on 127.0.0.1:PORT, opens N (default 10000) connections
from 4 client processes, completes the handshake on each, and reports
(server RSS after - before) / N, summed over its process group by the
kit's client/build/procstat: first with the connections just upgraded,
then after one 16-byte echo on each and 3 s of quiet (the glue releases
idle wslay contexts after about a second).
"""
import os
import signal
import socket
import subprocess
import sys
import time

# wsmini, the kit's WebSocket client, lives in tests/robust at the top.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "tests", "robust"))
import wsmini  # noqa: E402

# The kit's one sampler of memory (client/README.md; make -C client).
PROCSTAT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "..", "..", "client", "build", "procstat")

HOST = "127.0.0.1"
REQ = (b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
MSG = b"\x82\x90\x01\x02\x03\x04" + bytes(16)


def rss_kb(pid):
    """RSS of pid's process group in KiB, read by the kit's one sampler."""
    r = subprocess.run([PROCSTAT, "--count", "1", str(pid)], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("%s: %s" % (PROCSTAT, r.stderr.strip()))
    return int(r.stdout.split()[1]) // 1024


def recv_until(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise SystemExit("server closed a connection")
        buf += chunk
    return buf


def client(port, n, ready_w, go_r):
    socks = []
    for _ in range(n):
        s = socket.create_connection((HOST, port), timeout=30)
        s.sendall(REQ)
        buf = b""
        while not buf.endswith(b"\r\n\r\n"):
            buf += recv_until(s, 1)
        if not buf.startswith(b"HTTP/1.1 101"):
            raise SystemExit("no 101")
        socks.append(s)
    os.write(ready_w, b"1")
    os.read(go_r, 1)
    for s in socks:
        s.sendall(MSG)
    for s in socks:
        if recv_until(s, 18) != b"\x82\x10" + b"\x01\x02\x03\x04" * 4:
            raise SystemExit("bad echo")
    os.write(ready_w, b"2")
    os.read(go_r, 1)  # hold the connections until told
    os._exit(0)


def wait_all(ready_r, procs):
    for _ in range(procs):
        if os.read(ready_r, 1) == b"E":
            raise SystemExit("a client failed")


def main():
    binary, port = sys.argv[1], int(sys.argv[2])
    total = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    procs = 4
    # its own process group: the one procstat sums (the workers of a -N server)
    server = subprocess.Popen([binary, "--host", HOST, "--port", str(port)] + sys.argv[4:],
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wsmini.wait_listening(HOST, port, server)
        time.sleep(0.5)
        before = rss_kb(server.pid)
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        kids = []
        for i in range(procs):
            pid = os.fork()
            if pid == 0:
                try:
                    client(port, total // procs, ready_w, go_r)
                except BaseException as e:
                    print("client: %s" % e, file=sys.stderr)
                    os.write(ready_w, b"E")
                    os._exit(1)
            kids.append(pid)
        wait_all(ready_r, procs)
        time.sleep(0.5)
        upgraded = rss_kb(server.pid)
        os.write(go_w, b"x" * procs)
        wait_all(ready_r, procs)
        time.sleep(3)
        after_echo = rss_kb(server.pid)
        print("%s: RSS before %d KiB; %d idle upgraded connections: +%d KiB = %.0f B each; "
              "after one echo each and 3 s quiet: +%d KiB = %.0f B each" %
              (os.path.basename(binary), before, total, upgraded - before,
               (upgraded - before) * 1024 / total, after_echo - before,
               (after_echo - before) * 1024 / total))
        os.write(go_w, b"x" * procs)
        for pid in kids:
            os.waitpid(pid, 0)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
