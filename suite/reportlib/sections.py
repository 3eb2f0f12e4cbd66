"""The report's content: the leaderboard and a section per track, as
doc blocks, with the charts each section draws. Every number shown is a
figure compile_stats emitted for a run (or the median, min and max of one
over the repeats); nothing here derives a figure from a database."""

from . import doc, fmt, rank

NB = fmt.NBSP

TRACK_TITLES = {
    "c10k": "c10k: the original C10K workload",
    "throughput": "throughput: echo rate at saturation",
    "capacity": "capacity: memory per idle connection",
    "handshakes": "handshakes: a connection storm",
    "slo": "slo: latency under rising load",
}


def ordered(groups):
    """Contestants first, then references, each by name."""
    return sorted(groups, key=lambda g: (g.kind == "reference", g.server))


def server_cell(g):
    text = g.server + ("" if g.row["runs"] == 1 else " (%d runs)" % g.row["runs"])
    if g.engines != ["kit"]:
        text += " [%s]" % ", ".join(g.engines)
    if g.kind == "reference":
        text += " (reference)"
    return doc.Cell(text)


def figure_cell(g, key, mark=""):
    """The median with the min-max spread (runs.csv has every run)."""
    k = fmt.kind(key)
    noise = g.get(key + "_noise")
    spread = ""
    if g.row["runs"] > 1:
        spread = fmt.spread(g.get(key + "_min"), g.get(key + "_max"), k, noise)
    return doc.Cell(fmt.figure(g.get(key), k, noise), spread, mark)


def status_cell(g):
    """The status; a reference that is not available says why and what
    installs it (the runner's suite.reason)."""
    reason = next((r["reason"] for r in g.runs if r["status"] == "not available"), "")
    return doc.Cell(g.row["status"], note=reason)


def not_available(groups):
    """{server: the runner's reason} of the servers not available."""
    out = {}
    for g in ordered(groups):
        for r in g.runs:
            if r["status"] == "not available":
                out.setdefault(g.server, r["reason"])
    return out


def flags_cell(g):
    return doc.Cell(", ".join(g.flags()))


def ratio_cell(groups, g, key):
    return doc.Cell("", note=rank.ratio_parts(rank.Entry(g, key), groups, key))


def count_cell(g, num, den):
    return doc.Cell("%s/%s" % (fmt.human(g.get(num), "int"), fmt.human(g.get(den), "int")))


def overlap_notes(title, entries, key):
    """Where the ranks are ties, and where one run gave no spread (references
    are not ranked, so not named). Contestants that all overlap one another
    and no one else tie at one rank; any other overlap is named pair by pair."""
    notes = []
    ranks = rank.ranks(entries, key)
    cands = [e for e in entries if e.server in ranks]
    over = rank.overlaps(cands, fmt.better(key)) if cands else {}
    said, pairs = set(), set()
    for server in sorted(ranks, key=lambda s: (ranks[s][0], s)):
        if not over[server] or server in said:
            continue
        group = sorted([server] + over[server])
        if all(sorted([s] + over[s]) == group for s in group):
            said.update(group)
            notes.append("%s: %s tie at #%d: their spreads over the repeats (min-max) "
                         "overlap, so no ranking is claimed between them."
                         % (title, join(group), ranks[server][0]))
            continue
        others = [o for o in over[server] if (o, server) not in pairs]
        pairs.update((server, o) for o in others)
        if others:
            notes.append("%s: %s (#%d) overlaps %s: no ranking is claimed between them; "
                         "a rank counts only the contestants whose whole spread is better."
                         % (title, server, ranks[server][0],
                            join("%s (#%d)" % (o, ranks[o][0]) for o in others)))
    single = sorted(e.server for e in entries if e.kind == "contestant" and e.n == 1)
    if len(single) > 1:
        notes.append("%s: one run each for %s: no spread to rank by; the order of their "
                     "medians may be noise." % (title, join(single)))
    return notes


def join(names):
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# ---- leaderboard

