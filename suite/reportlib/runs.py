"""The runs under a db_root, each read once through compile_stats --json,
and their grouping: one group per (track, variant, server), summarized as
the median of each figure over its runs with the min and max."""

import glob
import json
import os
import statistics
import subprocess

TOOL_TIMEOUT_S = 600

# Statuses where the client never ran, so there are no figures.
NOT_RUN = ("failed verification", "failed to start", "aborted", "not available")

# Tracks in the order the report shows them.
TRACK_ORDER = ["c10k", "throughput", "capacity", "handshakes", "slo"]


class ReportError(Exception):
    pass


def find_databases(db_root):
    """Every run database: the old layout DB_ROOT/*.db (c10k only) and the
    suite's DB_ROOT/<track>/<server>/<variant>-<k>.db."""
    root = glob.escape(db_root)
    return (sorted(glob.glob(os.path.join(root, "*.db"))) +
            sorted(glob.glob(os.path.join(root, "*", "*", "*.db"))))


def compile_stats(tool, path):
    try:
        p = subprocess.run([tool, "--json", path], capture_output=True, text=True,
                           timeout=TOOL_TIMEOUT_S)
    except FileNotFoundError:
        raise ReportError("%s not found: run `make` at the kit root" % tool)
    except subprocess.TimeoutExpired:
        raise ReportError("%s --json timed out" % tool)
    if p.returncode != 0:
        raise ReportError(p.stderr.strip()[:300] or "compile_stats exit %d" % p.returncode)
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        raise ReportError("compile_stats printed no JSON: %s" % e)


def _int(v, default):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def load(tool, db_root, path):
    """One run: who, which track, how it ended, and its figures."""
    stats = compile_stats(tool, path)
    meta = stats.get("meta") or {}
    rel = os.path.relpath(path, db_root)
    parts = rel.split(os.sep)
    stem = parts[-1][:-3]
    server = meta.get("suite.server") or (parts[1] if len(parts) == 3 else stem)
    variant = meta.get("suite.variant") or (stem.rsplit("-", 1)[0] if len(parts) == 3
                                            else "default")
    if meta.get("suite.status"):
        status = meta["suite.status"]
    elif not stats.get("recorded"):
        status = "not run"
    else:
        status = "ok" if stats.get("complete") else "incomplete"
    return {
        "db": rel, "server": server, "track": stats.get("track") or "c10k",
        "variant": variant, "k": _int(meta.get("suite.run") or meta.get("suite.repeat"), 1),
        "kind": meta.get("suite.kind") or "contestant",
        "engine": meta.get("suite.engine") or meta.get("engine") or "kit",
        "protocol": meta.get("suite.protocol") or meta.get("protocol") or "websocket",
        "status": status, "reason": meta.get("suite.reason", ""), "meta": meta,
        "stats": stats,
        "figures": (stats.get("figures") or {}) if status not in NOT_RUN else {},
    }


def figure_names(runs):
    """Every figure name, in compile_stats' order, tracks in the report's."""
    names = []
    for r in sorted(runs, key=lambda r: track_rank(r["track"])):
        for k in r["figures"]:
            if k not in names:
                names.append(k)
    return names


def track_rank(track):
    return TRACK_ORDER.index(track) if track in TRACK_ORDER else len(TRACK_ORDER)


def _status(runs):
    statuses = [r["status"] for r in runs]
    if len(set(statuses)) == 1:
        return statuses[0]
    return ", ".join("%s %d/%d" % (s, statuses.count(s), len(runs)) for s in sorted(set(statuses)))


def summarize(runs, names):
    """One row: the median of each figure over the runs that have it (a flag:
    set in any run), with _min and _max. No figure's name ends in _min or
    _max (compile_stats keeps to that), so these never collide with one."""
    row = {"runs": len(runs), "status": _status(runs),
           "clients": next((r["figures"]["clients"] for r in runs if r["figures"]), "")}
    for key in names:
        vals = [r["figures"][key] for r in runs if r["figures"].get(key) is not None]
        if vals and all(isinstance(v, bool) for v in vals):
            row[key] = int(any(vals))
        elif vals:
            row[key] = statistics.median(vals)
            row[key + "_min"] = min(vals)
            row[key + "_max"] = max(vals)
        else:
            row[key] = ""
    return row


class Group:
    """The runs of one server in one track and variant."""

    def __init__(self, track, variant, server, runs, names):
        self.track, self.variant, self.server = track, variant, server
        self.runs = sorted(runs, key=lambda r: r["k"])
        self.kind = "reference" if any(r["kind"] == "reference" for r in runs) else "contestant"
        self.protocol = self.runs[0]["protocol"]
        self.engines = sorted(set(r["engine"] for r in runs))
        self.row = summarize(self.runs, names)
        self.ok_runs = [r for r in self.runs if r["status"] == "ok" and r["figures"]]

    def get(self, key):
        v = self.row.get(key, "")
        return None if v == "" else v

    def values(self, key, ok_only=True):
        """The figure of each run (each ok run by default)."""
        runs = self.ok_runs if ok_only else self.runs
        return [r["figures"][key] for r in runs if r["figures"].get(key) is not None]

    def representative(self, key):
        """The run whose figure is the median of the ok runs' (the lower of
        the two middle ones), for the charts a run draws on its own."""
        runs = [r for r in self.ok_runs if r["figures"].get(key) is not None]
        if not runs:
            return next((r for r in self.runs if r["figures"]), None)
        runs.sort(key=lambda r: r["figures"][key])
        return runs[(len(runs) - 1) // 2]

    def flags(self):
        out = []
        if any(r["figures"].get("machine_bound") for r in self.runs):
            out.append("machine-bound")
        if any(r["figures"].get("client_bound") for r in self.runs):
            out.append("client-bound")
        return out


def group(runs):
    names = figure_names(runs)
    by = {}
    for r in runs:
        by.setdefault((r["track"], r["variant"], r["server"]), []).append(r)
    groups = [Group(t, v, s, rs, names) for (t, v, s), rs in by.items()]
    groups.sort(key=lambda g: (track_rank(g.track), g.track, g.variant, g.server))
    return groups, names
