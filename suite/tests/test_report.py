#!/usr/bin/python3
"""The report's figures from fixture databases the test builds from
committed SQL text (fixtures/*/), their numbers worked out by hand (see the
comments) and, for v1, held to what the report printed before the rework;
and the report's errors on bad input. The real client/build/compile_stats
reads them: the report takes every figure from it."""
import csv
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "..", "build", "report")
FIXTURES = os.path.join(HERE, "fixtures")
failures = 0


def check(cond, desc):
    global failures
    print(("ok   " if cond else "FAIL ") + desc)
    failures += not cond


def build_db(path, sql_dir, name):
    """A database from fixtures/SQL_DIR/NAME.sql, by the sqlite3 shell (run in
    that directory, so a fixture may .read the schema beside it)."""
    with open(os.path.join(sql_dir, name + ".sql")) as f:
        p = subprocess.run(["sqlite3", path], stdin=f, cwd=sql_dir, capture_output=True,
                           text=True, timeout=60)
    if p.returncode != 0 or p.stderr:
        raise SystemExit("%s.sql: sqlite3 failed: %s" % (name, p.stderr.strip()))


def read_csv(path, key):
    with open(path, newline="") as f:
        return {r[key]: r for r in csv.DictReader(f)}


def markdown_table(lines):
    """{first cell: {header: cell}} of a markdown table's lines."""
    rows = [[c.strip() for c in l.strip().strip("|").split("|")] for l in lines
            if l.startswith("|") and not l.startswith("|---")]
    head = rows[0]
    return {r[0]: dict(zip(head, r)) for r in rows[1:]}


def same_text(cell):
    """A README cell with the formatting that may change (spaces, dashes,
    the micro sign) made uniform, so the comparison is about the numbers."""
    return " ".join(cell.replace("\u00a0", " ").replace("\u2013", "-").replace("\u00b5s", "us")
                    .split())


V1_DBS = ["solo", "alpha-1", "alpha-2", "alpha-3", "beta", "gamma"]


