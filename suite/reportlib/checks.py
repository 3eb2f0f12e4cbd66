"""The notes' second look at c-epoll-1, the kit's statement of what the
machine can do: each track's headline figure beside the same figure
measured a second way from the same database (compile_stats' "checks", with
its tolerance and verdict), and its throughput against the raw TCP echo's.
Nothing here measures: it states what compile_stats found."""

from . import fmt, rank, runs

CHECKED = "c-epoll-1"

MEMORY_METHOD = (
    "Memory is the proportional set size (PSS) of the server's whole process group, summed "
    "from each process's /proc/PID/smaps_rollup, and CPU its user + system time from "
    "/proc/PID/stat, both read by the kit's one sampler (client/src/sampler.c; the procstat "
    "command for scripts and supervisord's wsstats): client/README.md, section \u201cHow the "
    "kit measures memory and CPU: the one sampler\u201d.")


# What each checked figure is, said in full (the tables' short labels lean on
# their column).
LABELS = {
    "latency_p99_us": "latency p99 (every echo's, from the events)",
    "throughput_msgs_per_s": "echo rate (the median second's, from the samples)",
    "capacity_pss_bytes_per_conn": "server PSS per held connection (from second 0)",
    "handshakes": "handshakes completed (ws_onopen events)",
    "slo_max_rate_msgs_per_s": "highest offered rate within the SLO",
}


def tolerance(groups):
    """compile_stats' tolerance for two methods to agree."""
    for g in groups:
        for r in g.runs:
            t = r["stats"].get("check_tolerance")
            if t is not None:
                return t
    return None


def _apart(a, b):
    return abs(b - a) / abs(a) if a else (0.0 if a == b else None)


def _verdict(c, k, tol):
    """compile_stats' verdict on a check, with how far apart the two are; a
    "cannot tell" of two known figures is its noise rule (both within their
    noise), and says so."""
    known = c["value"] is not None and c["second"] is not None
    apart = _apart(c["value"], c["second"]) if known else None
    share = "" if apart is None else " (%.1f%% apart)" % (100 * apart)
    agree = c.get("agree")
    if agree is None and known and c.get("noise") is not None \
            and c.get("second_noise") is not None:
        return "cannot tell: both within their noise (%s, %s)" % (
            fmt.human(c["noise"], k), fmt.human(c["second_noise"], k))
    if agree is None:
        return "cannot tell" + share
    return ("within %.0f%%" if agree else "NOT within %.0f%%") % (100 * tol) + share


def _line(track, c, tol, which):
    k = fmt.kind(c["figure"])
    return "%s: %s %s%s; %s: %s: %s." % (
        track, LABELS.get(c["figure"], fmt.label(c["figure"])), fmt.figure(c["value"], k), which,
        c["method"], fmt.figure(c["second"], k), _verdict(c, k, tol))


def _groups_of(groups, track):
    gs = [g for g in groups if g.track == track]
    if track == "throughput":
        variant = rank.headline_variant(gs)
        gs = [g for g in gs if g.variant == variant]
    elif gs:
        gs = [g for g in gs if g.variant == sorted(set(g.variant for g in gs))[0]]
    return gs


def _tcp_line(gs, g, tol):
    """throughput: at most the raw TCP echo's rate (a WebSocket echo does
    more work per message), within the same tolerance."""
    key = "throughput_msgs_per_s"
    tcp, _ = rank.references(gs, key)
    mine = g.get(key)
    if tcp is None or mine is None or not tcp.median:
        return None
    r = mine / tcp.median
    ok = r <= 1 + tol
    return ("throughput: echo rate %s is %s of %s's %s: %s the raw TCP echo%s." % (
        fmt.figure(mine, "rate"), "%.2f" % r, tcp.server, fmt.figure(tcp.median, "rate"),
        "at or under" if ok else "ABOVE",
        ", as a WebSocket echo must be" if ok else
        " by more than %.0f%%: one of the two figures is wrong" % (100 * tol)))


def notes(groups):
    """The lines for c-epoll-1 (none when it was not in the run)."""
    mine = [g for g in groups if g.server == CHECKED]
    if not mine:
        return ["%s was not in this run, so no figure was checked a second way." % CHECKED]
    lines = []
    for track in sorted(set(g.track for g in groups), key=lambda t: (runs.track_rank(t), t)):
        gs = _groups_of(groups, track)
        g = next((g for g in gs if g.server == CHECKED), None)
        if g is None:
            continue
        key = rank.HEADLINES.get(track, "throughput_msgs_per_s")
        run = g.representative(key)
        checks = (run["stats"].get("checks") or []) if run else []
        tol = (run["stats"].get("check_tolerance") if run else None) or 0.1
        which = " (its median run, %s)" % run["db"] if run and len(g.runs) > 1 else ""
        if not checks:
            lines.append("%s: the database allows no second method%s." % (track, which))
        for c in checks:
            lines.append(_line(track, c, tol, which))
        if track == "throughput":
            t = _tcp_line(gs, g, tol)
            if t:
                lines.append(t)
    return lines
