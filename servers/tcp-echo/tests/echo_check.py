#!/usr/bin/python3
"""Plain-TCP echo checks for servers/tcp-echo (standard library only).

  echo_check.py --port P [--host 127.0.0.1]   against a running server
  echo_check.py --server BIN                  starts BIN on a free port
                                              (tests/lib/free_port), checks,
                                              then SIGTERM: exit 0 within 5 s

Every check compares the echoed bytes with the sent ones, in order:
  sizes         1 B, 20 B, 64 KiB, 1 MiB, 4 MiB on one connection
  many          100 connections at once, 50 round trips of 20 B each
  slow-reader   8 MiB sent while not reading until the sender is stuck for
                0.5 s (the server must hold its unsent echo and stop
                reading), then everything read back
  half-close    data then SHUT_WR on 20 connections at once: every byte
                comes back, then EOF
Prints one line per check and PASS or FAIL; exit status 0 only if all pass.
"""
import argparse
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FREE_PORT = os.path.join(HERE, "..", "..", "..", "tests", "lib", "free_port")
DEADLINE_S = 20


class CheckError(Exception):
    pass


def pattern(n, seed):
    """n bytes that differ by position and seed, so a shifted or mixed-up
    echo never matches by chance."""
    block = bytes((i * 31 + seed * 7) & 0xFF for i in range(251))
    return (block * (n // 251 + 1))[:n]


def connect(host, port):
    s = socket.create_connection((host, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setblocking(False)
    return s


def exchange(socks_data, read_after_stall=False):
    """Sends each socket its bytes while reading its echo (or, with
    read_after_stall, not reading until sending has stalled for 0.5 s);
    returns the echoes. Bounded by DEADLINE_S."""
    sel = selectors.DefaultSelector()
    state = {}
    for s, data in socks_data:
        state[s] = {"out": memoryview(data), "in": bytearray(), "want": len(data)}
        sel.register(s, selectors.EVENT_WRITE)
    reading = not read_after_stall
    last_progress = time.monotonic()
    end = time.monotonic() + DEADLINE_S
    while any(len(st["in"]) < st["want"] for st in state.values()):
        if time.monotonic() > end:
            raise CheckError("timed out: %d of %d bytes echoed" % (
                sum(len(st["in"]) for st in state.values()),
                sum(st["want"] for st in state.values())))
        for key, ev in sel.select(0.1):
            s, st = key.fileobj, state[key.fileobj]
            if ev & selectors.EVENT_WRITE and st["out"]:
                try:
                    n = s.send(st["out"][:256 * 1024])
                    st["out"] = st["out"][n:]
                    last_progress = time.monotonic()
                except BlockingIOError:
                    pass
            if ev & selectors.EVENT_READ and reading:
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise CheckError("server closed after %d of %d bytes" % (len(st["in"]), st["want"]))
                st["in"] += chunk
        if not reading and (time.monotonic() - last_progress > 0.5
                            or not any(st["out"] for st in state.values())):
            reading = True
        for s, st in state.items():
            events = (selectors.EVENT_READ if reading else 0) | (selectors.EVENT_WRITE if st["out"] else 0)
            sel.modify(s, events or selectors.EVENT_READ)
    sel.close()
    return {s: bytes(st["in"]) for s, st in state.items()}


def expect_same(got, sent, what):
    if got != sent:
        at = next((i for i, (a, b) in enumerate(zip(got, sent)) if a != b), min(len(got), len(sent)))
        raise CheckError("%s: echo differs at byte %d (%d sent, %d back)" % (what, at, len(sent), len(got)))


def check_sizes(host, port):
    s = connect(host, port)
    try:
        for i, n in enumerate((1, 20, 64 * 1024, 1 << 20, 4 << 20)):
            data = pattern(n, i)
            expect_same(exchange([(s, data)])[s], data, "%d B" % n)
    finally:
        s.close()
    return "1 B to 4 MiB echoed"


def check_many(host, port):
    socks = [connect(host, port) for _ in range(100)]
    try:
        for rnd in range(50):
            sent = [(s, pattern(20, rnd * 100 + i)) for i, s in enumerate(socks)]
            got = exchange(sent)
            for s, data in sent:
                expect_same(got[s], data, "round %d" % rnd)
    finally:
        for s in socks:
            s.close()
    return "100 connections x 50 round trips"


def check_slow_reader(host, port):
    s = connect(host, port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    try:
        data = pattern(8 << 20, 3)
        expect_same(exchange([(s, data)], read_after_stall=True)[s], data, "8 MiB")
    finally:
        s.close()
    return "8 MiB echoed to a reader that stalled"


HALF_CLOSERS = 20


def check_half_close(host, port):
    """Data then FIN on HALF_CLOSERS connections opened at once, so that on
    most of them both are queued before the server reads (its FIN raises no
    readiness edge of its own): every byte must come back, then EOF."""
    socks = [socket.create_connection((host, port), timeout=5) for _ in range(HALF_CLOSERS)]
    try:
        for i, s in enumerate(socks):
            s.sendall(pattern(1000, 9 + i))
            s.shutdown(socket.SHUT_WR)
        for i, s in enumerate(socks):
            got = bytearray()
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            expect_same(bytes(got), pattern(1000, 9 + i), "connection %d before EOF" % i)
    except socket.timeout:
        raise CheckError("no EOF 5 s after our FIN (connection %d of %d)" % (i, HALF_CLOSERS))
    finally:
        for s in socks:
            s.close()
    return "%d connections: all bytes back, then EOF" % HALF_CLOSERS


CHECKS = [("sizes", check_sizes), ("many", check_many),
          ("slow-reader", check_slow_reader), ("half-close", check_half_close)]


def run_checks(host, port):
    ok = True
    for name, fn in CHECKS:
        try:
            print("%s: %s" % (name, fn(host, port)))
        except (CheckError, OSError) as e:
            print("%s: FAIL: %s" % (name, e))
            ok = False
    return ok


def start_server(binary):
    out = subprocess.run([FREE_PORT], capture_output=True, text=True)
    if out.returncode != 0:
        raise CheckError("free_port: %s" % out.stderr.strip())
    port = int(out.stdout.split()[0])
    p = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port)],
                         stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if p.poll() is not None:
            raise CheckError("%s exited with %d: %s" % (binary, p.returncode, p.stderr.read().strip()))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return p, port
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise CheckError("%s not accepting on %d after 10 s" % (binary, port))


def stop_server(p):
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise CheckError("still running 5 s after SIGTERM")
    err = p.stderr.read()
    sys.stdout.write(err)
    if rc != 0:
        raise CheckError("exit status %d after SIGTERM" % rc)
    if "ERROR: AddressSanitizer" in err or "runtime error:" in err or "LeakSanitizer" in err:
        raise CheckError("sanitizer report")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int)
    ap.add_argument("--server", help="start this binary on a free port, then stop it")
    a = ap.parse_args()
    if (a.port is None) == (a.server is None):
        ap.error("give --port or --server")
    try:
        if a.server:
            p, port = start_server(a.server)
            try:
                ok = run_checks("127.0.0.1", port)
            finally:
                stop_server(p)
        else:
            ok = run_checks(a.host, a.port)
    except CheckError as e:
        print("FAIL: %s" % e)
        return 1
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
