#!/usr/bin/python3
"""The report's figures from fixture databases whose numbers were worked out
by hand (see the comments), with fixture_compile_stats.py standing in for
./compile_stats; and the report's errors on bad input."""
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "..", "build", "report")
failures = 0


def check(cond, desc):
    global failures
    print(("ok   " if cond else "FAIL ") + desc)
    failures += not cond


SAMPLES_SQL = ("CREATE TABLE samples(second INTEGER PRIMARY KEY, connected INTEGER,"
               " tcp_mem_pages INTEGER, server_pss_bytes INTEGER, server_rss_bytes INTEGER)")


def make_db(path, meta, samples=()):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    if samples:
        db.execute(SAMPLES_SQL)
        db.executemany("INSERT INTO samples VALUES (?, ?, ?, ?, ?)", samples)
    db.commit()
    db.close()


def stats(clients, handshakes, recv, cpu, p50, p99=0, p999=0, mx=0, hs50=0, hs99=0, bound=False):
    dist = {"count": recv, "min": 1, "mean": p50, "p50": p50, "p90": p99, "p99": p99,
            "p999": p999, "max": mx}
    return json.dumps({
        "label": "x", "clients": clients, "handshakes": handshakes, "connection_timeouts": 1,
        "crashes": 0, "messages_sent": recv + 2, "messages_recv": recv, "messages_lost": 2,
        "bad_echoes": 0, "client_bound": bound, "exits": {},
        "handshake_time_us": dict(dist, p50=hs50, p99=hs99),
        "message_latency_us": dist, "message_latency_actual_us": dist,
        "server_peak_pss_bytes": 2000000, "server_peak_rss_bytes": 3000000,
        "server_cpu_seconds": cpu, "seconds": 10})


def run_meta(server, k, status, js, complete="1"):
    return {"complete": complete, "suite.server": server, "suite.run": str(k),
            "suite.repeat": "3", "suite.status": status, "env.page_size": "4096",
            "env.cpu_model": "Fixture CPU", "suite.config": "clients = 100\n",
            "suite.command": "./runsuite fixture.ini", "fixture.json": js,
            "fixture.latencies_us": ",".join(str(v) for v in range(1, 1001)),
            "fixture.handshakes_us": "500,700,900"}


def summary(out):
    with open(os.path.join(out, "summary.csv"), newline="") as f:
        return {r["server"]: r for r in csv.DictReader(f)}


