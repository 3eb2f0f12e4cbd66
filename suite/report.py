#!/usr/bin/python3
"""./report DB_ROOT [OUT_DIR]: the suite's report from its run databases.

Reads every DB_ROOT/*.db through ./compile_stats --json and --csv (the
client's own figures) and the samples table (memory, connections over time),
and writes into OUT_DIR (default: DB_ROOT's parent):
  summary.csv   one row per server (median over repeats, with _min/_max)
  runs.csv      one row per run
  README.md     tables, machine, config and the commands that made them
  index.html    the same with the charts, readable offline
  *.png         charts drawn by gnuplot (pngcairo); data/ holds their data
"""

import csv
import glob
import html
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile

KIT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The tool that reads a run database; a test may point it at another build.
COMPILE_STATS = os.environ.get("COMPILE_STATS", os.path.join(KIT_ROOT, "compile_stats"))
TOOL_TIMEOUT_S = 600

# Columns of the client's samples table (client/README.md); the client
# writes -1 where a figure could not be read.
S_TIME = "second"
S_CONNECTIONS = "connected"
S_PSS = "server_pss_bytes"
S_RSS = "server_rss_bytes"
S_TCP_MEM = "tcp_mem_pages"

# Statuses where the client never ran, so there is nothing to compile.
NOT_RUN = ("failed verification", "failed to start", "aborted")

# (column, what the README calls it, how to show it)
METRICS = [
    ("handshakes", "handshakes", "int"),
    ("connection_timeouts", "conn. timeouts", "int"),
    ("crashes", "conn. crashes", "int"),
    ("messages_sent", "msgs sent", "int"),
    ("messages_recv", "msgs recv", "int"),
    ("messages_lost", "msgs lost", "int"),
    ("bad_echoes", "bad echoes", "int"),
    ("latency_p50_us", "latency p50", "us"),
    ("latency_p99_us", "p99", "us"),
    ("latency_p999_us", "p99.9", "us"),
    ("latency_max_us", "max", "us"),
    ("handshake_p50_us", "handshake p50", "us"),
    ("handshake_p99_us", "handshake p99", "us"),
    ("peak_pss_bytes", "peak PSS", "bytes"),
    ("pss_bytes_per_conn", "PSS/conn", "bytes"),
    ("tcp_mem_bytes_per_conn", "kernel TCP mem/conn", "bytes"),
    ("cpu_us_per_message", "server CPU/msg", "cpu"),
]


class ReportError(Exception):
    pass


def fail(msg):
    print("report: " + msg, file=sys.stderr)
    sys.exit(2)


def run_tool(args):
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S)
    except FileNotFoundError:
        raise ReportError("%s not found: run `make` at the kit root" % args[0])
    except subprocess.TimeoutExpired:
        raise ReportError("%s timed out" % " ".join(args))
    if p.returncode != 0:
        raise ReportError("%s failed (exit %d): %s"
                          % (" ".join(args), p.returncode, p.stderr.strip()[:300]))
    return p.stdout


def open_ro(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)


def read_meta(path):
    try:
        db = open_ro(path)
        try:
            return dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error as e:
        raise ReportError("%s: cannot read its meta table: %s" % (path, e))


def read_samples(path):
    """Rows of the samples table as dicts, in time order; [] without one."""
    try:
        db = open_ro(path)
        try:
            cur = db.execute("SELECT * FROM samples ORDER BY %s" % S_TIME)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]
        finally:
            db.close()
    except sqlite3.Error:
        return []


def read_elapsed(csv_path):
    """The elapsed_us column of a compile_stats CSV, sorted."""
    out = []
    if not os.path.exists(csv_path):
        return out
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            out.append(float(row["elapsed_us"]))
    out.sort()
    return out


def first_and_peak(samples, col):
    vals = [s[col] for s in samples if s.get(col) is not None and s[col] >= 0]
    if not vals:
        return None, None
    return vals[0], max(vals)


