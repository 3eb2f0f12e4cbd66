#!/usr/bin/python3
"""Robustness checks against a running echo server, loopback only, each
bounded in time. tests/run starts the server (in its own process group) and
calls one check at a time:

  robust.py CHECK --port P --pgid G [--host H] [--handshake-timeout-ms T]
                  [--workers W]

CHECK is one of
  slowloris     300 handshakes that never finish (silent, half a request, one
                byte every 0.5 s) do not stop another client from being
                served, and the server closes each of them after at least
                half the handshake timeout and within timeout + 3 s; one
                more half request, opened last, within timeout + 1 s.
  slow-readers  8 clients send large messages and never read their echoes
                while 4 others keep echoing: the others are still served and
                the server's RSS grows by at most 64 MiB. Then a lone client
                that never reads, with 64 KiB and with 1 MiB messages: the
                server stops reading it before 256 MiB, its RSS growing by
                at most 64 MiB and 16 MiB.
  fd-exhaustion the server runs under `prlimit --nofile=256`; 400 clients
                per worker connect: while they hold on, and after they leave,
                the server uses under 0.2 s of CPU per 2 s (not spinning on
                accept), it upgrades what fits (over 64, under 256 per
                process) and afterwards it serves a new client.
  abuse         garbage before and after the handshake (a close sent for it
                says 1002), truncated frames,
                resets in the middle of a handshake and of a frame, then
                10,000 connect/close cycles: the server keeps running and
                serves a probe after each step. All of it three times (more
                warm-ups for a -N server): the last two rounds must not
                both grow RSS by over 4 MiB.

Prints its measured figures; the last line is "PASS ..." or "FAIL ...";
exits 1 on failure.
"""
import argparse
import errno
import os
import random
import selectors
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procstat  # noqa: E402
import wsmini  # noqa: E402

MiB = 1024 * 1024


