#!/usr/bin/python3
"""./report DB_ROOT [OUT_DIR]: the suite's report from its run databases.

Reads every run database under DB_ROOT (<track>/<server>/<variant>-<k>.db,
or an old DB_ROOT/*.db) once, through client/build/compile_stats --json: the
one source of every figure shown. Nothing here opens SQLite or derives a
figure; it groups the runs, takes medians over repeats, ranks and lays out.
Writes into OUT_DIR (default: DB_ROOT's parent):
  summary.csv   one row per track, variant and server (median over the
                repeats, with _min/_max)
  runs.csv      one row per run
  README.md     the leaderboard, a section per track, machine, config, commands
  index.html    the same with the charts, readable offline
  leaderboard.md  the leaderboard alone with the machine and its notes: the
                results table a README includes or links to
  *.png         charts drawn by gnuplot (pngcairo); data/ holds their data
"""

import csv
import os
import sys

# Run as suite/report.py or as its copy suite/build/report: reportlib is in suite/.
HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = HERE if os.path.isdir(os.path.join(HERE, "reportlib")) else os.path.dirname(HERE)
sys.path.insert(0, SUITE)

from reportlib import charts, checks, doc, rank, runs, sections  # noqa: E402

KIT_ROOT = os.path.dirname(SUITE)
# The tool that reads a run database; a test may point it at another build.
COMPILE_STATS = os.environ.get("COMPILE_STATS",
                               os.path.join(KIT_ROOT, "client", "build", "compile_stats"))

ENV_KEYS = [
    ("env.cpu_model", "CPU"), ("env.cores", "cores"), ("env.mem_total", "memory"),
    ("env.kernel", "kernel"), ("env.somaxconn", "net.core.somaxconn"),
    ("env.tcp_max_syn_backlog", "net.ipv4.tcp_max_syn_backlog"),
    ("env.tcp_mem", "net.ipv4.tcp_mem (pages)"),
    ("env.ip_local_port_range", "net.ipv4.ip_local_port_range"),
    ("env.file_max", "fs.file-max"), ("env.nr_open", "fs.nr_open"),
    ("env.client_nofile_soft", "client open files (soft)"),
    ("env.client_nofile_hard", "client open files (hard)"),
    ("env.server_nofile_soft", "server open files (soft)"),
    ("env.server_nofile_hard", "server open files (hard)"),
    ("env.compiler", "compiler"), ("env.lib.sqlite3", "sqlite3"), ("env.lib.inih", "inih"),
    ("env.lib.openssl", "openssl"), ("env.lib.xmlrpc-c", "xmlrpc-c"),
    ("env.supervisord", "supervisord"), ("env.wsstats", "wsstats API"),
    ("suite.server_stats", "server memory and CPU read via"),
    ("env.date", "date (UTC)"),
]

NOTES = [
    "Every figure is compile_stats' (client/README.md names each): the report takes the "
    "median over the repeats and shows the spread (min-max) when a server ran more than "
    "once; summary.csv holds the median and the _min/_max columns, runs.csv every run.",
    "Latencies are from the scheduled send to the echo received; handshake time from "
    "connect to the 101.",
    "Memory per connection is after minus before the load over the connections: the "
    "server's PSS (its process group) from the sample before the first connection (else "
    "the runner's idle reading, else the first sample); the kernel's TCP and slab memory "
    "machine-wide, so both ends of each connection. A figure not above what its method "
    "can tell (a page, or the disagreement of the two readings before the load) shows as "
    "\u201c< noise\u201d, never as a negative size.",
    "Server CPU/msg: the server's user+system CPU time / messages echoed (CPU time is "
    "counted in 10 ms ticks: meaningful only for runs of many messages).",
    "client-bound: the client itself was the bottleneck (a worker saturated or fell "
    "behind schedule). machine-bound: the machine had no idle CPU over the run, so the "
    "figure measures client and server together; per-message CPU still compares servers.",
    "References (shaded, below the contestants) are not ranked: each contestant's figure "
    "is also given as a ratio to them.",
    "Status: ok; failed verification (./verify rejected it, not benchmarked); failed to "
    "start; crashed (supervisord no longer ran it after the load); client error; "
    "interrupted; incomplete.",
]


