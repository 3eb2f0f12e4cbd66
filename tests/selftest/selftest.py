#!/usr/bin/python3
"""Checks the checks: each interop and robustness check must pass against
faulty_server.py in mode "good" and fail against the mode with its fault.

  selftest.py --list            the cases, one per line
  selftest.py CASE --port P     runs one (server on 127.0.0.1:P); exit 1 if
                                the check did not come out as expected
"""
import argparse
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
PY = "/usr/bin/python3"
sys.path.insert(0, os.path.join(TESTS, "robust"))
import wsmini  # noqa: E402

# case -> (server mode, check, None if it should pass, else what its
# failure must say: failing for another reason proves nothing)
CASES = {}
for check, bad, why in (
        ("interop-python", "close-1001", "close 1000 answered with 1001"),
        ("interop-node", "close-1001", "close 1000 answered with 1001"),
        ("slowloris", "no-timeout", "pending handshakes still open"),
        ("slow-readers", "unbounded", "RSS grew"),
        ("abuse", "leak", "RSS grew"),
        ("fd-exhaustion", "spin", "server spins")):
    CASES["%s-good" % check] = ("good", check, None)
    CASES["%s-%s" % (check, bad)] = (bad, check, why)
CASES["interop-python-text-as-binary"] = ("text-as-binary", "interop-python", "came back as bytes")
CASES["interop-node-text-as-binary"] = ("text-as-binary", "interop-node", "came back as binary")


def command(check, port, pgid):
    if check == "interop-python":
        return [PY, os.path.join(TESTS, "interop", "interop.py"), "127.0.0.1", str(port)]
    if check == "interop-node":
        return ["node", os.path.join(TESTS, "interop", "interop.js"), "127.0.0.1", str(port)]
    return [PY, os.path.join(TESTS, "robust", "robust.py"), check, "--port", str(port),
            "--pgid", str(pgid), "--handshake-timeout-ms", "2000"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("case", nargs="?")
    p.add_argument("--port", type=int)
    p.add_argument("--list", action="store_true")
    a = p.parse_args()
    if a.list:
        print("\n".join(CASES))
        return
    if a.case not in CASES or not a.port:
        sys.exit("usage: selftest.py --list | selftest.py CASE --port P")
    mode, check, why = CASES[a.case]

    server = [PY, os.path.join(HERE, "faulty_server.py"), "--port", str(a.port),
              "--mode", mode, "--handshake-timeout-ms", "2000"]
    if check == "fd-exhaustion":
        server = (["prlimit", "--nofile=256", "--"] + server +
                  ["--backlog", "16", "--max-conns", "200"])
    # Its own session: its pid is the process group robust.py measures.
    proc = subprocess.Popen(server, start_new_session=True)
    try:
        try:
            wsmini.wait_listening("127.0.0.1", a.port, proc)
        except wsmini.WsError as e:
            print("FAIL faulty_server.py --mode %s did not start: %s" % (mode, e))
            sys.exit(1)
        r = subprocess.run(command(check, a.port, proc.pid), capture_output=True,
                           text=True, timeout=120)
        out = r.stdout + r.stderr
        print(out.rstrip())
        lines = [l for l in out.splitlines() if l.strip()]
        last = lines[-1] if lines else "no output"
        if why is None and r.returncode == 0:
            print("ok: %s passed against mode %s, as it should" % (check, mode))
        elif why is not None and r.returncode != 0 and why in out:
            print("ok: %s failed against mode %s, saying \"%s\"" % (check, mode, why))
        else:
            print("FAIL: %s against mode %s should have %s, got exit %d: %s"
                  % (check, mode, "passed" if why is None else "failed with \"%s\"" % why,
                     r.returncode, last))
            sys.exit(1)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


if __name__ == "__main__":
    main()
