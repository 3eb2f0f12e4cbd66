#!/usr/bin/python3
"""The report's figures from fixture databases the test builds from
committed SQL text (fixtures/*/), their numbers worked out by hand (see the
comments) and, for v1, held to what the report printed before the rework;
and the report's errors on bad input. The real client/build/compile_stats
reads them: the report takes every figure from it."""
import csv
import html
import json
import os
import re
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
    # The top-level ./report (what a user types) on the old layout: the same summary.
    top = os.path.join(HERE, "..", "..", "report")
    p = subprocess.run([top, root, out + "-top"], capture_output=True, text=True, timeout=300)
    with open(os.path.join(out, "summary.csv")) as f1, \
            open(os.path.join(out + "-top", "summary.csv")) as f2:
        check(p.returncode == 0 and f1.read() == f2.read(),
              "v1: ./report at the kit root writes the same summary.csv (%d) %s"
              % (p.returncode, p.stderr.strip()))
    # An old database has no suite.track: c10k; no suite.kind: a contestant.
    check(all(r.get("track") == "c10k" and r.get("kind") == "contestant" and
              r.get("variant") == "default" for r in s.values()) and len(s) == 4,
          "v1 summary.csv: every row track c10k, kind contestant, variant default")
    runs_rows = read_csv(os.path.join(out, "runs.csv"), "db")
    check(all(r.get("track") == "c10k" and r.get("kind") == "contestant"
              for r in runs_rows.values()) and len(runs_rows) == 6,
          "v1 runs.csv: every run track c10k, kind contestant")
    with open(os.path.join(out, "summary.csv"), newline="") as f:
        check(next(csv.reader(f))[:6] == ["track", "variant", "server", "kind", "runs", "status"],
              "summary.csv: track, variant, server, kind lead every row")
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


COMPILE_STATS = os.path.join(HERE, "..", "..", "client", "build", "compile_stats")


def build_tree(sql_root, db_root):
    """Databases DB_ROOT/<track>/<server>/<variant>-<k>.db from the SQL files
    at the same places under SQL_ROOT."""
    for track in sorted(os.listdir(sql_root)):
        if not os.path.isdir(os.path.join(sql_root, track)):
            continue
        for server in sorted(os.listdir(os.path.join(sql_root, track))):
            src = os.path.join(sql_root, track, server)
            os.makedirs(os.path.join(db_root, track, server))
            for f in sorted(os.listdir(src)):
                build_db(os.path.join(db_root, track, server, f[:-4] + ".db"), src, f[:-4])


def fixture_tree(tmp, name):
    """fixtures/NAME's databases built under TMP/NAME/db; (that root, where
    its report goes)."""
    root, out = os.path.join(tmp, name, "db"), os.path.join(tmp, name, "out")
    build_tree(os.path.join(FIXTURES, name), root)
    return root, out


def run_report(root, out, name):
    p = subprocess.run([REPORT, root, out], capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, "%s: report exits 0 (%d) %s" % (name, p.returncode, p.stderr.strip()))


def figures_of(path):
    p = subprocess.run([os.environ.get("COMPILE_STATS", COMPILE_STATS), "--json", path],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise SystemExit("compile_stats %s: %s" % (path, p.stderr.strip()))
    return json.loads(p.stdout)


def near(a, b):
    return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1, abs(b))


def check_figures(desc, got, want):
    for k, v in want.items():
        g = got.get(k)
        ok = g == v if isinstance(v, bool) or v is None else near(g, v)
        check(ok, "%s %s = %s (got %s)" % (desc, k, v, g))