def fail(msg):
    print("report: " + msg, file=sys.stderr)
    sys.exit(2)


def num(v):
    """A figure for the CSV: integers stay integers, the rest keep 3 decimals."""
    if v == "" or v is None:
        return ""
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, float) and not v.is_integer():
        return "%.3f" % v
    return str(int(v))


def write_csvs(out, groups, all_runs, names):
    head = ["track", "variant", "server", "kind", "runs", "status"]
    fields = head + names + [n + s for n in names for s in ("_min", "_max")]
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for g in groups:
            w.writerow([g.track, g.variant, g.server, g.kind, g.row["runs"], g.row["status"]]
                       + [num(g.row.get(k)) for k in fields[len(head):]])
    fields = ["db", "track", "variant", "server", "kind", "run", "status"] + names + ["reason"]
    with open(os.path.join(out, "runs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for r in all_runs:
            w.writerow([r["db"], r["track"], r["variant"], r["server"], r["kind"],
                        r["meta"].get("suite.run", "1"), r["status"]]
                       + [num(r["figures"].get(k)) for k in names] + [r["reason"]])


def commands(all_runs, db_root, out):
    cmds = []
    for key in ("suite.command", "suite.runtest_command"):
        for r in all_runs:
            c = r["meta"].get(key)
            if c and c not in cmds:
                cmds.append(c)
    cmds.append("./report %s %s" % (db_root, out))
    return cmds


def machine_meta(all_runs):
    return next((r["meta"] for r in all_runs if "env.cpu_model" in r["meta"]),
                all_runs[0]["meta"])


def intro(meta):
    if not meta.get("suite.config_path"):
        return []
    return [doc.Para("Suite %s, %s." % (meta["suite.config_path"],
                                         meta.get("env.date", "date unknown")))]


def not_ok(all_runs):
    """The runs that did not finish ok, with why; a server not available is
    one line (the runner wrote a database for each of its runs)."""
    items, unavailable = [], {}
    for r in all_runs:
        if r["status"] == "not available":
            tracks = unavailable.setdefault((r["server"], r["reason"]), [])
            if r["track"] not in tracks:
                tracks.append(r["track"])
        elif r["status"] != "ok":
            items.append("%s (%s): %s%s" % (r["server"], r["db"], r["status"],
                                            (": " + r["reason"]) if r["reason"] else ""))
    items += ["%s (%s): not available%s" % (server, ", ".join(tracks),
                                            (": " + reason) if reason else "")
              for (server, reason), tracks in unavailable.items()]
    if not items:
        return []
    return [doc.Heading(2, "Runs that did not finish ok"), doc.List(items)]


def checked(groups):
    """c-epoll-1's headline figures, each measured a second way."""
    tol = checks.tolerance(groups)
    return [doc.Heading(3, "%s checked a second way" % checks.CHECKED),
            doc.Para("Each track's headline figure for %s, the kit's statement of what the "
                     "machine can do, beside the same figure measured another way from the "
                     "same database (compile_stats' checks; client/README.md, compile_stats)%s."
                     % (checks.CHECKED, "" if tol is None else
                        ": two methods agree when the second is within %.0f%% of the first; "
                        "where they do not, the line says so" % (100 * tol))),
            doc.List(checks.notes(groups))]


def appendix(meta, all_runs, groups, db_root, out):
    blocks = [doc.Heading(2, "Notes"), doc.List(NOTES + [checks.MEMORY_METHOD])]
    blocks += checked(groups) + [doc.Heading(2, "Machine"),
              doc.List(["%s: %s" % (label, meta[k]) for k, label in ENV_KEYS if meta.get(k)])]
    if meta.get("env.warnings"):
        blocks += [doc.Para("Preflight warnings:"), doc.List(meta["env.warnings"].splitlines())]
    if meta.get("suite.config"):
        blocks += [doc.Heading(2, "Config"), doc.Pre(meta["suite.config"], "ini")]
    blocks += [doc.Heading(2, "Commands"),
               doc.Pre("\n".join(commands(all_runs, db_root, out)), "sh"),
               doc.Para("Tables as CSV: summary.csv (one row per track, variant and server), "
                        "runs.csv (one row per run).")]
    return blocks


def leaderboard_page(meta, board):
    """leaderboard.md: the leaderboard's table and notes as in README.md,
    headed by the run and the machine, linking to the full report beside it."""
    if not board:
        return []
    what = ", ".join(x for x in (meta.get("suite.config_path"), meta.get("env.date")) if x)
    machine = ", ".join(x for x in (meta.get("env.cpu_model"),
                                    meta.get("env.cores") and meta["env.cores"] + " cores",
                                    meta.get("env.kernel") and "kernel " + meta["env.kernel"])
                        if x)
    blocks = [doc.Heading(1, "Leaderboard" + (" (%s)" % what if what else ""))]
    blocks.append(doc.Para(
        "Written by ./report from the run databases%s. The full report, with every track's "
        "table, the charts, the config and the commands: [README.md](README.md) "
        "([index.html](index.html)); every figure: [summary.csv](summary.csv)."
        % (" on " + machine if machine else "")))
    return blocks + board[1:]


def build(groups, all_runs, out, db_root):
    """The page's blocks, with the charts drawn, and leaderboard.md's."""
    ch = charts.Charts(out)
    steady, cvs = rank.steadier([g for g in groups if g.track == "throughput"])
    body = []
    pngs_of = []
    for track in dict.fromkeys(g.track for g in groups):
        blocks, pngs = sections.track_section(track, [g for g in groups if g.track == track],
                                              ch, steady, cvs)
        body.append(blocks)
        pngs_of.append(pngs)
    drawn = dict(ch.draw())
    meta = machine_meta(all_runs)
    board = sections.leaderboard(groups, steady, cvs)
    blocks = [doc.Heading(1, "Results")] + intro(meta) + board
    for part, pngs in zip(body, pngs_of):
        blocks += part + [doc.Image(p, drawn[p]) for p in pngs if p in drawn]
    blocks += not_ok(all_runs) + appendix(meta, all_runs, groups, db_root, out)
    return blocks, leaderboard_page(meta, board)


def load_all(db_root, dbs):
    loaded, errors = [], 0
    for path in dbs:
        try:
            loaded.append(runs.load(COMPILE_STATS, db_root, path))
        except runs.ReportError as e:
            print("report: %s: %s" % (path, e), file=sys.stderr)
            errors += 1
    return loaded, errors


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        print("usage: ./report DB_ROOT [OUT_DIR]\n"
              "  writes summary.csv, runs.csv, README.md, index.html, leaderboard.md and\n"
              "  the charts for the run databases under DB_ROOT\n"
              "  (<track>/<server>/<variant>-<k>.db, or *.db) into OUT_DIR (default:\n"
              "  DB_ROOT's parent)",
              file=sys.stderr if len(argv) not in (2, 3) else sys.stdout)
        return 0 if len(argv) == 2 and argv[1] in ("-h", "--help") else 2
    db_root = argv[1].rstrip("/") or "/"
    out = argv[2] if len(argv) == 3 else os.path.dirname(os.path.abspath(db_root))
    if not os.path.isdir(db_root):
        fail("%s: not a directory (expected the suite's db_root)" % db_root)
    dbs = runs.find_databases(db_root)
    if not dbs:
        fail("%s holds no .db files: run ./runsuite first" % db_root)
    os.makedirs(out, exist_ok=True)

    all_runs, errors = load_all(db_root, dbs)
    if not all_runs:
        fail("no database in %s could be read" % db_root)
    all_runs.sort(key=lambda r: (runs.track_rank(r["track"]), r["track"], r["variant"],
                                 r["server"], r["k"]))
    groups, names = runs.group(all_runs)
    write_csvs(out, groups, all_runs, names)
    blocks, board = build(groups, all_runs, out, db_root)
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(doc.markdown(blocks))
    with open(os.path.join(out, "leaderboard.md"), "w") as f:
        f.write(doc.markdown(board))
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(doc.page("Results", blocks))
    print("report: %d run(s) in %d group(s) -> %s/{summary.csv,README.md,index.html,"
          "leaderboard.md}"
          % (len(all_runs), len(groups), out))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