class Column:
    def __init__(self, track, key, title, groups, other=None):
        self.track, self.key, self.title, self.groups, self.other = (track, key, title,
                                                                     groups, other)
        self.entries = {e.server: e for e in rank.entries(groups, key)}
        self.ranks = rank.ranks(list(self.entries.values()), key)
        self.tcp, _ = rank.references(groups, key)

    def cell(self, server):
        e = self.entries.get(server)
        if e is None:
            return doc.Cell("")
        if not e.ok:
            return doc.Cell(e.group.row["status"])
        k = fmt.kind(self.key)
        spread = fmt.spread(e.lo, e.hi, k, e.noise) if e.n > 1 else ""
        r = self.ranks.get(server)
        return doc.Cell(fmt.figure(e.median, k, e.noise), spread, rank.rank_mark(r),
                        note=rank.ratio_parts(e, self.groups, self.key))


def columns(groups, steady):
    cols = []
    for track in ("c10k", "throughput", "capacity", "handshakes", "slo"):
        gs = [g for g in groups if g.track == track]
        if not gs:
            continue
        if track == "throughput":
            variant = rank.headline_variant(gs)
            gs = [g for g in gs if g.variant == variant]
            other = [f for f in rank.THROUGHPUT if f != steady][0]
            cols.append(Column(track, steady, "throughput: " + fmt.label(steady), gs))
            cols.append(Column(track, other, fmt.label(other), gs))
            continue
        if track == "c10k":
            gs = [g for g in gs if g.variant == sorted(set(x.variant for x in gs))[0]]
        key = rank.HEADLINES[track]
        title = {"c10k": "c10k: latency p99", "capacity": "capacity: bytes/idle conn",
                 "handshakes": "handshakes: per second",
                 "slo": "slo: highest rate within SLO"}[track]
        cols.append(Column(track, key, title, gs))
    return cols


def leaderboard(groups, steady, cvs):
    cols = columns(groups, steady)
    if not cols:
        return []
    servers = []
    for g in ordered(groups):
        if g.server not in [s for s, _ in servers]:
            servers.append((g.server, g.kind))
    rows = []
    for server, kind in servers:
        flags = sorted(set(f for g in groups if g.server == server for f in g.flags()))
        rows.append(doc.Row([doc.Cell(server + (" (reference)" if kind == "reference" else ""))]
                            + [c.cell(server) for c in cols] + [doc.Cell(", ".join(flags))],
                            reference=kind == "reference"))
    blocks = [doc.Heading(2, "Leaderboard", "leaderboard-title"),
              doc.Table(["server"] + [c.title for c in cols] + ["flags"], rows, "leaderboard")]
    refs = any(kind == "reference" for _, kind in servers)
    notes = ["Each cell: the contestant's rank in the track, the median over the repeats, the "
             "min-max spread below it (in brackets in the Markdown files)%s. A rank is 1 + the "
             "number of contestants whose whole spread is better; \u201ctie\u201d marks a "
             "spread that overlaps another contestant's, and no ranking is claimed between "
             "those two (named below).%s" % ((", then its ratio to the references", " References (shaded, below) "
                           "are not ranked.") if refs else ("", ""))]
    if refs:
        notes.append(RATIO_NOTE)
    thr = next((c for c in cols if c.track == "throughput"), None)
    if thr:
        v = rank.variant_label(thr.groups, thr.groups[0].variant)
        notes.append("Throughput at %s; %s." % (v, "%s is the raw TCP echo on the same machine, "
                                                 "measured by the same client" % thr.tcp.server
                                                 if thr.tcp else
                                                 "the raw TCP echo (tcp-echo) was not in this run"))
        notes.append(steadiness_note(steady, cvs))
    for server, reason in not_available(groups).items():
        notes.append("%s is not available on this machine, so it has no figures: %s."
                     % (server, reason.rstrip(".")))
    for c in cols:
        notes += overlap_notes(c.title, list(c.entries.values()), c.key)
    blocks.append(doc.List(notes))
    return blocks