def check_track_figures(root):
    """Each track's figures, worked out by hand from the fixtures (their
    headers say how they were built)."""
    db = lambda rel: figures_of(os.path.join(root, rel + ".db"))
    j = db("throughput/alpha/c100-k1-s20-1")
    check(j["track"] == "throughput", "throughput: track from suite.track")
    # Measured seconds 2-4 (warmup_s 1; second 5 is past seconds 4, the
    # drain): 1000, 1100, 1200 echoes, median 1100; server CPU 0.1 s at second 1
    # to 0.133 at 4 over 3300 echoes = 10 us; client 0.5 core x 3 s over 3300.
    check_figures("throughput alpha-1", j["figures"], {
        "throughput_measured_seconds": 3, "throughput_msgs_per_s": 1100,
        "throughput_slowest_second_msgs": 1000, "throughput_fastest_second_msgs": 1200,
        "throughput_server_cpu_us_per_message": 10, "throughput_client_cpu_cores": 0.5,
        "throughput_client_cpu_us_per_message": 1.5e6 / 3300,
        "throughput_machine_idle_share": 0.2, "machine_bound": False})
    check_figures("throughput gamma-2", db("throughput/gamma/c100-k1-s20-2")["figures"], {
        "throughput_msgs_per_s": 1300, "throughput_server_cpu_us_per_message": 12,
        "machine_bound": True})
    # Held sample: second 4 (the last before the probe at seconds 5); base:
    # second 0. PSS (2000000 - 1000000)/100, RSS (3000000 - 2000000)/100, slab
    # (50200000 - 50000000)/100, TCP 50 pages x 4096/100; peak PSS 2100000 at
    # second 2: 11000/conn; it fell 100000, less than a tenth of the 1100000
    # the connections added: not freed. Noise: a page over 100 connections.
    j = db("capacity/alpha/default-1")
    check_figures("capacity alpha-1", j["figures"], {
        "capacity_held_second": 4, "capacity_connections": 100,
        "capacity_pss_bytes_per_conn": 10000, "capacity_rss_bytes_per_conn": 10000,
        "capacity_kernel_slab_bytes_per_conn": 2000, "capacity_kernel_tcp_bytes_per_conn": 2048,
        "capacity_peak_pss_bytes_per_conn": 11000, "capacity_pss_fell_during_hold": False,
        "capacity_pss_bytes_per_conn_noise": 40.96, "capacity_probes_sent": 100,
        "capacity_probes_echoed": 100})
    check(j["baseline"] == "second 0", "capacity: memory counted from second 0")
    # delta: peak 3000000 then held at 1700000: 7000/conn held, 20000 at the
    # peak; it fell 1300000 > 200000: frees idle state.
    check_figures("capacity delta", db("capacity/delta/default-1")["figures"], {
        "capacity_pss_bytes_per_conn": 7000, "capacity_peak_pss_bytes_per_conn": 20000,
        "capacity_pss_fell_during_hold": True})
    check_figures("capacity beta-2", db("capacity/beta/default-2")["figures"], {
        "capacity_pss_bytes_per_conn": 5000, "capacity_probes_echoed": 98})
    # 90 of 100 opened, first connect at 0, last 101 at 0.5 s: 180/s;
    # handshake times 1000..1089: p50 rank 45 = 1044, p99 rank 90 = 1089.
    j = db("handshakes/alpha/default-1")
    check_figures("handshakes alpha-1", j["figures"], {
        "storm_seconds": 0.5, "storm_handshakes_per_s": 180, "storm_failures": 10,
        "handshake_p50_us": 1044, "handshake_p99_us": 1089, "handshakes": 90})
    check(j["handshake_failures"] == {"connection_timeout": 6, "refused": 4},
          "handshakes: failures by reason %s" % j["handshake_failures"])
    check_figures("handshakes alpha-2", db("handshakes/alpha/default-2")["figures"],
                  {"storm_handshakes_per_s": 200})
    # alpha: steps 1 and 2 met (p99 1000, 2000 us, nothing lost), step 3's p99
    # (rank 10 of 10) is 9000 > 5000: 2000 msg/s. beta: step 2 lost one: 1000.
    j = db("slo/alpha/default-1")
    check_figures("slo alpha", j["figures"], {
        "slo_max_rate_msgs_per_s": 2000, "slo_steps": 3, "slo_steps_met": 2,
        "slo_p99_us": 5000})
    check([(s["offered_msgs_per_s"], s["latency_p99_us"], s["lost"], s["met"])
           for s in j["steps"]] == [(1000, 1000, 0, True), (2000, 2000, 0, True),
                                    (4000, 9000, 0, False)], "slo alpha: the steps")
    j = db("slo/beta/default-1")
    check_figures("slo beta", j["figures"], {"slo_max_rate_msgs_per_s": 1000, "slo_steps": 2,
                                             "slo_steps_met": 1})
    check(j["steps"][1]["lost"] == 1 and j["steps"][1]["met"] is False, "slo beta: step 2 lost one")