class CheckFailed(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def raise_fd_limit():
    # Hundreds of client sockets: take the hard limit for this process.
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def require_alive(a, when):
    if not procstat.alive(a.pgid):
        raise CheckFailed("server is gone %s" % when)


def probe(a, when, attempts_s=3.0):
    """A new client must get its echo; retried briefly because a server that
    just shed load may need a moment. Returns the echo's duration."""
    require_alive(a, when)
    deadline = time.monotonic() + attempts_s
    while True:
        try:
            return wsmini.echo_once(a.host, a.port, b"probe-" + when.encode(), 3.0)
        except (OSError, wsmini.WsError) as e:
            if time.monotonic() > deadline:
                raise CheckFailed("no echo for a new client %s: %s" % (when, e))
            time.sleep(0.1)


def rst_close(s):
    """Close with SO_LINGER 0: the peer sees a reset, not a FIN, and no
    TIME_WAIT is left behind on our side."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def wait_closed(socks, deadline, t0=None, received=None):
    """Reads every socket until the server closes it (EOF or reset) or the
    deadline passes. Returns {sock: seconds from t0 (default: now) until
    closed} for those closed; received, a dict, gets each socket's bytes."""
    sel = selectors.DefaultSelector()
    t0 = time.monotonic() if t0 is None else t0
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    closed = {}
    while len(closed) < len(socks):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, _ in sel.select(min(left, 0.2)):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                closed[s] = time.monotonic() - t0
                sel.unregister(s)
            elif received is not None:
                received[s] = received.get(s, b"") + data
    sel.close()
    return closed


def handshaken(a, n, rcvbuf=None):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(5.0)
        s.connect((a.host, a.port))
        upgrade(a, s)
        socks.append(s)
    return socks


# --- slowloris ---------------------------------------------------------------

def check_slowloris(a):
    timeout = a.handshake_timeout_ms / 1000.0
    _, req = wsmini.request(a.host, a.port)
    groups = {"silent": [], "half-request": [], "trickle": []}
    first = time.monotonic()
    for kind in groups:
        for _ in range(100):
            s = socket.create_connection((a.host, a.port), timeout=5.0)
            if kind == "half-request":
                s.sendall(req[:len(req) // 2])
            groups[kind].append(s)
    # One more, timed from its own open: with the others pending it must
    # still be closed within timeout + 1 s (folded from the wslay
    # contestants' echo_test.py).
    lone = socket.create_connection((a.host, a.port), timeout=5.0)
    lone.sendall(b"GET / HTTP/1.1\r\n")
    opened = time.monotonic()
    log("opening them took %.2f s" % (opened - first))
    log("opened 300 connections that never finish their handshake "
        "(100 silent, 100 half a request, 100 one byte per 0.5 s)")

    took = probe(a, "while 300 handshakes are pending")
    log("a new client got its echo in %.3f s" % took)

    # Trickle in a thread so the server sees traffic until it closes them.
    stop = threading.Event()

    def trickle():
        i = 0
        while not stop.wait(0.5) and i < len(req) - 4:
            for s in list(groups["trickle"]):
                try:
                    s.send(req[i:i + 1])
                except OSError:
                    pass
            i += 1

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    all_socks = [s for g in groups.values() for s in g] + [lone]
    # Times count from when the first was opened, so a close before the
    # timeout is never hidden by the time spent opening the others.
    closed = wait_closed(all_socks, opened + timeout + 3.0, t0=first)
    stop.set()
    t.join()
    for kind, socks in groups.items():
        times = sorted(closed[s] for s in socks if s in closed)
        if times:
            log("%-12s closed %3d/100, after %.2f s to %.2f s" %
                (kind, len(times), times[0], times[-1]))
        else:
            log("%-12s closed   0/100" % kind)
    for s in all_socks:
        rst_close(s)
    if len(closed) != len(all_socks):
        raise CheckFailed("%d of 301 pending handshakes still open %.1f s after "
                          "a %.1f s handshake timeout"
                          % (len(all_socks) - len(closed), 3.0, timeout))
    lone_s = closed[lone] - (opened - first)
    log("a lone half request opened after them closed after %.2f s" % lone_s)
    if lone_s > timeout + 1.0:
        raise CheckFailed("a half request was closed only after %.2f s, over the %.1f s "
                          "handshake timeout + 1 s" % (lone_s, timeout))
    # Closing long before the timeout would turn away slow, honest clients;
    # half the timeout leaves room for timers of coarse granularity.
    # (Counted from the first open, so this overstates each one's age.)
    early = min(closed.values())
    if early < timeout / 2:
        raise CheckFailed("a pending handshake was closed after %.2f s, well "
                          "before the %.1f s handshake timeout" % (early, timeout))
    probe(a, "after the slowloris connections")
    return "slowloris: probe %.3f s, 300/300 closed (timeout %.1f s)" % (took, timeout)


# --- slow readers --------------------------------------------------------------

# A client alone that sends and never reads: (message size, our receive
# buffer or None, send timeout s, RSS bound). Up to 256 MiB: the server must
# stop reading it before that (back-pressure), its RSS growing by at most the
# bound. Folded from the wslay contestants' echo_test.py (64 KiB messages)
# and c-libwebsockets' test_echo.py (1 MiB messages).
LONE_NON_READERS = [(64 * 1024, 64 * 1024, 2.0, 64 * MiB), (MiB, None, 3.0, 16 * MiB)]
LONE_OFFER = 256 * MiB


def lone_non_reader(a, size, rcvbuf, send_timeout, bound):
    base = procstat.rss_bytes(a.pgid)
    s = handshaken(a, 1, rcvbuf=rcvbuf)[0]
    msg = wsmini.frame(0x2, b"m" * size)
    s.settimeout(send_timeout)
    sent = 0
    try:
        while sent < LONE_OFFER:
            s.sendall(msg)
            sent += len(msg)
    except socket.timeout:
        pass      # blocked: the server stopped reading us, as it should
    except OSError:
        pass      # closing a client that does not read is allowed too
    time.sleep(0.5)
    grown = procstat.rss_bytes(a.pgid) - base
    rst_close(s)
    what = "lone non-reader, %d KiB messages" % (size // 1024)
    log("%s: %.1f MiB in before it blocked; RSS growth %.1f MiB (bound %d MiB)"
        % (what, sent / MiB, procstat.mib(grown), bound // MiB))
    if sent >= LONE_OFFER:
        raise CheckFailed("%s: the server kept reading all %d MiB" % (what, LONE_OFFER // MiB))
    if grown > bound:
        raise CheckFailed("%s: RSS grew by %.1f MiB, over the %d MiB bound"
                          % (what, procstat.mib(grown), bound // MiB))
    probe(a, "after the " + what)
    return "%s blocked after %.1f MiB, growth %.1f MiB" % (what, sent / MiB, procstat.mib(grown))


def check_slow_readers(a):
    STALLED, ACTIVE = 8, 4
    MSG = 256 * 1024
    OFFER = 24 * MiB          # per stalled client, more than the kernel buffers
    BOUND = 64 * MiB
    DURATION = 8.0

    base = procstat.rss_bytes(a.pgid)
    # A small receive buffer on our side, so the echoes back up into the server.
    stalled = handshaken(a, STALLED, rcvbuf=64 * 1024)
    active = handshaken(a, ACTIVE)
    payload = bytes(random.Random(7).getrandbits(8) for _ in range(64)) * (MSG // 64)
    msg = wsmini.frame(0x2, payload)
    sent = [0] * STALLED
    echoes = [0] * ACTIVE
    errors = []
    stop = threading.Event()
    deadline = time.monotonic() + DURATION

    def stall(i):
        s = stalled[i]
        s.settimeout(0.5)
        while sent[i] < OFFER and time.monotonic() < deadline and not stop.is_set():
            try:
                n = s.send(msg[sent[i] % len(msg):])
            except socket.timeout:
                continue  # blocked: the server stopped reading us, as it should
            except OSError:
                return    # closing a client that does not read is allowed too
            sent[i] += n

    def echo(i):
        s = active[i]
        s.settimeout(5.0)
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                s.sendall(msg)
                op, got = wsmini.recv_message(s)
                if got != payload:
                    errors.append("active client %d: echo differs" % i)
                    return
                echoes[i] += 1
        except (OSError, wsmini.WsError) as e:
            errors.append("active client %d: %s" % (i, e))

    threads = [threading.Thread(target=stall, args=(i,), daemon=True) for i in range(STALLED)]
    threads += [threading.Thread(target=echo, args=(i,), daemon=True) for i in range(ACTIVE)]
    for t in threads:
        t.start()
    peak = base
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline + 6:
        peak = max(peak, procstat.rss_bytes(a.pgid))
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(6)
    peak = max(peak, procstat.rss_bytes(a.pgid))
    for s in stalled + active:
        rst_close(s)
    log("stalled readers: %d, each offered up to %d MiB in %d KiB messages; "
        "they got %.1f MiB in (total)" % (STALLED, OFFER // MiB, MSG // 1024,
                                           sum(sent) / MiB))
    log("active clients: %d, echoes each: %s" % (ACTIVE, echoes))
    log("server RSS: %.1f MiB before, peak %.1f MiB, growth %.1f MiB (bound %d MiB)"
        % (procstat.mib(base), procstat.mib(peak), procstat.mib(peak - base),
           BOUND // MiB))
    if errors:
        raise CheckFailed(errors[0])
    if min(echoes) == 0:
        raise CheckFailed("an active client got no echo while others stalled: %s" % echoes)
    if peak - base > BOUND:
        raise CheckFailed("RSS grew by %.1f MiB, over the %d MiB bound"
                          % (procstat.mib(peak - base), BOUND // MiB))
    probe(a, "after the slow readers left")
    lone = [lone_non_reader(a, *case) for case in LONE_NON_READERS]
    return "slow-readers: %s; growth %.1f MiB <= %d MiB, echoes %s" % (
        "; ".join(lone), procstat.mib(peak - base), BOUND // MiB, echoes)


# --- fd exhaustion -----------------------------------------------------------

def idle_cpu(a, seconds=2.0):
    c0 = procstat.cpu_seconds(a.pgid)
    time.sleep(seconds)
    return procstat.cpu_seconds(a.pgid) - c0


FD_LIMIT = 256   # tests/run's prlimit --nofile


def check_fd_exhaustion(a):
    N = 400 * a.workers
    CPU_BOUND = 0.2
    _, req = wsmini.request(a.host, a.port)
    socks = []
    refused = 0
    for _ in range(N):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex((a.host, a.port))
        if err not in (0, errno.EINPROGRESS):
            refused += 1
            s.close()
            continue
        socks.append(s)
    # Let the connections complete, then send every request.
    time.sleep(0.5)
    for s in socks:
        try:
            s.send(req)
        except OSError:
            pass
    time.sleep(1.0)
    upgraded, closed = 0, 0
    for s in socks:
        try:
            data = s.recv(4096)
            if data.startswith(b"HTTP/1.1 101"):
                upgraded += 1
            elif not data:
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    log("%d connections (limit 256 files per server process, %d worker(s)): "
        "%d upgraded, %d closed by the server, %d waiting, %d refused"
        % (N, a.workers, upgraded, closed, len(socks) - upgraded - closed, refused))
    require_alive(a, "while out of file descriptors")
    busy = idle_cpu(a)
    log("server CPU over 2 s with the connections held: %.2f s (bound %.1f s)"
        % (busy, CPU_BOUND))
    for s in socks:
        rst_close(s)
    took = probe(a, "after the 400 clients left")
    log("a new client got its echo in %.3f s" % took)
    time.sleep(0.5)
    idle = idle_cpu(a)
    log("server CPU over 2 s idle afterwards: %.2f s (bound %.1f s)" % (idle, CPU_BOUND))
    if upgraded == 0:
        raise CheckFailed("no client got a handshake at all")
    if busy > CPU_BOUND or idle > CPU_BOUND:
        raise CheckFailed("server spins: %.2f s and %.2f s of CPU per 2 s"
                          % (busy, idle))
    # It serves what fits: at least a quarter of one process's 256 files,
    # never more than its files allow (folded from c-libwebsockets'
    # test_echo.py: 50 < upgraded < 200 under a 200-file limit).
    if not FD_LIMIT // 4 < upgraded < FD_LIMIT * a.workers:
        raise CheckFailed("%d of %d upgraded under a %d-file limit per process (%d worker(s)): "
                          "expected over %d and under %d"
                          % (upgraded, N, FD_LIMIT, a.workers, FD_LIMIT // 4, FD_LIMIT * a.workers))
    return "fd-exhaustion: %d upgraded of %d, CPU %.2f s / %.2f s per 2 s" % (
        upgraded, N, busy, idle)


# --- abuse -------------------------------------------------------------------

def abuse_round(a, name, n, make, expect_close_within, close_code=None):
    """Opens n connections, does make(sock, i) on each, and (when
    expect_close_within) requires the server to close every one of them;
    with close_code, a close frame it sends first must carry that code."""
    rng_socks = []
    for i in range(n):
        s = socket.create_connection((a.host, a.port), timeout=5.0)
        make(s, i)
        rng_socks.append(s)
    msg = "%-26s %d connections" % (name, n)
    if expect_close_within:
        got = {}
        closed = wait_closed(rng_socks, time.monotonic() + expect_close_within, received=got)
        msg += ", %d closed by the server" % len(closed)
        for data in got.values():
            if close_code is not None and data:
                code = struct.unpack("!H", data[2:4])[0] if len(data) >= 4 else None
                if data[0] != 0x88 or code != close_code:
                    raise CheckFailed("%s: expected a close %d or just EOF, got %r"
                                      % (name, close_code, data[:8]))
        if len(closed) != n:
            for s in rng_socks:
                rst_close(s)
            raise CheckFailed("%s: %d of %d connections still open after %.1f s"
                              % (name, n - len(closed), n, expect_close_within))
    for s in rng_socks:
        if s.fileno() >= 0:
            rst_close(s)
    took = probe(a, "after " + name)
    log(msg + "; probe echo %.3f s" % took)


def upgrade(a, s):
    key, req = wsmini.request(a.host, a.port)
    s.sendall(req)
    buf = b""
    while b"\r\n\r\n" not in buf:
        c = s.recv(4096)
        if not c:
            raise CheckFailed("server closed a connection during its handshake")
        buf += c
    if not buf.startswith(b"HTTP/1.1 101"):
        raise CheckFailed("handshake refused: %r" % buf[:40])


def cycles(a, n):
    """n connect/close cycles; every 10th upgrades first; 1 in 4 closes with
    a FIN, the rest with a reset (which leaves no TIME_WAIT behind)."""
    for i in range(n):
        s = socket.create_connection((a.host, a.port), timeout=5.0)
        if i % 10 == 0:
            upgrade(a, s)
        if i % 4 == 0:
            s.close()
        else:
            rst_close(s)


def abuse_sequence(a, rng, timeout):
    garbage = lambda n: bytes(rng.getrandbits(8) for _ in range(n))  # noqa: E731

    # 16 KiB of garbage: more than any sane header cap, so it must be refused
    # without waiting for the handshake timeout (we allow it anyway).
    abuse_round(a, "garbage before handshake", 50,
                lambda s, i: s.sendall(garbage(16384)), timeout + 3.0)

    def after_upgrade(s, i):
        upgrade(a, s)
        # 0xFF: FIN, all RSV bits, reserved opcode 0xF: a certain protocol error.
        s.sendall(b"\xff" + garbage(4095))
    # A close frame, if any, says 1002 (folded from c-libwebsockets'
    # test_echo.py).
    abuse_round(a, "garbage after handshake", 50, after_upgrade, 3.0, close_code=1002)

    def truncated(s, i):
        upgrade(a, s)
        f = wsmini.frame(0x2, garbage(1000))
        cut = [1, 2, 5, 100][i % 4]  # inside the header, the mask, the payload
        s.sendall(f[:cut])
        s.shutdown(socket.SHUT_WR)
    abuse_round(a, "truncated frame then FIN", 50, truncated, 3.0)

    _, req = wsmini.request(a.host, a.port)
    abuse_round(a, "reset mid-handshake", 50,
                lambda s, i: (s.sendall(req[:30 + i]), rst_close(s)), None)

    big = wsmini.frame(0x2, garbage(65536))

    def reset_mid_frame(s, i):
        upgrade(a, s)
        s.sendall(big[:32768 + i])
        rst_close(s)
    abuse_round(a, "reset mid-frame", 50, reset_mid_frame, None)

    t0 = time.monotonic()
    cycles(a, 10000)
    log("10000 connect/close cycles (1000 upgraded) in %.1f s" % (time.monotonic() - t0))
    probe(a, "after 10000 cycles")


def check_abuse(a):
    """The sequence runs three times (more for a -N server). The first
    round fills whatever pools and caches the server (or its library, or
    ASan's allocator) keeps, so its growth is reported but not judged. RSS also moves by a few MiB as
    allocators return memory to the system and take it back, so one round's
    growth proves nothing: a leak grows RSS in every round, so the check
    fails when both later rounds grow it by more than TOLERANCE. A leak of
    400 bytes per connection over a round's ~10,250 connections would."""
    TOLERANCE = 4 * MiB
    rng = random.Random(20261122)
    timeout = a.handshake_timeout_ms / 1000.0
    # A -N server's workers each see 1/n of the connections, so each fills
    # its own pools n times slower: one warm-up round per worker process.
    pids = procstat.group_pids(a.pgid)
    warmups = len(pids) - 1 if len(pids) > 1 else 1
    rss = [procstat.rss_bytes(a.pgid)]
    for rnd in range(1, warmups + 3):
        log("round %d (%s), server RSS %.1f MiB"
            % (rnd, "warm-up" if rnd <= warmups else "measured", procstat.mib(rss[-1])))
        abuse_sequence(a, rng, timeout)
        time.sleep(1.0)
        rss.append(procstat.rss_bytes(a.pgid))
    grown = [rss[-2] - rss[-3], rss[-1] - rss[-2]]
    log("server RSS: %s MiB before and after each round; growth in the measured "
        "rounds %.1f and %.1f MiB (tolerance %d MiB)"
        % (" -> ".join("%.1f" % procstat.mib(r) for r in rss),
           procstat.mib(grown[0]), procstat.mib(grown[1]), TOLERANCE // MiB))
    if min(grown) > TOLERANCE:
        raise CheckFailed("RSS grew by %.1f and %.1f MiB in the two measured rounds, "
                          "over the %d MiB tolerance each time"
                          % (procstat.mib(grown[0]), procstat.mib(grown[1]),
                             TOLERANCE // MiB))
    return "abuse: RSS %s MiB" % " -> ".join("%.1f" % procstat.mib(r) for r in rss)


CHECKS = {
    "slowloris": check_slowloris,
    "slow-readers": check_slow_readers,
    "fd-exhaustion": check_fd_exhaustion,
    "abuse": check_abuse,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("check", choices=sorted(CHECKS))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pgid", type=int, required=True,
                   help="process group of the server (its pid when started with setsid)")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--handshake-timeout-ms", type=int, default=2000)
    a = p.parse_args()
    raise_fd_limit()
    try:
        summary = CHECKS[a.check](a)
    except CheckFailed as e:
        log("FAIL %s: %s" % (a.check, e))
        sys.exit(1)
    except (OSError, wsmini.WsError) as e:
        log("FAIL %s: %s: %s" % (a.check, type(e).__name__, e))
        sys.exit(1)
    log("PASS " + summary)


if __name__ == "__main__":
    main()