def check_v1(tmp):
    """The old layout (DB_ROOT/*.db, no track) from databases as runtest and
    runsuite wrote them at 28b585c: the figures worked out by hand, and the
    same numbers as that version of the report printed (fixtures/v1/expected)."""
    sql = os.path.join(FIXTURES, "v1")
    root, out = os.path.join(tmp, "v1", "db"), os.path.join(tmp, "v1", "out")
    os.makedirs(root)
    for name in V1_DBS:
        build_db(os.path.join(root, name + ".db"), sql, name)
    p = subprocess.run([REPORT, root, out], capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, "v1: report exits 0 (%d) %s" % (p.returncode, p.stderr.strip()))
    s = read_csv(os.path.join(out, "summary.csv"), "server")
    # By hand (comments in fixtures/v1/*.sql; nearest rank = value at rank ceil(p*n)):
    #   alpha run 1: 1000 latencies 1..1000 us: p50 500, p99 990; PSS (1500000 - the
    #     runner's idle 500000)/100 = 10000 B; TCP (60-10)*4096/100 = 2048 B; CPU
    #     0.5 s/1000 = 500 us; handshakes 1000..1099 us: p50 1049, p99 1098
    #   run 2: 1..2000 us: p50 1000, p99 1980; PSS (2000000-1000000)/100 = 10000
    #     (first sample: no idle PSS); TCP 25*4096/100 = 1024; 1.0/2000 = 500 us;
    #     98 handshakes 2000..2097: p50 rank 49 = 2048, p99 rank 98 = 2097; client-bound
    #   run 3: 1..1000 four times: p50 500, p99 990; PSS (1200000-1000000)/100 = 2000
    #     (the unreadable first sample skipped); TCP 100*4096/100 = 4096; 1.0/4000 = 250
    #     us; 99 handshakes 1500..1598: p50 1549, p99 1598
    #   medians (min-max): p50 500 (500-1000), PSS 10000 (2000-10000), TCP 2048
    #     (1024-4096), CPU 500 (250-500), handshake p50 1549 (1049-2048), lost 1 (0-2)
    want = {"runs": "3", "status": "ok", "clients": "100", "handshakes": "99",
            "handshakes_min": "98", "handshakes_max": "100",
            "latency_p50_us": "500", "latency_p50_us_min": "500", "latency_p50_us_max": "1000",
            "latency_p99_us": "990", "latency_p99_us_max": "1980",
            "pss_bytes_per_conn": "10000", "pss_bytes_per_conn_min": "2000",
            "pss_bytes_per_conn_max": "10000", "tcp_mem_bytes_per_conn": "2048",
            "tcp_mem_bytes_per_conn_min": "1024", "tcp_mem_bytes_per_conn_max": "4096",
            "cpu_us_per_message": "500", "cpu_us_per_message_min": "250",
            "cpu_us_per_message_max": "500", "handshake_p50_us": "1549",
            "handshake_p50_us_min": "1049", "handshake_p50_us_max": "2048",
            "messages_lost": "1", "messages_lost_min": "0", "messages_lost_max": "2",
            "connection_timeouts": "1", "crashes": "0", "crashes_max": "1",
            "peak_pss_bytes": "1500000", "client_bound": "1"}
    a = s.get("alpha", {})
    for k, v in want.items():
        check(a.get(k) == v, "v1 alpha %s = %s (got %s)" % (k, v, a.get(k)))
    #   solo: latencies 100..1100 (n 11): p50 rank 6 = 600, p99 1100; PSS
    #     (1040000-1000000)/4 = 10000; TCP 10*4096/4 = 10240; CPU 0.11 s/11 = 10000 us
    want = {"status": "ok", "clients": "4", "handshakes": "3", "latency_p50_us": "600",
            "latency_p99_us": "1100", "handshake_p50_us": "200", "handshake_p99_us": "400",
            "pss_bytes_per_conn": "10000", "tcp_mem_bytes_per_conn": "10240",
            "cpu_us_per_message": "10000", "connection_timeouts": "1", "crashes": "1",
            "messages_lost": "1"}
    solo = s.get("solo", {})
    for k, v in want.items():
        check(solo.get(k) == v, "v1 solo %s = %s (got %s)" % (k, v, solo.get(k)))
    check(s.get("gamma", {}).get("cpu_us_per_message") == "" and
          s.get("gamma", {}).get("crashes") == "50", "v1 gamma: 50 crashes, no CPU/msg")
    check(s.get("beta", {}).get("status") == "failed verification" and
          s.get("beta", {}).get("handshakes") == "", "v1 beta: failed verification, no figures")

    # The same numbers as before the rework, column by column.
    expected = os.path.join(sql, "expected")
    for name, key in (("summary.csv", "server"), ("runs.csv", "db")):
        old = read_csv(os.path.join(expected, name), key)
        new = read_csv(os.path.join(out, name), key)
        check(sorted(old) == sorted(new), "v1 %s: the same rows" % name)
        diffs = ["%s %s: %r -> %r" % (row, col, v, new.get(row, {}).get(col))
                 for row, cols in old.items() for col, v in cols.items()
                 if (row, col) not in V1_CHANGED and new.get(row, {}).get(col) != v]
        check(not diffs, "v1 %s: every figure as before %s" % (name, diffs[:5]))
    with open(os.path.join(expected, "README-table.md")) as f:
        old = markdown_table(f.read().splitlines())
    with open(os.path.join(out, "README.md")) as f:
        new = markdown_table(readme_c10k_table(f.read()))
    diffs = ["%s %s: %r -> %r" % (row, col, v, new.get(row, {}).get(col))
             for row, cols in old.items() for col, v in cols.items()
             if col in new.get(row, {}) and (row, col) not in V1_CHANGED
             and same_text(new[row][col]) != same_text(v)]
    check(sorted(old) == sorted(new) and not diffs,
          "v1 README: the c10k table's cells as before %s" % diffs[:5])