def check_reference_ratios(readme):
    """Each contestant's median over the best WebSocket reference's and over
    tcp-echo's, by hand from the fixtures' medians; a WebSocket reference over
    tcp-echo alone; tcp-echo over nothing; a reference not available shown
    as such with the runner's reason (its install command)."""
    thr = cells(section(readme, "throughput:"))
    # msg/s: beta 2050 / node-ws 1080 = 1.898, / tcp-echo 4000 = 0.5125; alpha 1150
    # / 1080 = 1.065, / 4000 = 0.2875; node-ws 1080 / 4000 = 0.27.
    # CPU/msg: alpha 12 us / node-ws 26 = 0.4615, / tcp-echo 2 = 6; beta 6.5 / 26 = 0.25.
    want = {("beta", "msg/s vs references"): "1.9x node-ws, 0.51 of tcp-echo",
            ("alpha", "msg/s vs references"): "1.1x node-ws, 0.29 of tcp-echo",
            ("node-ws", "msg/s vs references"): "0.27 of tcp-echo",
            ("tcp-echo", "msg/s vs references"): "",
            ("python-websockets", "msg/s vs references"): "",
            ("alpha", "CPU/msg vs references"): "0.46 of node-ws, 6x tcp-echo",
            ("beta", "CPU/msg vs references"): "0.25 of node-ws, 3.3x tcp-echo"}
    for (server, col), v in want.items():
        got = same_text(thr.get(server, {}).get(col, "?"))
        check(got == v, "throughput %s %s: %r (got %r)" % (server, col, v, got))
    na = thr.get("python-websockets", {})
    check(same_text(na.get("status", "")) == "not available; requires python3, which is missing "
          "(not on PATH); install: ./install" and na.get("msg/s") == "-",
          "throughput: python-websockets not available, with its install hint (%s)" % na)
    # bytes/conn: alpha 11000 / node-ws 20000 = 0.55, / tcp-echo 2000 = 5.5; node-ws
    # 20000 / 2000 = 10.
    cap = cells(section(readme, "capacity:"))
    for server, v in (("alpha", "0.55 of node-ws, 5.5x tcp-echo"), ("node-ws", "10x tcp-echo"),
                      ("tcp-echo", "")):
        got = same_text(cap.get(server, {}).get("vs references", "?"))
        check(got == v, "capacity %s vs references: %r (got %r)" % (server, v, got))
    lb = cells(section(readme, "Leaderboard"))
    for server, col, v in (
            ("alpha", "server CPU/msg", "tie #2 12.00 us (10.00 us-14.00 us); 0.46 of node-ws, "
                                        "6x tcp-echo"),
            ("alpha", "capacity: bytes/idle conn", "#3 10.7 KiB (9.8 KiB-11.7 KiB); 0.55 of "
                                                   "node-ws, 5.5x tcp-echo"),
            ("node-ws", "throughput: msg/s", "1,080 msg/s; 0.27 of tcp-echo"),
            ("tcp-echo", "throughput: msg/s", "4,000 msg/s"),
            ("python-websockets", "throughput: msg/s", "not available"),
            ("python-websockets", "capacity: bytes/idle conn", "")):
        got = same_text(lb.get(server, {}).get(col, "?"))
        check(got == v, "leaderboard %s %s: %r (got %r)" % (server, col, v, got))
    check("python-websockets is not available on this machine, so it has no figures: requires "
          "python3, which is missing (not on PATH); install: ./install." in readme,
          "leaderboard notes: python-websockets not available, with its install hint")
    check(readme.count("python-websockets (throughput): not available: requires python3") == 1,
          "not-ok list: python-websockets once for its two runs")