RATIO_NOTE = ("A ratio is the server's figure over the reference's: \u201c1.9x node-ws\u201d is "
              "1.9 times node-ws's figure, \u201c0.93 of tcp-echo\u201d 93% of the raw TCP "
              "echo's (higher is better for rates, lower for times, CPU and sizes). Each "
              "contestant is set against the best WebSocket reference and against tcp-echo "
              "where tcp-echo runs the track; a WebSocket reference against tcp-echo. In "
              "c10k tcp-echo is the floor, not a yardstick: its latency is part of every "
              "server's, so the c10k section states it and no ratio is taken to it. A "
              "reference figure below its method's noise is no yardstick and is left out.")


def steadiness_note(steady, cvs):
    parts = []
    for f in rank.THROUGHPUT:
        m, n = cvs[f]
        if m is not None:
            parts.append("%s varied by a median %.1f%% between repeats (coefficient of "
                         "variation over %d server/variant groups)" % (fmt.label(f), 100 * m, n))
    if len(parts) < 2:
        return ("Which of msg/s and server CPU per message is steadier needs repeats "
                "(repeat > 1); msg/s leads until then.")
    return "; ".join(parts) + ": %s, the steadier here, leads the throughput column." % (
        fmt.label(steady))


# ---- track sections

def measured_references(groups):
    """Whether any reference to take ratios to has figures here (else no
    ratio column)."""
    return any(rank.yardstick(g) and g.ok_runs for g in groups)


def track_table(groups, cols, headline, ratios=True):
    """A row per server: name, its rank by the headline (ties shared),
    status, the figures cols (a key, or a function of the group giving a
    cell), the ratio of the headline to the references, flags."""
    ranks = rank.ranks(rank.entries(groups, headline), headline)
    head = ["server", "rank", "status"] + [c if isinstance(c, str) and c not in fmt.FIGURES
                                   else fmt.label(c) if isinstance(c, str) else c[0]
                                   for c in cols]
    ratios = ratios and measured_references(groups)
    head += (["vs references"] if ratios else []) + ["flags"]
    rows = []
    for g in ordered(groups):
        cells = [server_cell(g), doc.Cell(rank.rank_text(ranks.get(g.server))), status_cell(g)]
        for c in cols:
            cells.append(figure_cell(g, c) if isinstance(c, str) else c[1](g))
        cells += ([ratio_cell(groups, g, headline)] if ratios else []) + [flags_cell(g)]
        rows.append(doc.Row(cells, reference=g.kind == "reference"))
    return doc.Table(head, rows)


def runs_table(groups, keys):
    """Every run of the track: the fold-out table (runs.csv has all figures)."""
    head = ["db", "run", "status", "engine"] + [fmt.label(k) for k in keys] + ["reason"]
    rows = []
    for g in ordered(groups):
        for r in g.runs:
            f = r["figures"]
            cells = [r["db"], str(r["k"]), r["status"], r["engine"]]
            cells += [fmt.figure(f.get(k), fmt.kind(k), f.get(k + "_noise")) for k in keys]
            rows.append(doc.Row(cells + [r["reason"]], reference=g.kind == "reference"))
    return doc.Table(head, rows)


def workload(groups):
    m = groups[0].runs[0]["meta"]
    bits = []
    for key, what in (("clients", "clients"), ("seconds", "s")):
        if m.get(key):
            bits.append("%s %s" % (fmt.thousands(float(m[key])), what))
    return ", ".join(bits)


def curves_of(groups, dist, key):
    out = []
    for g in ordered(groups):
        r = g.representative(key)
        if r:
            out.append((g.server, g.kind == "reference",
                        (r["stats"].get("distributions") or {}).get(dist) or []))
    return out