# Figures of the old report that the rework changes on purpose, with why.
V1_CHANGED = {
    # gamma echoed nothing: no latency was measured, so none is shown (the
    # old report printed 0 us, a latency no message had).
    **{("gamma", c): "none measured" for c in (
        "latency_p50_us", "latency_p99_us", "latency_p999_us", "latency_max_us",
        "latency p50", "p99", "p99.9", "max")},
    **{("gamma.db", c): "none measured" for c in (
        "latency_p50_us", "latency_p99_us", "latency_p999_us", "latency_max_us")},
    **{("gamma", c + s): "none measured" for c in (
        "latency_p50_us", "latency_p99_us", "latency_p999_us", "latency_max_us")
        for s in ("_min", "_max")},
    # gamma's memory per connection is 0, below what its method can tell (a
    # page over 50 connections): shown as "< noise", never as a size; the CSV
    # keeps the 0.
    ("gamma", "PSS/conn"): "below noise", ("gamma", "kernel TCP mem/conn"): "below noise",
}


def readme_c10k_table(text):
    """The lines of the README's table of the c10k section."""
    lines = text.splitlines()
    section = next(i for i, l in enumerate(lines) if l.startswith("## c10k"))
    start = next(i for i in range(section, len(lines)) if lines[i].startswith("| server"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")),
               len(lines))
    return lines[start:end]


def main():
    with tempfile.TemporaryDirectory(prefix="suite-test-report-") as tmp:
        check_v1(tmp)
        check_pages_and_errors(tmp)
    print("%s: %d failure(s)" % (__file__, failures))
    return 1 if failures else 0


def check_pages_and_errors(tmp):
    """What else the v1 report writes (README, charts, page), and its errors
    on bad input."""
    root, out = os.path.join(tmp, "v1", "db"), os.path.join(tmp, "v1", "out")
    with open(os.path.join(out, "runs.csv")) as f:
        check(len(f.read().strip().splitlines()) == 7, "runs.csv: header + 6 runs")
    with open(os.path.join(out, "README.md")) as f:
        readme = f.read()
    check("| alpha (3 runs) | ok | 99/100 |" in readme, "README table row for alpha")
    check("9.8\u00a0KiB (2.0\u00a0KiB\u20139.8\u00a0KiB)" in readme,
          "README shows PSS/conn median and spread")
    check("beta (beta.db): failed verification: ./verify failed (exit 1)" in readme,
          "README lists why beta did not run")
    check("./runsuite ini/fixture.ini" in readme and "./report " in readme,
          "README has the commands")
    for png in ("latency.png", "handshake.png", "connections.png", "memory.png"):
        path = os.path.join(out, png)
        ok = os.path.exists(path) and open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        check(ok, "%s drawn" % png)
    # alpha's curve is its median run's by p99 (runs 1 and 3: 990 us; run 3,
    # the later of the two in p99 order): 1..1000 us four times, so p0 1 us,
    # p90 900 us, p99 990 us, max 1 ms (compile_stats' points).
    with open(os.path.join(out, "data", "latency-alpha.dat")) as f:
        rows = [l.split() for l in f if not l.startswith("#")]
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
    out2 = os.path.join(tmp, "v1", "out2")
    p = subprocess.run([REPORT, root, out2], capture_output=True, text=True, timeout=300)
    check(p.returncode == 1 and "corrupt.db" in p.stderr and
          sorted(read_csv(os.path.join(out2, "summary.csv"), "server")) ==
          ["alpha", "beta", "gamma", "solo"],
          "a corrupt db: named, exit 1, the others still reported")
    os.remove(os.path.join(root, "corrupt.db"))
    p = subprocess.run([REPORT], capture_output=True, text=True)
    check(p.returncode == 2 and "usage" in p.stderr, "no arguments: usage, exit 2")


sys.exit(main())
