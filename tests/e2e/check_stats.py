#!/usr/bin/python3
"""End-to-end check of one load run (tests/run starts c-epoll-1 and runs
./runtest first): the three reporting tools must agree with each other and
with the run's hand-known figures.

  check_stats.py --db DB --csv-dir DIR --clients N [--runtest-log LOG]

From `./compile_stats --json DB`: clients == N, handshakes == clients,
messages_sent > 0, messages_recv == messages_sent, messages_lost == 0,
connection_timeouts == crashes == bad_echoes == 0.
From `./compile_stats --csv DIR DB`: counts.csv holds the same numbers;
handshake_times.csv has one row per handshake and message_latencies.csv one
per received message, whose count, min and max equal the JSON summaries.
From `./cat_stats --csv DB`: the exact header, and as many ws_init,
ws_onopen, message_send, message_recv and exit rows as the JSON counts.
Prints every figure it compares; exits 1 on the first disagreement list.
"""
import argparse
import collections
import csv
import io
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
problems = []


def expect(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        problems.append(what)


def tool(*args):
    r = subprocess.run([os.path.join(ROOT, args[0])] + list(args[1:]),
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        sys.exit("FAIL %s exited %d: %s" % (" ".join(args), r.returncode,
                                            r.stderr.strip()[:200]))
    return r.stdout


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def pairs_file(path, summary, name):
    rows = read_csv(path)
    expect(rows and rows[0] == ["timestamp", "elapsed_us"],
           "%s header %r" % (name, rows[0] if rows else None))
    values = [int(r[1]) for r in rows[1:]]
    expect(len(values) == summary["count"],
           "%s: %d rows, JSON count %d" % (name, len(values), summary["count"]))
    if values:
        expect(min(values) == summary["min"] and max(values) == summary["max"],
               "%s: min %d max %d, JSON min %d max %d"
               % (name, min(values), max(values), summary["min"], summary["max"]))
        expect(min(values) >= 0, "%s: no negative time" % name)
    return len(values)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--csv-dir", required=True)
    p.add_argument("--clients", type=int, required=True)
    p.add_argument("--runtest-log")
    a = p.parse_args()
    if a.runtest_log:
        with open(a.runtest_log) as f:
            last = f.read().strip().splitlines()[-1:]
        expect(last == ["runtest exit 0"], "runtest finished: %s" % (last or ["no output"])[0])

    j = json.loads(tool("compile_stats", "--json", a.db))
    print("compile_stats --json: " + json.dumps({k: j.get(k) for k in (
        "clients", "handshakes", "messages_sent", "messages_recv", "messages_lost",
        "connection_timeouts", "crashes", "bad_echoes", "exits")}))
    expect(j["clients"] == a.clients, "clients %d == %d" % (j["clients"], a.clients))
    expect(j["handshakes"] == j["clients"],
           "handshakes %d == clients %d" % (j["handshakes"], j["clients"]))
    expect(j["messages_sent"] > 0, "messages_sent %d > 0" % j["messages_sent"])
    expect(j["messages_recv"] == j["messages_sent"],
           "messages_recv %d == messages_sent %d" % (j["messages_recv"], j["messages_sent"]))
    for k in ("messages_lost", "connection_timeouts", "crashes", "bad_echoes"):
        expect(j.get(k) == 0, "%s %s == 0" % (k, j.get(k)))

    tool("compile_stats", "--csv", a.csv_dir, a.db)
    counts = {r[0]: r[1] for r in read_csv(os.path.join(a.csv_dir, "counts.csv"))[1:]}
    for k in ("clients", "handshakes", "messages_sent", "messages_recv",
              "messages_lost", "connection_timeouts", "crashes", "bad_echoes"):
        expect(counts.get(k) == str(j[k]), "counts.csv %s %s == JSON %d" % (k, counts.get(k), j[k]))
    for reason, n in j["exits"].items():
        expect(counts.get("exit:" + reason) == str(n),
               "counts.csv exit:%s %s == JSON %d" % (reason, counts.get("exit:" + reason), n))
    pairs_file(os.path.join(a.csv_dir, "handshake_times.csv"), j["handshake_time_us"],
               "handshake_times.csv")
    pairs_file(os.path.join(a.csv_dir, "message_latencies.csv"), j["message_latency_us"],
               "message_latencies.csv")

    rows = list(csv.reader(io.StringIO(tool("cat_stats", "--csv", a.db))))
    expect(rows and rows[0] == ["timestamp", "type", "client_id", "event_key", "event_data"],
           "cat_stats --csv header %r" % (rows[0] if rows else None))
    by_type = collections.Counter(r[1] for r in rows[1:])
    exits = collections.Counter(r[4] for r in rows[1:] if r[1] == "exit")
    print("cat_stats --csv: %d rows, by type %s" % (len(rows) - 1, dict(by_type)))
    for t, k in (("ws_init", "clients"), ("ws_onopen", "handshakes"),
                 ("message_send", "messages_sent"), ("message_recv", "messages_recv")):
        expect(by_type[t] == j[k], "cat_stats %s rows %d == JSON %s %d" % (t, by_type[t], k, j[k]))
    expect(dict(exits) == j["exits"], "cat_stats exit rows %s == JSON exits %s"
           % (dict(exits), j["exits"]))
    ts = [int(r[0]) for r in rows[1:]]
    expect(ts == sorted(ts), "cat_stats rows in time order")

    if problems:
        print("FAIL e2e: %d disagreement(s), first: %s" % (len(problems), problems[0]))
        sys.exit(1)
    print("PASS e2e: %d clients, %d messages echoed" % (j["clients"], j["messages_recv"]))


if __name__ == "__main__":
    main()
