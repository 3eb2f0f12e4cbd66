"""A figure as people read it: its unit kept with it by a non-breaking
space, thousands separated, a size below its method's noise shown as such
(never as a negative size)."""

NBSP = "\u00a0"
DASH = "\u2013"
NOISE = "<" + NBSP + "noise"

# How each figure compile_stats emits is shown: (label, unit kind, which way
# is better). Names are compile_stats' (client/README.md); a figure not
# listed here is still in the CSV files.
FIGURES = {
    "clients": ("clients", "int", None),
    "handshakes": ("handshakes", "int", "high"),
    "connection_timeouts": ("conn. timeouts", "int", "low"),
    "crashes": ("conn. crashes", "int", "low"),
    "messages_sent": ("msgs sent", "int", None),
    "messages_recv": ("msgs recv", "int", None),
    "messages_lost": ("msgs lost", "int", "low"),
    "bad_echoes": ("bad echoes", "int", "low"),
    "latency_p50_us": ("latency p50", "us", "low"),
    "latency_p99_us": ("p99", "us", "low"),
    "latency_p999_us": ("p99.9", "us", "low"),
    "latency_max_us": ("max", "us", "low"),
    "handshake_p50_us": ("handshake p50", "us", "low"),
    "handshake_p99_us": ("handshake p99", "us", "low"),
    "handshake_max_us": ("handshake max", "us", "low"),
    "peak_pss_bytes": ("peak PSS", "bytes", "low"),
    "pss_bytes_per_conn": ("PSS/conn", "bytes", "low"),
    "tcp_mem_bytes_per_conn": ("kernel TCP mem/conn", "bytes", "low"),
    "cpu_us_per_message": ("server CPU/msg", "cpu", "low"),
    "throughput_msgs_per_s": ("msg/s", "rate", "high"),
    "throughput_server_cpu_us_per_message": ("server CPU/msg", "cpu", "low"),
    "throughput_client_cpu_cores": ("client CPU", "cores", None),
    "throughput_client_cpu_us_per_message": ("client CPU/msg", "cpu", None),
    "throughput_machine_idle_share": ("machine idle", "share", None),
    "capacity_connections": ("held", "int", "high"),
    "capacity_probes_echoed": ("probes echoed", "int", "high"),
    "capacity_pss_bytes_per_conn": ("server PSS/conn", "bytes", "low"),
    "capacity_rss_bytes_per_conn": ("server RSS/conn", "bytes", "low"),
    "capacity_kernel_slab_bytes_per_conn": ("kernel slab/conn", "bytes", "low"),
    "capacity_kernel_tcp_bytes_per_conn": ("kernel TCP/conn", "bytes", "low"),
    "capacity_peak_pss_bytes_per_conn": ("peak PSS/conn", "bytes", "low"),
    "storm_handshakes_per_s": ("handshakes/s", "hsrate", "high"),
    "storm_seconds": ("storm", "seconds", None),
    "storm_failures": ("failures", "int", "low"),
    "slo_max_rate_msgs_per_s": ("highest rate within SLO", "rate", "high"),
    "slo_steps_met": ("steps met", "int", "high"),
    "slo_p99_us": ("SLO p99", "us", None),
}


def label(name):
    return FIGURES.get(name, (name, None, None))[0]


def kind(name):
    return FIGURES.get(name, (name, "num", None))[1]


def better(name):
    return FIGURES.get(name, (name, None, None))[2]


def thousands(v, decimals=0):
    return "{:,.{}f}".format(v, decimals)


def unit(number, u):
    return number + NBSP + u


def human(v, k):
    """v (a number, or None) in kind k, with its unit."""
    if v is None or v == "":
        return "-"
    if k == "int":
        return thousands(v)
    if k == "us":
        if abs(v) < 1000:
            return unit("%.0f" % v, "\u00b5s")
        if abs(v) < 1e6:
            return unit("%.2f" % (v / 1000), "ms")
        return unit("%.2f" % (v / 1e6), "s")
    if k == "bytes":
        for u, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
            if abs(v) >= div:
                return unit("%.1f" % (v / div), u)
        return unit(thousands(v), "B")
    if k == "cpu":
        return unit("%.2f" % v, "\u00b5s")
    if k == "rate":
        return unit(thousands(v), "msg/s")
    if k == "hsrate":
        return unit(thousands(v), "/s")
    if k == "cores":
        return unit("%.2f" % v, "cores")
    if k == "share":
        return unit("%.0f" % (100 * v), "%")
    if k == "seconds":
        return unit("%.1f" % v, "s")
    if k == "bool":
        return "yes" if v else "no"
    if isinstance(v, float) and not v.is_integer():
        return "%.3f" % v
    return thousands(v)


def figure(v, k, noise=None):
    """A figure, or "< noise" when it is not above what its method can tell
    (a size is never shown negative)."""
    if v is None or v == "":
        return "-"
    if noise not in (None, "") and v <= noise:
        return NOISE
    if k == "bytes" and v < 0:
        return NOISE
    return human(v, k)


def spread(lo, hi, k, noise=None):
    """"lo–hi" of a spread, or "" when there is none."""
    if lo in (None, "") or hi in (None, "") or lo == hi:
        return ""
    a, b = figure(lo, k, noise), figure(hi, k, noise)
    return "" if a == b else a + DASH + b


def ratio(v, ref, name):
    """"1.9x node-ws" or "0.93 of tcp-echo"."""
    if v in (None, "") or ref in (None, "") or not ref:
        return ""
    r = v / ref
    if r >= 1:
        return "%.2gx%s%s" % (r, NBSP, name) if r < 10 else "%.0fx%s%s" % (r, NBSP, name)
    return "%.2g%sof%s%s" % (r, NBSP, NBSP, name)
