"""The leaderboard: one headline figure per track, its median and spread
over the repeats, every pair of contestants whose spreads do not overlap
ordered and no pair whose spreads overlap, and each server's ratio to the
reference servers."""

import statistics

from . import fmt
from .fmt import better

# Each track's headline (throughput's is chosen from the repeats: steadier()).
HEADLINES = {
    "c10k": "latency_p99_us",
    "capacity": "capacity_pss_bytes_per_conn",
    "handshakes": "storm_handshakes_per_s",
    "slo": "slo_max_rate_msgs_per_s",
}
THROUGHPUT = ("throughput_msgs_per_s", "throughput_server_cpu_us_per_message")
# Where the raw TCP echo is the floor, not a yardstick: its latency is part of
# every server's (the client's and the machine's share), so the c10k section
# states it beside them and no figure is divided by it.
FLOOR_TRACKS = ("c10k",)


def headline_variant(groups):
    """Throughput's headline variant: ping-pong (one message in flight) at
    the most connections (1,000 at full scale), the smallest payload."""
    best = None
    for g in groups:
        m = g.runs[0]["meta"]
        try:
            key = (int(m.get("saturate") or 0) == 1, int(m.get("clients") or 0),
                   -int(m.get("size") or 0))
        except ValueError:
            continue
        if best is None or key > best[0]:
            best = (key, g.variant)
    return best[1] if best else None


def variant_label(groups, variant):
    # A run that never started (not available) has the runner's meta alone.
    g = next((g for g in groups if g.variant == variant and g.runs[0]["meta"].get("clients")),
             None)
    if not g:
        return variant
    m = g.runs[0]["meta"]
    k = m.get("saturate") or "?"
    return "%s conns, %s in flight, %s B" % (fmt.thousands(int(m.get("clients") or 0)),
                                             "1 (ping-pong)" if k == "1" else k,
                                             m.get("size") or "?")


def cv(values):
    """Coefficient of variation: the sample standard deviation over the mean."""
    if len(values) < 2 or not statistics.mean(values):
        return None
    return statistics.stdev(values) / abs(statistics.mean(values))


def steadier(groups):
    """Which of msg/s and server CPU per message varies less over repeats:
    the median over every (server, variant) with two ok runs or more of each
    figure's coefficient of variation. Returns (figure, {figure: (median CV,
    how many)}); msg/s when the repeats cannot tell."""
    cvs = {f: [] for f in THROUGHPUT}
    for g in groups:
        for f in THROUGHPUT:
            c = cv(g.values(f))
            if c is not None:
                cvs[f].append(c)
    out = {f: (statistics.median(v) if v else None, len(v)) for f, v in cvs.items()}
    a, b = (out[f][0] for f in THROUGHPUT)
    if a is None or b is None:
        return THROUGHPUT[0], out
    return (THROUGHPUT[0] if a <= b else THROUGHPUT[1]), out


class Entry:
    """One server's cell in one column."""

    def __init__(self, g, key):
        self.group, self.server, self.kind, self.key = g, g.server, g.kind, key
        vals = g.values(key)
        self.median = statistics.median(vals) if vals else None
        self.lo = min(vals) if vals else None
        self.hi = max(vals) if vals else None
        self.n = len(vals)
        self.noise = g.get(key + "_noise")
        self.ok = bool(vals)

    def above_noise(self):
        """The median tells something: above its noise, and not a negative size."""
        if self.median is None:
            return False
        if self.noise is not None and self.median <= self.noise:
            return False
        return not (fmt.kind(self.key) == "bytes" and self.median <= 0)


def entries(groups, key):
    return [Entry(g, key) for g in groups]


def ranks(entries_, key):
    """{server: (rank, tied)} of the contestants with this figure. A
    contestant's rank is 1 + the number of contestants whose whole spread
    (min-max over its repeats) is better than its own: an order is claimed
    only between spreads that do not overlap, and every such pair is
    ordered. tied: its spread overlaps another contestant's (overlaps()),
    so no order is claimed between those two. Overlaps need not chain: A
    may tie with B and B with C while A is ahead of C. References are not
    ranked."""
    way = better(key)
    cands = [e for e in entries_ if e.ok and e.kind == "contestant"]
    if not cands or way is None:
        return {}
    over = overlaps(cands, way)
    return {e.server: (1 + sum(1 for o in cands if ahead(o, e, way)), bool(over[e.server]))
            for e in cands}


def ahead(a, b, way):
    """Whether a's whole spread is better than b's."""
    return a.hi < b.lo if way == "low" else a.lo > b.hi


def overlaps(cands, way):
    """{server: the other contestants whose spread overlaps its own}."""
    return {e.server: [o.server for o in cands
                       if o is not e and not ahead(o, e, way) and not ahead(e, o, way)]
            for e in cands}


def rank_text(r):
    """"1", "tie 2" or "" for an entry of ranks()."""
    if r is None:
        return ""
    return ("tie %d" if r[1] else "%d") % r[0]


def rank_mark(r):
    """"#1 " or "tie #2 " before a leaderboard figure, or ""."""
    if r is None:
        return ""
    return ("tie #%d " if r[1] else "#%d ") % r[0]


def yardstick(g):
    """Whether ratios may be taken to this group: a reference, not the raw
    TCP echo in a track where it is the floor."""
    return g.kind == "reference" and not (g.protocol == "tcp" and g.track in FLOOR_TRACKS)


def references(groups, key):
    """(raw TCP reference, best WebSocket reference) by this figure, each an
    Entry or None: only references that ran this track and have the figure.
    A reference whose figure is below its method's noise is no yardstick and
    left out, as is the raw TCP echo where it is the floor."""
    way = fmt.better(key)
    refs = [e for e in entries(groups, key)
            if yardstick(e.group) and e.ok and e.above_noise()]
    tcp = next((e for e in refs if e.group.protocol == "tcp"), None)
    ws = [e for e in refs if e.group.protocol != "tcp"]
    top = None
    if ws and way:
        top = (min if way == "low" else max)(ws, key=lambda e: e.median)
    return tcp, top


def ratio_parts(entry, groups, key):
    """A server's median as a ratio to the references: "1.9x node-ws, 0.93
    of tcp-echo" for a contestant (the best WebSocket reference, then the
    raw TCP echo where it ran the track), the raw TCP echo alone for a
    WebSocket reference, nothing without them; as a list of parts."""
    if entry.median is None or not entry.above_noise() or entry.group.protocol == "tcp":
        return []
    tcp, top = references(groups, key)
    refs = (top, tcp) if entry.kind == "contestant" else (tcp,)
    parts = [fmt.ratio(entry.median, ref.median, ref.server) for ref in refs
             if ref is not None and ref.server != entry.server]
    return [p for p in parts if p]