def check_leaderboard_md(out, readme, refs, title="# Leaderboard"):
    """leaderboard.md, the README's results table: the same table and notes as
    README.md's leaderboard, headed by the run, linking to the report beside it."""
    with open(os.path.join(out, "leaderboard.md")) as f:
        board = f.read()
    lines = board.splitlines()
    check(lines[0] == title, "leaderboard.md: heading %r (got %r)" % (title, lines[0]))
    check("[README.md](README.md)" in board and "[index.html](index.html)" in board and
          "[summary.csv](summary.csv)" in board, "leaderboard.md: links to the report beside it")
    want = [l for l in section(readme, "Leaderboard") if l.startswith("|") or l.startswith("- ")]
    got = [l for l in lines if l.startswith("|") or l.startswith("- ")]
    check(got == want and len(got) > 3, "leaderboard.md: README.md's leaderboard table and notes")
    rows = list(markdown_table([l for l in lines if l.startswith("|")]))
    is_ref = ["(reference)" in r for r in rows]
    check([r.split(" (")[0] for r in rows][len(rows) - len(refs):] == refs and
          is_ref == [False] * (len(rows) - len(refs)) + [True] * len(refs),
          "leaderboard.md: references %s last (%s)" % (refs, rows))
    check("/tmp" not in board and "suite-test-report" not in board,
          "leaderboard.md: no path of the machine it was written on")


def section(text, title):
    """The lines of README.md's section TITLE (up to the next ## heading)."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("## " + title))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    return lines[start:end]


def cells(lines):
    """{first cell without the run count: {header: cell}} of a section's first table."""
    t = [l for l in lines if l.startswith("|")]
    end = next((i for i in range(1, len(t)) if t[i].startswith("| server")), len(t))
    table = markdown_table(t[:end])
    return {k.split(" (")[0]: v for k, v in table.items()}