def c10k(groups, ch):
    key = rank.HEADLINES["c10k"]
    cols = [("handshakes/clients", lambda g: count_cell(g, "handshakes", "clients")),
            "messages_lost", "latency_p50_us", "latency_p99_us", "latency_p999_us",
            "latency_max_us", "handshake_p50_us", "handshake_p99_us", "pss_bytes_per_conn",
            "tcp_mem_bytes_per_conn", "cpu_us_per_message"]
    blocks = [doc.Para("Every client opens its connection 1 ms after the previous one and "
                       "sends a small message every second, open loop; latency from the "
                       "scheduled send (%s)." % workload(groups)),
              track_table(groups, cols, key)]
    floor = next((g for g in groups if g.kind == "reference" and g.protocol == "tcp"
                  and g.ok_runs), None)
    if floor:
        blocks.append(doc.Para(
            "The floor: %s (plain TCP, no WebSocket) under the same workload and client gives "
            "p50 %s, p99 %s, p99.9 %s. That much of every server's latency belongs to the "
            "client and the machine." % (floor.server, fmt.human(floor.get("latency_p50_us"), "us"),
                                         fmt.human(floor.get("latency_p99_us"), "us"),
                                         fmt.human(floor.get("latency_p999_us"), "us"))))
    ch.curves("latency.png", "Message latency by percentile (c10k)", "latency (ms)",
              curves_of(groups, "message_latency_us", key))
    ch.curves("handshake.png", "Handshake time by percentile (c10k)", "handshake time (ms)",
              curves_of(groups, "handshake_time_us", key))
    series = []
    for g in ordered(groups):
        r = g.representative(key)
        if r and r["stats"].get("series"):
            series.append((g.server, g.kind == "reference", r["stats"]["series"]))
    ch.over_time("connections.png", "Open connections over time (c10k)", "connections",
                 [(n, ref, s["second"], s["connected"]) for n, ref, s in series])
    ch.over_time("memory.png", "Server memory (PSS) over time (c10k)", "PSS (MiB)",
                 [(n, ref, s["second"], s["server_pss_bytes"]) for n, ref, s in series],
                 1 / (1 << 20))
    return blocks, ["latency.png", "handshake.png", "connections.png", "memory.png"], cols


def throughput(groups, ch, steady, cvs):
    variant = rank.headline_variant(groups)
    head = [g for g in groups if g.variant == variant]
    tcp_rate, _ = rank.references(head, "throughput_msgs_per_s")
    tcp_cpu, _ = rank.references(head, "throughput_server_cpu_us_per_message")

    def vs(key):
        return lambda g: ratio_cell(head, g, key)

    refs = measured_references(head)
    cols = ["throughput_msgs_per_s"] + (
        [("msg/s vs references", vs("throughput_msgs_per_s"))] if refs else []) + [
            "throughput_server_cpu_us_per_message"] + (
        [("CPU/msg vs references", vs("throughput_server_cpu_us_per_message"))] if refs else []) + [
            "throughput_client_cpu_cores", "throughput_client_cpu_us_per_message",
            "messages_lost"]
    blocks = [doc.Para("Saturation (the client's --saturate: each connection keeps K messages "
                       "in flight and sends the next as each echo arrives). msg/s is the "
                       "median of the seconds after the warm-up; server CPU per message over "
                       "the same seconds. Variant shown: %s." % rank.variant_label(groups, variant)),
              doc.Para(steadiness_note(steady, cvs)),
              track_table(head, cols, steady, ratios=False)]
    variants = sorted(set(g.variant for g in groups))
    if len(variants) > 1:
        servers = ordered([g for g in groups if g.variant == variants[0]] +
                          [g for g in groups if g.server not in
                           [x.server for x in groups if x.variant == variants[0]]])
        seen, rows = [], []
        for g in servers:
            if g.server in seen:
                continue
            seen.append(g.server)
            cells = [doc.Cell(g.server)]
            for v in variants:
                x = next((x for x in groups if x.server == g.server and x.variant == v), None)
                cells.append(figure_cell(x, "throughput_msgs_per_s") if x else doc.Cell(""))
            rows.append(doc.Row(cells, reference=g.kind == "reference"))
        blocks.append(doc.Para("msg/s in every variant:"))
        blocks.append(doc.Table(["server"] + [rank.variant_label(groups, v) for v in variants],
                                rows))
    bar_rows = [(g.server, g.kind == "reference", g.get("throughput_msgs_per_s"),
                 g.get("throughput_msgs_per_s_min"), g.get("throughput_msgs_per_s_max"))
                for g in ordered(head)]
    ch.bars("throughput.png", "Messages/s, %s" % rank.variant_label(groups, variant), "msg/s",
            bar_rows, ("%s (raw TCP)" % tcp_rate.server, tcp_rate.median) if tcp_rate else None)
    key = "throughput_server_cpu_us_per_message"
    ch.bars("throughput-cpu.png", "Server CPU per message, %s"
            % rank.variant_label(groups, variant), "CPU per message (us)",
            [(g.server, g.kind == "reference", g.get(key), g.get(key + "_min"),
              g.get(key + "_max")) for g in ordered(head)],
            ("%s (raw TCP)" % tcp_cpu.server, tcp_cpu.median) if tcp_cpu else None)
    return blocks, ["throughput.png", "throughput-cpu.png"], cols


