"""The charts, drawn by gnuplot (pngcairo) from data files in OUT/data.
References are dashed lines or grey bars; contestants are coloured."""

import os
import subprocess
import sys

TOOL_TIMEOUT_S = 600
CONTESTANT = "#3b78c2"
REFERENCE = "#b0b0b0"
TCP_LINE = "#c0392b"
# Percentile axis of the distributions: x = 1/(1-p).
XTICS = ('set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, '
         '"99.999%%" 100000, "max" 1000000)\nset xrange [1:1.5e6]\n')


GREYS = ["#555555", "#888888", "#aaaaaa"]


def line_style(i, ref, j):
    """Contestant i: a coloured line; reference j: a grey dashed one, each
    reference its own dash and shade so two of them stay apart."""
    if ref:
        return "dt %d lw 2 lc rgb '%s'" % (j % 4 + 2, GREYS[j // 4 % len(GREYS)])
    return "lw 2 lt %d dt %d" % (i % 8 + 1, i // 8 % 4 + 1)


def q(s):
    return '"%s"' % str(s).replace("\\", "\\\\").replace('"', '\\"')


class Charts:
    def __init__(self, out):
        self.out = out
        self.data = os.path.join(out, "data")
        os.makedirs(self.data, exist_ok=True)
        self.script = ["set terminal pngcairo size 900,500 font 'sans,10'\n", "set grid\n"]
        self.drawn = []

    def _write(self, name, lines):
        path = "data/%s" % name
        with open(os.path.join(self.out, path), "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def _begin(self, png, title, xlabel, ylabel, pre=""):
        self.script.append("reset\nset terminal pngcairo size 900,500 font 'sans,10'\n"
                           "set grid\nset key outside right top\nset output '%s'\n"
                           "set title %s\nset xlabel %s\nset ylabel %s\n%s"
                           % (png, q(title), q(xlabel), q(ylabel), pre))
        self.drawn.append((png, title))

    def curves(self, png, title, ylabel, series):
        """Distributions by percentile: series = [(name, is_reference,
        [[percent, value_us], ...])], one line each, log-log."""
        plots = []
        for i, (name, ref, points) in enumerate(series):
            if not points:
                continue
            lines = ["# percentile x=1/(1-p) value_ms"]
            lines += ["%.5f %.6f %.6f" % (p, 1e6 if p >= 100 else 1 / (1 - p / 100), v / 1000)
                      for p, v in points]
            path = self._write("%s-%s.dat" % (png[:-4], name), lines)
            style = line_style(i, ref, sum(r for _, r, _ in series[:i]))
            plots.append("%s using 2:3 with lines %s title %s"
                         % (q(path), style, q(name + (" (reference)" if ref else ""))))
        if plots:
            self._begin(png, title, "percentile", ylabel,
                        "set logscale x\nset logscale y\n" + XTICS)
            self.script.append("plot " + ", ".join(plots) + "\n")

    def over_time(self, png, title, ylabel, series, scale=1.0):
        """series = [(name, is_reference, seconds, values)] (None: unknown)."""
        plots = []
        for i, (name, ref, secs, vals) in enumerate(series):
            pts = [(s, v) for s, v in zip(secs, vals) if s is not None and v is not None]
            if not pts:
                continue
            t0 = pts[0][0]
            path = self._write("%s-%s.dat" % (png[:-4], name),
                               ["# seconds value"] + ["%s %s" % (s - t0, v * scale)
                                                       for s, v in pts])
            style = line_style(i, ref, sum(x[1] for x in series[:i]))
            plots.append("%s using 1:2 with lines %s title %s"
                         % (q(path), style, q(name + (" (reference)" if ref else ""))))
        if plots:
            self._begin(png, title, "seconds", ylabel)
            self.script.append("plot " + ", ".join(plots) + "\n")

    def _begin_bars(self, png, title, ylabel, rows):
        """A bar chart's axes: one bar per row, named by its first field."""
        xt = ", ".join("%s %d" % (q(r[0]), i) for i, r in enumerate(rows))
        self._begin(png, title, "", ylabel,
                    "set style fill solid 0.85 border -1\nset boxwidth 0.7\n"
                    "set xtics (%s) rotate by -30 left\nset xrange [-0.6:%g]\n"
                    "set yrange [0:*]\nset bmargin 7\n" % (xt, len(rows) - 0.4))

    def bars(self, png, title, ylabel, rows, line=None, scale=1.0):
        """One bar per server with its spread: rows = [(name, is_reference,
        median, lo, hi)]; line = (label, value): the raw-TCP reference."""
        rows = [r for r in rows if r[2] is not None]
        if not rows:
            return
        lines = ["# index median lo hi is_reference"]
        lines += ["%d %g %g %g %d" % (i, m * scale, lo * scale, hi * scale, ref)
                  for i, (_, ref, m, lo, hi) in enumerate(rows)]
        path = self._write(png[:-4] + ".dat", lines)
        self._begin_bars(png, title, ylabel, rows)
        plots = ["%s using 1:($5==0?$2:1/0) with boxes lc rgb '%s' title 'contestants'"
                 % (q(path), CONTESTANT),
                 "%s using 1:($5==1?$2:1/0) with boxes lc rgb '%s' title 'references'"
                 % (q(path), REFERENCE),
                 "%s using 1:2:3:4 with yerrorbars lc rgb 'black' pt -1 title 'min-max'"
                 % q(path)]
        if line and line[1] is not None:
            plots.append("%g with lines dt 2 lw 2 lc rgb '%s' title %s"
                         % (line[1] * scale, TCP_LINE, q(line[0])))
        self.script.append("plot " + ", ".join(plots) + "\n")

    def stacked(self, png, title, ylabel, rows, parts, scale=1.0):
        """Stacked bars: rows = [(name, is_reference, [part values])], parts
        = labels bottom up; a missing or below-noise part counts 0."""
        if not rows:
            return
        lines = ["# index is_reference cumulative parts, bottom up"]
        for i, (_, ref, vals) in enumerate(rows):
            cum, acc = [], 0.0
            for v in vals:
                acc += max(v or 0, 0) * scale
                cum.append(acc)
            lines.append("%d %d %s" % (i, ref, " ".join("%g" % c for c in cum)))
        path = self._write(png[:-4] + ".dat", lines)
        self._begin_bars(png, title, ylabel, rows)
        colours = ["#3b78c2", "#e08a2c", "#5aa05a", "#9467bd"]
        plots = []
        for j in reversed(range(len(parts))):      # tallest first, the rest over it
            col = 3 + j
            plots.append("%s using 1:($2==0?$%d:1/0) with boxes lc rgb '%s' title %s"
                         % (q(path), col, colours[j % 4], q(parts[j])))
            plots.append("%s using 1:($2==1?$%d:1/0) with boxes lc rgb '%s' fs pattern 4 "
                         "notitle" % (q(path), col, colours[j % 4]))
        self.script.append("plot " + ", ".join(plots) + "\n")

    def rate_curves(self, png, title, series, slo_us=None):
        """Latency p99 against offered rate, one line per server (log
        latency), the SLO drawn: series = [(name, is_reference, [(rate, p99_us)])]."""
        plots = []
        for i, (name, ref, pts) in enumerate(series):
            pts = [(r, p) for r, p in pts if r is not None and p is not None]
            if not pts:
                continue
            path = self._write("%s-%s.dat" % (png[:-4], name),
                               ["# offered_msgs_per_s p99_ms"] +
                               ["%g %g" % (r, p / 1000) for r, p in pts])
            style = line_style(i, ref, sum(x[1] for x in series[:i])) + (" pt 6" if ref else " pt 7")
            plots.append("%s using 1:2 with linespoints %s title %s"
                         % (q(path), style, q(name + (" (reference)" if ref else ""))))
        if not plots:
            return
        if slo_us:
            plots.append("%g with lines dt 3 lw 2 lc rgb '%s' title %s"
                         % (slo_us / 1000, TCP_LINE, q("SLO p99 %g ms" % (slo_us / 1000))))
        self._begin(png, title, "offered load (messages/s)", "latency p99 (ms)",
                    "set logscale y\nset xrange [0:*]\n")
        self.script.append("plot " + ", ".join(plots) + "\n")

    def draw(self):
        """Runs gnuplot; returns the (file, title) drawn, or [] with a warning."""
        if not self.drawn:
            return []
        with open(os.path.join(self.data, "charts.gp"), "w") as f:
            f.writelines(self.script)
        try:
            p = subprocess.run(["gnuplot", "data/charts.gp"], cwd=self.out, capture_output=True,
                               text=True, timeout=TOOL_TIMEOUT_S)
        except (FileNotFoundError, subprocess.TimeoutExpired) as e:
            print("report: warning: no charts: gnuplot: %s" % e, file=sys.stderr)
            return []
        if p.returncode != 0:
            print("report: warning: gnuplot failed: %s" % p.stderr.strip()[:500], file=sys.stderr)
            return []
        return list(self.drawn)