def check_tracks(tmp):
    """Every track from fixture databases in the suite's layout: compile_stats'
    figures by hand, then the report's medians, ranks, ties and references."""
    root, out = fixture_tree(tmp, "tracks")
    check_track_figures(root)
    run_report(root, out, "tracks")
    with open(os.path.join(out, "summary.csv"), newline="") as f:
        s = {(r["track"], r["variant"], r["server"]): r for r in csv.DictReader(f)}
    # Medians over the two repeats: alpha (1100, 1200), beta (2000, 2100),
    # gamma (1150, 1300) msg/s; CPU/msg alpha (10, 14) us.
    t = ("throughput", "c100-k1-s20")
    want = {("alpha", "throughput_msgs_per_s"): "1150",
            ("alpha", "throughput_msgs_per_s_min"): "1100",
            ("alpha", "throughput_msgs_per_s_max"): "1200",
            ("alpha", "throughput_server_cpu_us_per_message"): "12",
            ("beta", "throughput_msgs_per_s"): "2050", ("gamma", "throughput_msgs_per_s"): "1225",
            ("gamma", "machine_bound"): "1", ("tcp-echo", "kind"): "reference",
            ("node-ws", "kind"): "reference", ("alpha", "kind"): "contestant",
            ("python-websockets", "status"): "not available", ("alpha", "track"): "throughput",
            ("alpha", "runs"): "2"}
    for (server, k), v in want.items():
        got = s.get(t + (server,), {}).get(k)
        check(got == v, "summary throughput %s %s = %s (got %s)" % (server, k, v, got))
    check(s.get(("throughput", "c100-k16-s20", "alpha"), {}).get("throughput_msgs_per_s") == "3000",
          "summary: the pipelined variant on its own row")
    # capacity alpha (10000, 12000), beta (4000, 5000); handshakes alpha (180, 200).
    for key, k, v in ((("capacity", "default", "alpha"), "capacity_pss_bytes_per_conn", "11000"),
                      (("capacity", "default", "beta"), "capacity_pss_bytes_per_conn", "4500"),
                      (("capacity", "default", "beta"), "capacity_pss_fell_during_hold", "0"),
                      (("capacity", "default", "delta"), "capacity_pss_fell_during_hold", "1"),
                      (("handshakes", "default", "alpha"), "storm_handshakes_per_s", "190"),
                      (("slo", "default", "alpha"), "slo_max_rate_msgs_per_s", "2000")):
        got = s.get(key, {}).get(k)
        check(got == v, "summary %s %s = %s (got %s)" % ("/".join(key), k, v, got))

    with open(os.path.join(out, "README.md")) as f:
        readme = f.read()
    # Ranks: throughput (msg/s leads: its repeats vary less, median CV 6.1%
    # against 23.6% for CPU/msg): beta 2000-2100 first; alpha 1100-1200 and
    # gamma 1150-1300 overlap: a tie for 2. capacity (lower is better): beta
    # 4000-5000, delta 7000 (one run), alpha 10000-12000. handshakes: alpha
    # 180-200, beta 100. slo: alpha 2000, beta 1000. References unranked.
    want = {"throughput": {"beta": "1", "alpha": "tie 2", "gamma": "tie 2", "node-ws": "",
                           "python-websockets": "", "tcp-echo": ""},
            "capacity": {"beta": "1", "delta": "2", "alpha": "3", "node-ws": "", "tcp-echo": ""},
            "handshakes": {"alpha": "1", "beta": "2"}, "slo": {"alpha": "1", "beta": "2"}}
    for track, ranks in want.items():
        lines = section(readme, track + ":")
        table = cells(lines)
        got = {k: v.get("rank") for k, v in table.items()}
        check(got == ranks, "%s section: ranks %s (got %s)" % (track, ranks, got))
        t = [l for l in lines if l.startswith("| ")]
        end = next((i for i in range(1, len(t)) if t[i].startswith("| server")), len(t))
        is_ref = ["(reference)" in l.split("|")[1] for l in t[1:end]]
        check(is_ref == sorted(is_ref) and len(is_ref) == len(ranks),
              "%s section: references below contestants %s" % (track, is_ref))
    check_reference_ratios(readme)
    cap = cells(section(readme, "capacity:"))
    check(cap.get("delta", {}).get("frees idle state") == "yes" and
          cap.get("alpha", {}).get("frees idle state") == "no", "capacity: who frees idle state")
    lb = cells(section(readme, "Leaderboard"))
    check(same_text(lb.get("beta", {}).get("throughput: msg/s", "")) ==
          "#1 2,050 msg/s (2,000 msg/s-2,100 msg/s); 1.9x node-ws, 0.51 of tcp-echo",
        "leaderboard: beta #1 in throughput, with its ratio and spread (%s)"
        % lb.get("beta", {}).get("throughput: msg/s"))
    check(same_text(lb.get("alpha", {}).get("throughput: msg/s", "")).startswith("tie #2") and
          same_text(lb.get("gamma", {}).get("throughput: msg/s", "")).startswith("tie #2"),
          "leaderboard: alpha and gamma tie at #2")
    check(lb.get("alpha", {}).get("capacity: bytes/idle conn", "").startswith("#3") and
          lb.get("gamma", {}).get("flags") == "machine-bound", "leaderboard: capacity #3, flags")
    names = list(lb)
    check([n.split(" (")[0] for n in names[-3:]] == ["node-ws", "python-websockets", "tcp-echo"],
          "leaderboard: references last %s" % names)
    check("alpha and gamma tie at #2" in readme and "msg/s, the steadier here" in readme,
          "notes: the tie and the steadier figure named")
    check_leaderboard_md(out, readme, ["node-ws", "python-websockets", "tcp-echo"])
    with open(os.path.join(out, "index.html")) as f:
        page = f.read()
    check(page.count("<tr class='ref'>") >= 6 and "id='leaderboard'" in page,
          "index.html: the leaderboard, references shaded")
    check_page(out, "tracks")
    for png in ("throughput.png", "capacity.png", "handshakes.png", "slo.png"):
        path = os.path.join(out, png)
        check(os.path.exists(path) and open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n",
              "%s drawn" % png)