def main():
    with tempfile.TemporaryDirectory(prefix="suite-test-report-") as tmp:
        root = os.path.join(tmp, "db")
        out = os.path.join(tmp, "out")
        os.makedirs(root)
        # alpha, 3 runs of 100 clients.
        #   run 1: PSS 500000 before the run (the runner's), first sample
        #          1000000, peak 1500000: 1000000/100 = 10000 B/conn;
        #          tcp_mem 10 -> 60 pages: 50*4096/100 = 2048 B/conn;
        #          CPU 0.5 s / 1000 msgs = 500 us/msg; p50 100 us
        #   run 2: PSS 1000000 -> 2000000 = 10000; tcp 10 -> 35 = 1024;
        #          1.0 s / 2000 = 500 us; p50 300
        #   run 3: first PSS unreadable (-1), then 1000000 -> 1200000 = 2000;
        #          tcp 10 -> 110 = 4096; 1.0 s / 4000 = 250 us; p50 200
        # medians: PSS/conn 10000 (2000-10000), tcp 2048 (1024-4096),
        #          CPU 500 (250-500), p50 200 (100-300), handshakes 99 (98-100)
        make_db(os.path.join(root, "alpha-1.db"),
                dict(run_meta("alpha", 1, "ok", stats(100, 100, 1000, 0.5, 100)),
                     **{"suite.server_idle_pss_bytes": "500000"}),
                [(1, 0, 10, 1000000, 0), (2, 100, 60, 1500000, 0), (3, 100, 40, 1400000, 0)])
        make_db(os.path.join(root, "alpha-2.db"),
                run_meta("alpha", 2, "ok", stats(100, 98, 2000, 1.0, 300, bound=True)),
                [(1, 0, 10, 1000000, 0), (2, 98, 35, 2000000, 0)])
        make_db(os.path.join(root, "alpha-3.db"),
                run_meta("alpha", 3, "ok", stats(100, 99, 4000, 1.0, 200)),
                [(1, 0, 10, -1, 0), (2, 50, 110, 1000000, 0), (3, 99, 20, 1200000, 0)])
        # beta failed verification: meta only, no client figures.
        make_db(os.path.join(root, "beta.db"),
                {"suite.server": "beta", "suite.status": "failed verification",
                 "suite.reason": "./verify failed (exit 1)"})
        # gamma crashed after 0 messages: no CPU per message (no division by 0).
        make_db(os.path.join(root, "gamma.db"),
                dict(run_meta("gamma", 1, "crashed", stats(50, 50, 0, 0.25, 0)),
                     **{"suite.repeat": "1"}))

        env = dict(os.environ, COMPILE_STATS=os.path.join(HERE, "fixture_compile_stats.py"))
        p = subprocess.run([REPORT, root, out], env=env, capture_output=True, text=True,
                           timeout=120)
        check(p.returncode == 0, "report exits 0 (%d) %s" % (p.returncode, p.stderr.strip()))
        s = summary(out)
        check(sorted(s) == ["alpha", "beta", "gamma"], "one summary row per server: %s" % sorted(s))
        a = s.get("alpha", {})
        want = {"runs": "3", "status": "ok", "clients": "100",
                "handshakes": "99", "handshakes_min": "98", "handshakes_max": "100",
                "pss_bytes_per_conn": "10000", "pss_bytes_per_conn_min": "2000",
                "pss_bytes_per_conn_max": "10000",
                "tcp_mem_bytes_per_conn": "2048", "tcp_mem_bytes_per_conn_min": "1024",
                "tcp_mem_bytes_per_conn_max": "4096",
                "cpu_us_per_message": "500", "cpu_us_per_message_min": "250",
                "cpu_us_per_message_max": "500",
                "latency_p50_us": "200", "latency_p50_us_min": "100",
                "latency_p50_us_max": "300", "messages_lost": "2", "connection_timeouts": "1",
                "peak_pss_bytes": "2000000", "client_bound": "1"}
        for k, v in want.items():
            check(a.get(k) == v, "alpha %s = %s (got %s)" % (k, v, a.get(k)))
        b = s.get("beta", {})
        check(b.get("status") == "failed verification" and b.get("handshakes") == "" and
              b.get("runs") == "1", "beta: failed verification, no figures")
        g = s.get("gamma", {})
        check(g.get("status") == "crashed" and g.get("cpu_us_per_message") == "" and
              g.get("handshakes") == "50", "gamma: crashed, 50 handshakes, no CPU/msg")
        with open(os.path.join(out, "runs.csv")) as f:
            check(len(f.read().strip().splitlines()) == 6, "runs.csv: header + 5 runs")
        with open(os.path.join(out, "README.md")) as f:
            readme = f.read()
        check("| alpha (3 runs) | ok | 99/100 |" in readme, "README table row for alpha")
        check("9.8 KiB (2.0 KiB-9.8 KiB)" in readme, "README shows PSS/conn median and spread")
        check("beta (beta.db): failed verification: ./verify failed (exit 1)" in readme,
              "README lists why beta did not run")
        check("./runsuite fixture.ini" in readme and "./report " in readme,
              "README has the commands")
        for png in ("latency.png", "handshake.png", "connections.png", "memory.png"):
            path = os.path.join(out, png)
            ok = os.path.exists(path) and open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
            check(ok, "%s drawn" % png)
        with open(os.path.join(out, "data", "latency-alpha.dat")) as f:
            rows = [l.split() for l in f if not l.startswith("#")]
        # 3000 latencies, 1..1000 us each three times: p50 = 500 us, p99 = 990 us
        at = {round(float(r[0]), 3): float(r[2]) for r in rows}
        check(at.get(0.0) == 0.001 and at.get(90.0) == 0.9 and at.get(99.0) == 0.99 and
              at.get(100.0) == 1.0, "latency curve: p0 1 us, p90 900 us, p99 990 us, max 1 ms")
        with open(os.path.join(out, "index.html")) as f:
            page = f.read()
        check("<img src='latency.png'" in page and "<td>failed verification</td>" in page,
              "index.html shows the charts and the statuses")

        # Bad input: clear errors, non-zero exits.
        p = subprocess.run([REPORT, os.path.join(tmp, "nope")], capture_output=True, text=True)
        check(p.returncode == 2 and "not a directory" in p.stderr,
              "missing DB_ROOT: exit 2, %s" % p.stderr.strip())
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        p = subprocess.run([REPORT, empty], capture_output=True, text=True)
        check(p.returncode == 2 and "no .db files" in p.stderr,
              "empty DB_ROOT: exit 2, %s" % p.stderr.strip())
        with open(os.path.join(root, "corrupt.db"), "wb") as f:
            f.write(b"this is not a database" * 100)
        p = subprocess.run([REPORT, root, out], env=env, capture_output=True, text=True,
                           timeout=120)
        check(p.returncode == 1 and "corrupt.db" in p.stderr and
              sorted(summary(out)) == ["alpha", "beta", "gamma"],
              "a corrupt db: named, exit 1, the others still reported")
        p = subprocess.run([REPORT], capture_output=True, text=True)
        check(p.returncode == 2 and "usage" in p.stderr, "no arguments: usage, exit 2")
    print("%s: %d failure(s)" % (__file__, failures))
    return 1 if failures else 0


sys.exit(main())