def per_conn_growth(samples, col, clients, scale=1, baseline=None):
    """(peak - baseline) * scale / clients: what the connections added. The
    baseline is the first sample unless given."""
    first, peak = first_and_peak(samples, col)
    if first is None or not clients:
        return None
    if baseline is None:
        baseline = first
    return (peak - baseline) * scale / clients


def figures(stats, samples, page_size, idle_pss=None):
    """The report's numbers for one run from compile_stats' JSON, the
    samples rows, and the server's PSS before the run if the runner took
    it (by the first sample, a short ramp has connected every client)."""
    lat = stats.get("message_latency_us") or {}
    hs = stats.get("handshake_time_us") or {}
    clients = stats.get("clients") or 0
    cpu = stats.get("server_cpu_seconds")
    recv = stats.get("messages_recv") or 0
    f = {k: stats.get(k) for k in ("handshakes", "connection_timeouts", "crashes",
                                   "messages_sent", "messages_recv", "messages_lost",
                                   "bad_echoes")}
    f.update({
        "clients": clients,
        "latency_p50_us": lat.get("p50"),
        "latency_p99_us": lat.get("p99"),
        "latency_p999_us": lat.get("p999"),
        "latency_max_us": lat.get("max"),
        "handshake_p50_us": hs.get("p50"),
        "handshake_p99_us": hs.get("p99"),
        "peak_pss_bytes": stats.get("server_peak_pss_bytes"),
        "pss_bytes_per_conn": per_conn_growth(samples, S_PSS, clients, baseline=idle_pss),
        "tcp_mem_bytes_per_conn": per_conn_growth(samples, S_TCP_MEM, clients, page_size),
        "cpu_us_per_message": cpu * 1e6 / recv if cpu is not None and recv else None,
        "client_bound": int(bool(stats.get("client_bound"))),
    })
    return f


def load_run(path, tmp, db_root):
    meta = read_meta(path)
    rel = os.path.relpath(path, db_root)   # <track>/<server>/<variant>-<k>.db, or an old <server>.db
    name = rel[:-3].replace(os.sep, "_")
    server = meta.get("suite.server") or name
    status = meta.get("suite.status") or ("ok" if meta.get("complete") == "1" else "incomplete")
    run = {"db": rel, "server": server, "status": status, "meta": meta,
           "figures": {}, "samples": [], "latencies": [], "handshakes": [],
           "reason": meta.get("suite.reason", "")}
    if status in NOT_RUN:
        return run
    try:
        stats = json.loads(run_tool([COMPILE_STATS, "--json", path]))
        csv_dir = os.path.join(tmp, name)
        os.makedirs(csv_dir, exist_ok=True)
        run_tool([COMPILE_STATS, "--csv", csv_dir, path])
    except (ReportError, ValueError) as e:
        if status == "ok":
            raise
        run["reason"] = (run["reason"] + "; " if run["reason"] else "") + str(e)
        return run
    page_size = int(meta.get("env.page_size") or 4096)
    run["samples"] = read_samples(path)
    idle = meta.get("suite.server_idle_pss_bytes")
    run["figures"] = figures(stats, run["samples"], page_size, int(idle) if idle else None)
    run["stats"] = stats
    run["latencies"] = read_elapsed(os.path.join(csv_dir, "message_latencies.csv"))
    run["handshakes"] = read_elapsed(os.path.join(csv_dir, "handshake_times.csv"))
    return run


def summarize(server, runs):
    """One summary row: the median of each figure over the runs that have
    it, with min and max."""
    row = {"server": server, "runs": len(runs)}
    statuses = [r["status"] for r in runs]
    if len(set(statuses)) == 1:
        row["status"] = statuses[0]
    else:
        row["status"] = ", ".join("%s %d/%d" % (s, statuses.count(s), len(runs))
                                  for s in sorted(set(statuses)))
    row["clients"] = next((r["figures"]["clients"] for r in runs if r["figures"]), "")
    for key, _, _ in METRICS:
        vals = [r["figures"][key] for r in runs
                if r["figures"] and r["figures"].get(key) is not None]
        if vals:
            row[key] = statistics.median(vals)
            row[key + "_min"] = min(vals)
            row[key + "_max"] = max(vals)
        else:
            row[key] = row[key + "_min"] = row[key + "_max"] = ""
    bound = [r["figures"]["client_bound"] for r in runs if r["figures"]]
    row["client_bound"] = int(any(bound)) if bound else ""
    return row