PROBE = """<script>window.addEventListener('load', function () {
  var d = document.documentElement, out = {page: d.scrollWidth, view: d.clientWidth, wide: []};
  var lb = document.getElementById('leaderboard');
  var first = document.querySelector('h2');
  out.leaderboard = !!lb && first && first.id === 'leaderboard-title';
  document.querySelectorAll('table').forEach(function (t) {
    if (!t.closest('details') && t.offsetWidth > t.parentNode.clientWidth + 1) out.wide.push(t.rows[0].cells[1].textContent);
  });
  document.body.setAttribute('data-probe', JSON.stringify(out));
});</script>"""


def check_page(out, desc):
    """index.html in headless Chromium at 1,280 x 800: the leaderboard comes
    first and neither the page nor any table is wider than the window (but
    the folded tables of every run, which may scroll in their box)."""
    with open(os.path.join(out, "index.html")) as f:
        page = f.read()
    probe = os.path.join(out, "probe.html")
    with open(probe, "w") as f:
        f.write(page.replace("</body>", PROBE + "</body>"))
    try:
        p = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                            "--user-data-dir=" + os.path.join(out, "chromium-profile"),
                            "--window-size=1280,800", "--virtual-time-budget=3000",
                            "--dump-dom", "file://" + os.path.abspath(probe)],
                           capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        check(False, "%s: chromium is not installed (./install installs it)" % desc)
        return
    m = re.search(r'data-probe="([^"]*)"', p.stdout)
    got = json.loads(html.unescape(m.group(1))) if m else {}
    check(got.get("leaderboard") is True, "%s: the leaderboard comes first %s" % (desc, got))
    check(got.get("page") is not None and got["page"] <= got["view"] and not got["wide"],
          "%s: no sideways scrolling at 1280 px (page %s of %s px, tables too wide: %s)"
          % (desc, got.get("page"), got.get("view"), got.get("wide")))


def main():
    with tempfile.TemporaryDirectory(prefix="suite-test-report-") as tmp:
        check_v1(tmp)
        check_tracks(tmp)
        check_pages_and_errors(tmp)
        check_second_methods(tmp)
        check_noise_verdict(tmp)
        check_c10k_floor(tmp)
    check_rank_chain()
    print("%s: %d failure(s)" % (__file__, failures))
    return 1 if failures else 0