def capacity(groups, ch):
    key = rank.HEADLINES["capacity"]

    def frees(g):
        v = g.get("capacity_pss_fell_during_hold")
        return doc.Cell("" if v is None else "yes" if v else "no")

    cols = [("held/clients", lambda g: count_cell(g, "capacity_connections", "clients")),
            ("probes echoed", lambda g: count_cell(g, "capacity_probes_echoed",
                                                   "capacity_probes_sent")),
            key, "capacity_rss_bytes_per_conn", "capacity_kernel_slab_bytes_per_conn",
            "capacity_kernel_tcp_bytes_per_conn", "capacity_peak_pss_bytes_per_conn",
            ("frees idle state", frees)]
    blocks = [doc.Para("Connections opened, each echoing one message, then held without "
                       "traffic; memory per connection in the held state a second before the "
                       "probe, after minus before the first connection, over the connections "
                       "held (%s). Server: PSS and RSS of its process group. Kernel: slab and "
                       "TCP memory machine-wide, so both ends of every connection and anything "
                       "else running meanwhile. 'frees idle state': the server's PSS fell "
                       "during the hold (it releases per-connection state when idle)."
                       % workload(groups)),
              track_table(groups, cols, key)]
    rows = [(g.server, g.kind == "reference",
             [None if fmt.figure(g.get(k), "bytes", g.get(k + "_noise")) == fmt.NOISE
              else g.get(k) for k in (key, "capacity_kernel_slab_bytes_per_conn",
                                      "capacity_kernel_tcp_bytes_per_conn")])
            for g in ordered(groups) if g.get(key) is not None]
    ch.stacked("capacity.png", "Memory per held connection (references hatched)",
               "bytes per connection", rows,
               ["server (user, PSS)", "kernel slab (both ends)", "kernel TCP (both ends)"])
    return blocks, ["capacity.png"], cols


def handshakes(groups, ch):
    key = rank.HEADLINES["handshakes"]

    def failures(g):
        r = g.representative(key)
        f = (r["stats"].get("handshake_failures") if r else None) or {}
        return doc.Cell(", ".join("%s%s%s" % (k, NB, fmt.thousands(v)) for k, v in f.items()))

    cols = [("handshakes/clients", lambda g: count_cell(g, "handshakes", "clients")), key,
            "storm_seconds", "handshake_p50_us", "handshake_p99_us", "handshake_max_us",
            ("never opened (by reason)", failures)]
    blocks = [doc.Para("Connections opened as fast as the client can, with a bounded number "
                       "in TCP connect or handshake at once; handshakes per second from the "
                       "first connect to the last 101 (%s)." % workload(groups)),
              track_table(groups, cols, key)]
    ch.curves("handshakes.png", "Handshake time by percentile (handshakes track)",
              "handshake time (ms)", curves_of(groups, "handshake_time_us", key))
    return blocks, ["handshakes.png"], cols