def num(v):
    """A figure for the CSV: integers stay integers, the rest keep 3 decimals."""
    if v == "" or v is None:
        return ""
    if isinstance(v, float) and not v.is_integer():
        return "%.3f" % v
    return str(int(v))


def human(v, kind):
    if v == "" or v is None:
        return "-"
    if kind == "int":
        return "%d" % v
    if kind == "us":
        return "%.0f us" % v if v < 1000 else "%.2f ms" % (v / 1000) if v < 1e6 else "%.2f s" % (v / 1e6)
    if kind == "bytes":
        for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
            if abs(v) >= div:
                return "%.1f %s" % (v / div, unit)
        return "%.0f B" % v
    if kind == "cpu":
        return "%.2f us" % v
    return str(v)


def cell(row, key, kind):
    text = human(row[key], kind)
    if row["runs"] > 1 and row[key] != "" and row[key + "_min"] != row[key + "_max"]:
        text += " (%s-%s)" % (human(row[key + "_min"], kind), human(row[key + "_max"], kind))
    return text


SUMMARY_FIELDS = (["server", "runs", "status", "clients"]
                  + [k for k, _, _ in METRICS]
                  + ["client_bound"]
                  + [k + s for k, _, _ in METRICS for s in ("_min", "_max")])


def write_csvs(out, rows, runs):
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(SUMMARY_FIELDS)
        for r in rows:
            w.writerow([r[k] if k in ("server", "status") else num(r[k]) for k in SUMMARY_FIELDS])
    fields = ["db", "server", "run", "status", "clients"] + [k for k, _, _ in METRICS] + \
             ["client_bound", "reason"]
    with open(os.path.join(out, "runs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for r in runs:
            fig = r["figures"]
            w.writerow([r["db"], r["server"], r["meta"].get("suite.run", "1"), r["status"],
                        num(fig.get("clients"))]
                       + [num(fig.get(k)) for k, _, _ in METRICS]
                       + [num(fig.get("client_bound")), r["reason"]])


# Percentiles for the distribution charts, spaced evenly on the
# 1/(1-p) axis HdrHistogram uses, from 0 to 99.999.
CURVE_POINTS = [100.0 * (1 - 10 ** (-k / 20.0)) for k in range(0, 101)]


def percentile(sorted_vals, p):
    """Nearest rank: the smallest value with at least p% of values <= it."""
    n = len(sorted_vals)
    rank = max(1, math.ceil(p * n / 100 - 1e-9))
    return sorted_vals[min(rank, n) - 1]


def write_curve(path, vals):
    with open(path, "w") as f:
        f.write("# percentile x=1/(1-p) value_ms\n")
        n = len(vals)
        for p in CURVE_POINTS:
            if n * (100 - p) / 100 < 1 and p > 0:
                break           # beyond what this many samples can tell
            f.write("%.5f %.6f %.6f\n" % (p, 1 / (1 - p / 100), percentile(vals, p) / 1000))
        f.write("%.5f %.6f %.6f\n" % (100.0, 1e6, vals[-1] / 1000))


def write_series(path, samples, col, scale):
    with open(path, "w") as f:
        f.write("# seconds %s\n" % col)
        t0 = samples[0][S_TIME]
        for s in samples:
            if s.get(col) is not None and s[col] >= 0:
                f.write("%s %s\n" % (s[S_TIME] - t0, s[col] * scale))


def gp_quote(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def charts(out, by_server):
    """Data files and gnuplot charts; returns the (file, title) drawn."""
    data = os.path.join(out, "data")
    os.makedirs(data, exist_ok=True)
    lat, hs, conns, mem = [], [], [], []
    for server, runs in by_server.items():
        vals = sorted(v for r in runs for v in r["latencies"])
        if vals:
            p = "data/latency-%s.dat" % server
            write_curve(os.path.join(out, p), vals)
            lat.append((p, server))
        vals = sorted(v for r in runs for v in r["handshakes"])
        if vals:
            p = "data/handshake-%s.dat" % server
            write_curve(os.path.join(out, p), vals)
            hs.append((p, server))
        # Time series: the first run of each server that has samples.
        run = next((r for r in runs if r["samples"]), None)
        if run and any((s.get(S_CONNECTIONS) or -1) >= 0 for s in run["samples"]):
            p = "data/connections-%s.dat" % server
            write_series(os.path.join(out, p), run["samples"], S_CONNECTIONS, 1)
            conns.append((p, server))
        if run and any((s.get(S_PSS) or -1) >= 0 for s in run["samples"]):
            p = "data/memory-%s.dat" % server
            write_series(os.path.join(out, p), run["samples"], S_PSS, 1 / (1 << 20))
            mem.append((p, server))

    xtics = ('set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, '
             '"99.99%%" 10000, "99.999%%" 100000, "max" 1000000)\nset xrange [1:1.5e6]\n')
    script = ["set terminal pngcairo size 900,540 font 'sans,10'\n", "set grid\n",
              "set key outside right top\n"]
    drawn = []

    def plot(name, title, xlabel, ylabel, series, using, pre=""):
        if not series:
            return
        script.append("set output '%s'\nset title %s\nset xlabel %s\nset ylabel %s\n%s"
                      % (name, gp_quote(title), gp_quote(xlabel), gp_quote(ylabel), pre))
        # gnuplot has 8 colours: from the ninth series on, dashes tell them apart.
        script.append("plot " + ", ".join("%s using %s with lines lw 2 lt %d dt %d title %s"
                                          % (gp_quote(p), using, i % 8 + 1, i // 8 + 1,
                                             gp_quote(s))
                                          for i, (p, s) in enumerate(series)) + "\n")
        script.append("unset logscale\nset xtics autofreq\nset autoscale x\n")
        drawn.append((name, title))

    plot("latency.png", "Message latency by percentile", "percentile", "latency (ms)",
         lat, "2:3", "set logscale x\nset logscale y\n" + xtics)
    plot("handshake.png", "Handshake time by percentile", "percentile", "handshake time (ms)",
         hs, "2:3", "set logscale x\nset logscale y\n" + xtics)
    plot("connections.png", "Open connections over time", "seconds", "connections",
         conns, "1:2")
    plot("memory.png", "Server memory (PSS) over time", "seconds", "PSS (MiB)", mem, "1:2")
    if not drawn:
        return []
    with open(os.path.join(data, "charts.gp"), "w") as f:
        f.writelines(script)
    try:
        p = subprocess.run(["gnuplot", "data/charts.gp"], cwd=out, capture_output=True,
                           text=True, timeout=TOOL_TIMEOUT_S)
    except (FileNotFoundError, subprocess.TimeoutExpired) as e:
        print("report: warning: no charts: gnuplot: %s" % e, file=sys.stderr)
        return []
    if p.returncode != 0:
        print("report: warning: gnuplot failed: %s" % p.stderr.strip()[:500], file=sys.stderr)
        return []
    return drawn


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


def table_rows(rows):
    head = ["server", "status", "handshakes/clients"] + [label for k, label, _ in METRICS
                                                         if k != "handshakes"] + ["client-bound"]
    body = []
    for r in rows:
        hs = human(r["handshakes"], "int")
        body.append([r["server"] + ("" if r["runs"] == 1 else " (%d runs)" % r["runs"]),
                     r["status"], "%s/%s" % (hs, r["clients"] if r["clients"] != "" else "-")]
                    + [cell(r, k, kind) for k, _, kind in METRICS if k != "handshakes"]
                    + [{1: "yes", 0: "no"}.get(r["client_bound"], "-")])
    return head, body


NOTES = [
    "Medians over the runs, with the spread (min-max) in brackets when a server ran more "
    "than once; summary.csv holds the median and the _min/_max columns, runs.csv every run.",
    "Latencies are from send to echo received; handshake time from connect to the 101.",
    "PSS/conn: (peak server PSS - its PSS before the run, or in the first sample if the "
    "runner did not record it) / clients. Kernel TCP mem/conn: (peak - first sample) of "
    "the machine's TCP memory (/proc/net/sockstat) / clients: both ends of each "
    "connection, and anything else using TCP on the machine meanwhile.",
    "PSS splits shared pages among every process that maps them: when the client's "
    "processes start, the server's share of libc and the like drops by tens of KiB. With "
    "few clients that noise dominates PSS/conn (it can even be negative); at full scale "
    "the connections dominate.",
    "Server CPU/msg: the server's user+system CPU time / messages received back (CPU time "
    "is counted in 10 ms ticks: meaningful only for runs of many messages).",
    "client-bound: the client itself was the bottleneck (its CPU saturated or it fell "
    "behind schedule), so the server's figures are a lower bound on what it can do.",
    "Status: ok; failed verification (./verify rejected it, not benchmarked); failed to "
    "start; crashed (supervisord no longer ran it after the load); client error; "
    "interrupted; incomplete.",
]


def commands(runs, db_root, out):
    cmds = []
    for r in runs:
        c = r["meta"].get("suite.command")
        if c and c not in cmds:
            cmds.append(c)
    for r in runs:
        c = r["meta"].get("suite.runtest_command")
        if c:
            cmds.append(c)
    cmds.append("./report %s %s" % (db_root, out))
    return cmds


def write_readme(out, rows, runs, drawn, db_root):
    meta = next((r["meta"] for r in runs if "env.cpu_model" in r["meta"]), runs[0]["meta"])
    head, body = table_rows(rows)
    lines = ["# Results", ""]
    if meta.get("suite.config_path"):
        lines += ["Suite `%s`: %s clients for %s s per server, %s." % (
            meta.get("suite.config_path"), meta.get("suite.clients", "?"),
            meta.get("suite.seconds", "?"), meta.get("env.date", "date unknown")), ""]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in b) + " |" for b in body]
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        lines += ["", "## Runs that did not finish ok", ""]
        for r in failed:
            lines.append("- %s (%s): %s%s" % (r["server"], r["db"], r["status"],
                                             (": " + r["reason"]) if r["reason"] else ""))
    lines += ["", "## Notes", ""] + ["- " + n for n in NOTES]
    if drawn:
        lines += ["", "## Charts", ""] + ["![%s](%s)" % (t, f) for f, t in drawn]
    lines += ["", "## Machine", ""]
    lines += ["- %s: %s" % (label, meta[k]) for k, label in ENV_KEYS if meta.get(k)]
    if meta.get("env.warnings"):
        lines += ["", "Preflight warnings:", ""] + ["- " + w for w in
                                                   meta["env.warnings"].splitlines()]
    if meta.get("suite.config"):
        lines += ["", "## Config", "", "```ini", meta["suite.config"].rstrip(), "```"]
    lines += ["", "## Commands", "", "```sh"] + commands(runs, db_root, out) + ["```", ""]
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("\n".join(lines))
    return meta


def write_html(out, rows, runs, drawn, meta, db_root):
    e = html.escape
    head, body = table_rows(rows)
    h = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Results</title>",
         "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #aaa;padding:3px 6px;text-align:right}"
         "td:first-child,th:first-child,td:nth-child(2){text-align:left}"
         "pre{background:#f4f4f4;padding:8px}img{max-width:100%}</style></head><body>",
         "<h1>Results</h1>"]
    if meta.get("suite.config_path"):
        h.append("<p>Suite <code>%s</code>: %s clients for %s s per server, %s.</p>" % (
            e(meta["suite.config_path"]), e(meta.get("suite.clients", "?")),
            e(meta.get("suite.seconds", "?")), e(meta.get("env.date", ""))))
    h.append("<table><tr>" + "".join("<th>%s</th>" % e(c) for c in head) + "</tr>")
    for b in body:
        h.append("<tr>" + "".join("<td>%s</td>" % e(c) for c in b) + "</tr>")
    h.append("</table>")
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        h.append("<h2>Runs that did not finish ok</h2><ul>")
        h += ["<li>%s (%s): %s%s</li>" % (e(r["server"]), e(r["db"]), e(r["status"]),
                                          e(": " + r["reason"]) if r["reason"] else "")
              for r in failed]
        h.append("</ul>")
    h.append("<h2>Notes</h2><ul>" + "".join("<li>%s</li>" % e(n) for n in NOTES) + "</ul>")
    if drawn:
        h.append("<h2>Charts</h2>")
        h += ["<p><img src='%s' alt='%s'></p>" % (e(f), e(t)) for f, t in drawn]
    h.append("<h2>Machine</h2><table>")
    h += ["<tr><th>%s</th><td>%s</td></tr>" % (e(label), e(meta[k]))
          for k, label in ENV_KEYS if meta.get(k)]
    h.append("</table>")
    if meta.get("env.warnings"):
        h.append("<p>Preflight warnings:</p><ul>" + "".join(
            "<li>%s</li>" % e(w) for w in meta["env.warnings"].splitlines()) + "</ul>")
    if meta.get("suite.config"):
        h.append("<h2>Config</h2><pre>%s</pre>" % e(meta["suite.config"]))
    h.append("<h2>Commands</h2><pre>%s</pre>" % e("\n".join(commands(runs, db_root, out))))
    h.append("<p>Tables as CSV: <a href='summary.csv'>summary.csv</a>, "
             "<a href='runs.csv'>runs.csv</a>.</p></body></html>\n")
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write("\n".join(h))


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        print("usage: ./report DB_ROOT [OUT_DIR]\n"
              "  writes summary.csv, runs.csv, README.md, index.html and charts for the\n"
              "  run databases DB_ROOT/*.db into OUT_DIR (default: DB_ROOT's parent)",
              file=sys.stderr if len(argv) not in (2, 3) else sys.stdout)
        return 0 if len(argv) == 2 and argv[1] in ("-h", "--help") else 2
    db_root = argv[1].rstrip("/") or "/"
    out = argv[2] if len(argv) == 3 else (os.path.dirname(os.path.abspath(db_root)))
    if not os.path.isdir(db_root):
        fail("%s: not a directory (expected the suite's db_root)" % db_root)
    dbs = sorted(glob.glob(os.path.join(db_root, "**", "*.db"), recursive=True))
    if not dbs:
        fail("%s holds no .db files: run ./runsuite first" % db_root)
    os.makedirs(out, exist_ok=True)

    runs = []
    errors = 0
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        for path in dbs:
            try:
                runs.append(load_run(path, tmp, db_root))
            except ReportError as e:
                print("report: %s: %s" % (path, e), file=sys.stderr)
                errors += 1
    if not runs:
        fail("no database in %s could be read" % db_root)
    by_server = {}
    for r in sorted(runs, key=lambda r: (r["server"], int(r["meta"].get("suite.run", "1")))):
        by_server.setdefault(r["server"], []).append(r)
    rows = [summarize(s, rs) for s, rs in by_server.items()]
    write_csvs(out, rows, runs)
    drawn = charts(out, by_server)
    meta = write_readme(out, rows, runs, drawn, db_root)
    write_html(out, rows, runs, drawn, meta, db_root)
    print("report: %d run(s) of %d server(s) -> %s/{summary.csv,README.md,index.html}"
          % (len(runs), len(rows), out))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