def check_second_methods(tmp):
    """c-epoll-1's headline figures measured a second way (fixtures/checks,
    worked out in their headers): compile_stats' checks and verdicts, and the
    lines of the report's notes; a run without c-epoll-1 says so."""
    root, out = fixture_tree(tmp, "checks")
    want = {"c10k/c-epoll-1/default-1": [("latency_p99_us", 198, 198, True),
                                         ("latency_p99_us", 198, 190, True)],
            "throughput/c-epoll-1/c100-k1-s20-1": [("throughput_msgs_per_s", 110, 114, True)],
            "capacity/c-epoll-1/default-1": [("capacity_pss_bytes_per_conn", 10000, 9900, True),
                                             ("capacity_pss_bytes_per_conn", 10000, 12000, False)],
            "handshakes/c-epoll-1/default-1": [("handshakes", 100, 97, True)],
            "slo/c-epoll-1/default-1": [("slo_max_rate_msgs_per_s", 1000, 1000, True)]}
    for rel, checks in want.items():
        j = figures_of(os.path.join(root, rel + ".db"))
        got = [(c["figure"], c["value"], c["second"], c["agree"]) for c in j.get("checks", [])]
        check(got == checks and j.get("check_tolerance") == 0.1,
              "compile_stats checks %s: %s (got %s, tolerance %s)"
              % (rel, checks, got, j.get("check_tolerance")))
    run_report(root, out, "checks")
    with open(os.path.join(out, "README.md")) as f:
        lines = [same_text(l) for l in section(f.read(), "Notes")]
    for line in (
            "- c10k: latency p99 (every echo's, from the events) 198 us; the same rank of the "
            "events by SQLite's ORDER BY (not stats.c): 198 us: within 10% (0.0% apart).",
            "- c10k: latency p99 (every echo's, from the events) 198 us; the median of the "
            "client's live per-second p99 (samples.latency_p99_us; it agrees only when latency "
            "is steady over the run): 190 us: within 10% (4.0% apart).",
            "- throughput: echo rate 110 msg/s is 0.55 of tcp-echo's 200 msg/s: at or under the "
            "raw TCP echo, as a WebSocket echo must be.",
            "- capacity: server PSS per held connection (from second 0) 9.8 KiB; PSS after minus "
            "the runner's idle PSS (suite.server_idle_pss_bytes): 9.7 KiB: within 10% (1.0% "
            "apart).",
            "- capacity: server PSS per held connection (from second 0) 9.8 KiB; RSS after minus "
            "before, same process group: 11.7 KiB: NOT within 10% (20.0% apart).",
            "- handshakes: handshakes completed (ws_onopen events) 100; the most connections "
            "open at once (samples.connected): 97: within 10% (3.0% apart)."):
        check(line in lines, "notes: %s" % line[:70])
    check(any("throughput: echo rate (the median second's, from the samples) 110 msg/s; the "
              "echoes recorded as events" in l and "114 msg/s: within 10% (3.6% apart)" in l
              for l in lines), "notes: throughput's events rate within 10%")
    check(any("client/README.md, section \u201cHow the kit measures memory and CPU" in l
              for l in lines), "notes: the memory method, citing client/README.md's section")
    check_page(out, "checks")
    with open(os.path.join(tmp, "tracks", "out", "README.md")) as f:
        check("c-epoll-1 was not in this run" in f.read(),
              "tracks: no c-epoll-1, so the notes say nothing was checked")


def check_noise_verdict(tmp):
    """Two figures both within their noise cannot be told apart: "cannot
    tell", not a verdict on noise; one above its noise still gets one
    (fixtures/noise, worked out in its header)."""
    root, out = fixture_tree(tmp, "noise")
    j = figures_of(os.path.join(root, "capacity", "c-epoll-1", "default-1.db"))
    got = [(c["figure"], c["value"], c["second"], c["agree"], c.get("noise"),
            c.get("second_noise")) for c in j.get("checks", [])]
    want = [("capacity_pss_bytes_per_conn", 20, 0, None, 40.96, 40.96),
            ("capacity_pss_bytes_per_conn", 20, 500, False, 40.96, 40.96)]
    check(got == want, "noise: compile_stats checks %s (got %s)" % (want, got))
    run_report(root, out, "noise")
    with open(os.path.join(out, "README.md")) as f:
        lines = [same_text(l) for l in section(f.read(), "Notes")]
    for line in (
            "- capacity: server PSS per held connection (from second 0) 20 B; PSS after minus "
            "the runner's idle PSS (suite.server_idle_pss_bytes): 0 B: cannot tell: both "
            "within their noise (41 B, 41 B).",
            "- capacity: server PSS per held connection (from second 0) 20 B; RSS after minus "
            "before, same process group: 500 B: NOT within 10% (2400.0% apart)."):
        check(line in lines, "noise notes: %s" % line[-60:])


