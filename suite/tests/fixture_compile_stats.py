#!/usr/bin/python3
"""Test fixture standing in for ./compile_stats in test_report.py: answers
from figures test_report.py stored in the database's meta table
(fixture.json, fixture.latencies_us, fixture.handshakes_us), so the report's
own arithmetic can be checked against hand-computed numbers."""
import os
import sqlite3
import sys


def meta(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return dict(db.execute("SELECT key, value FROM meta").fetchall())
    finally:
        db.close()


def main(argv):
    if len(argv) == 3 and argv[1] == "--json":
        print(meta(argv[2])["fixture.json"])
        return 0
    if len(argv) == 4 and argv[1] == "--csv":
        m = meta(argv[3])
        for name, key in (("message_latencies.csv", "fixture.latencies_us"),
                          ("handshake_times.csv", "fixture.handshakes_us")):
            with open(os.path.join(argv[2], name), "w") as f:
                f.write("timestamp,elapsed_us\n")
                for i, v in enumerate(m.get(key, "").split(",")):
                    if v:
                        f.write("%d,%s\n" % (i, v))
        return 0
    print("usage: fixture_compile_stats.py --json DB | --csv DIR DB", file=sys.stderr)
    return 2


sys.exit(main(sys.argv))