def slo(groups, ch):
    key = rank.HEADLINES["slo"]
    reps = {g.server: g.representative(key) for g in groups}

    def steps(g):
        r = reps.get(g.server)
        return (r["stats"].get("steps") or []) if r else []

    def missed(g):
        s = next((s for s in steps(g) if s.get("met") is False), None)
        if not s:
            return doc.Cell("")
        why = ("lost %s" % fmt.thousands(s["lost"]) if s["lost"] else
               "p99 %s" % fmt.human(s["latency_p99_us"], "us"))
        return doc.Cell("%s: %s" % (fmt.human(s["offered_msgs_per_s"], "rate"), why))

    def met(g):
        return doc.Cell("%s/%d" % (fmt.human(g.get("slo_steps_met"), "int"), len(steps(g))))

    slo_us = next((g.get("slo_p99_us") for g in groups if g.get("slo_p99_us")), None)
    cols = [key, ("steps met", met), ("first step missed", missed)]
    blocks = [doc.Para("Open-loop load raised step by step at %s; latency from the scheduled "
                       "send, each message counted in the step that scheduled it. The figure: "
                       "the highest offered rate met (p99 within %s, nothing lost) before the "
                       "first step missed; 0 when the first step is missed."
                       % (workload(groups), fmt.human(slo_us, "us"))),
              track_table(groups, cols, key)]
    detail = []
    for g in ordered(groups):
        for s in steps(g):
            detail.append(doc.Row([g.server, fmt.human(s["offered_msgs_per_s"], "rate"),
                                   fmt.human(s["achieved_msgs_per_s"], "rate"),
                                   fmt.human(s["lost"], "int"),
                                   fmt.human(s["latency_p50_us"], "us"),
                                   fmt.human(s["latency_p99_us"], "us"),
                                   fmt.human(s["latency_p999_us"], "us"),
                                   {True: "met", False: "missed"}.get(s["met"], "")],
                                  reference=g.kind == "reference"))
    if detail:
        blocks.append(doc.Details("Every step (the median run of each server)", [doc.Table(
            ["server", "offered", "achieved", "lost", "p50", "p99", "p99.9", "SLO"], detail)]))
    ch.rate_curves("slo.png", "Latency p99 against offered load", [
        (g.server, g.kind == "reference",
         [(s["offered_msgs_per_s"], s["latency_p99_us"]) for s in steps(g)])
        for g in ordered(groups)], slo_us)
    return blocks, ["slo.png"], cols


def other(groups, ch):
    keys = [k for k in groups[0].row if k in fmt.FIGURES][:10]
    return [track_table(groups, keys, keys[0] if keys else "clients")], [], keys


# Figures left out of a track's table so that it fits a 1,280-px page: the
# folded table of every run shows them (and the CSV files).
FOLDED_ONLY = {"c10k": ["connection_timeouts", "crashes", "peak_pss_bytes"]}


def track_section(track, groups, ch, steady, cvs):
    """The blocks of one track's section and the charts it asked for."""
    if track == "c10k":
        blocks, pngs, cols = c10k(groups, ch)
    elif track == "throughput":
        blocks, pngs, cols = throughput(groups, ch, steady, cvs)
    elif track == "capacity":
        blocks, pngs, cols = capacity(groups, ch)
    elif track == "handshakes":
        blocks, pngs, cols = handshakes(groups, ch)
    elif track == "slo":
        blocks, pngs, cols = slo(groups, ch)
    else:
        blocks, pngs, cols = other(groups, ch)
    keys = [c for c in cols if isinstance(c, str)] + FOLDED_ONLY.get(track, [])
    blocks.append(doc.Details("Every run of this track", [runs_table(groups, keys)],
                              "Every run's figures: runs.csv."))
    return [doc.Heading(2, TRACK_TITLES.get(track, track), "track-" + track)] + blocks, pngs