def check_c10k_floor(tmp):
    """In c10k tcp-echo is the floor, not a yardstick: no server gets a ratio
    to it there (nor does it get one), the WebSocket reference still does,
    and the c10k section states the floor (fixtures/floor, worked out in the
    headers). The tracks fixtures keep tcp-echo's ratios in throughput and
    capacity."""
    root, out = fixture_tree(tmp, "floor")
    run_report(root, out, "floor")
    with open(os.path.join(out, "README.md")) as f:
        readme = f.read()
    board = markdown_table(section(readme, "Leaderboard"))
    want = {"alpha": "#1 198 us; 0.5 of node-ws", "node-ws (reference)": "398 us",
            "tcp-echo (reference)": "148 us"}
    got = {k: same_text(v["c10k: latency p99"]) for k, v in board.items()}
    check(got == want, "floor: c10k column %s (got %s)" % (want, got))
    table = markdown_table(section(readme, "c10k"))
    got = {k: same_text(v["vs references"]) for k, v in table.items()}
    check(got == {"alpha": "0.5 of node-ws", "node-ws (reference)": "", "tcp-echo (reference)": ""},
          "floor: c10k table's ratios, none to or from tcp-echo (got %s)" % got)
    check("The floor: tcp-echo (plain TCP, no WebSocket) under the same workload and client "
          "gives p50 99 us, p99 148 us, p99.9 149 us." in same_text(readme),
          "floor: the c10k section states tcp-echo's latency as the floor")


def check_pages_and_errors(tmp):
    """What else the v1 report writes (README, charts, page), and its errors
    on bad input."""
    root, out = os.path.join(tmp, "v1", "db"), os.path.join(tmp, "v1", "out")
    with open(os.path.join(out, "runs.csv")) as f:
        check(len(f.read().strip().splitlines()) == 7, "runs.csv: header + 6 runs")
    with open(os.path.join(out, "README.md")) as f:
        readme = f.read()
    # By p99: alpha 990 us (990 us-1.98 ms over 3 runs), solo 1.10 ms (one run):
    # the spreads overlap, so both share rank 1.
    check("| alpha (3 runs) | tie 1 | ok | 99/100 |" in readme and
          "| solo | tie 1 | ok | 3/4 |" in readme, "README c10k rows: alpha and solo tie for 1")
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
    check_page(out, "v1")
    check_leaderboard_md(out, readme, [], "# Leaderboard (ini/fixture.ini, 2026-12-01T00:00:00Z)")

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




def check_rank_chain():
    """Overlaps that chain: a (1-2) overlaps b (1.5-3.5), b overlaps c (3-4),
    a is wholly ahead of c; d (5-6) is behind all. Lower is better. Every
    pair whose spreads do not overlap is ordered; no overlapping pair is."""
    sys.path.insert(0, os.path.join(HERE, ".."))
    from reportlib import rank, sections

    class E:
        def __init__(self, server, lo, hi):
            self.server, self.lo, self.hi, self.median = server, lo, hi, (lo + hi) / 2
            self.kind, self.ok, self.n = "contestant", True, 3

    es = [E("a", 1, 2), E("b", 1.5, 3.5), E("c", 3, 4), E("d", 5, 6)]
    key = "latency_p99_us"
    got = rank.ranks(es, key)
    want = {"a": (1, True), "b": (1, True), "c": (2, True), "d": (4, False)}
    check(got == want, "ranks: a chain of overlaps orders a before c, d last %s (got %s)"
          % (want, got))
    notes = sections.overlap_notes("t", es, key)
    check(notes == ["t: a (#1) overlaps b (#1): no ranking is claimed between them; a rank "
                    "counts only the contestants whose whole spread is better.",
                    "t: b (#1) overlaps c (#2): no ranking is claimed between them; a rank "
                    "counts only the contestants whose whole spread is better."],
          "notes: each overlapping pair named once (got %s)" % notes)
    es.append(E("e", 5.5, 7))
    notes = sections.overlap_notes("t", es, key)
    check(notes[-1] == "t: d and e tie at #4: their spreads over the repeats (min-max) "
          "overlap, so no ranking is claimed between them.",
          "notes: a group that overlaps only itself ties at one rank (got %s)" % notes[-1])


sys.exit(main())
