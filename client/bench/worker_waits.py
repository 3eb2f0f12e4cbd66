#!/usr/bin/python3
"""worker_waits.py TIMEHIST [COMM [SERVER]]: how long runtest's workers waited
for a CPU after a wake-up, and what ran on that CPU while they waited.

TIMEHIST is the text of `perf sched timehist` taken during a run:
    perf sched record -o sched.data -- sleep 8     # while runtest runs
    perf sched timehist -i sched.data > sched.txt
    client/bench/worker_waits.py sched.txt
The tasks named COMM (default runtest) are the parent (the lowest pid) and
its workers; a different COMM (e.g. floor_client) is taken as all workers.
Prints the workers' wake-up delay percentiles (perf's "sch delay": woken
until running), the waits over 0.5 and 1 ms, and whose run time on the
waiting worker's CPU overlapped them: the parent, another worker, the
server, <idle> (the CPU was idle: the wake-up itself was late, as in a VM)
or anything else on the machine. For runtest, last: the workers' (and the
tasks named SERVER's) wake-up delays within 150 ms after each start of the
parent's once-a-second burst (its runs over 1 ms) against elsewhere."""
import collections
import re
import sys


def rows_of(path):
    rows = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 6 or not p[0][0].isdigit():
                continue
            try:   # time [cpu] task wait sch_delay run (ms)
                rows.append((float(p[0]), p[1], p[2], float(p[4]), float(p[5])))
            except ValueError:
                continue
    return rows


def pid_of(task):
    m = re.search(r"\[(\d+)", task)
    return int(m.group(1)) if m else 0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    comm = sys.argv[2] if len(sys.argv) > 2 else "runtest"
    rows = rows_of(sys.argv[1])
    tasks = sorted({r[2] for r in rows if r[2].startswith(comm + "[")}, key=pid_of)
    if not tasks:
        sys.exit(f"worker_waits: no task {comm} in {sys.argv[1]}")
    parent = tasks[0] if comm == "runtest" else None
    workers = set(tasks) - {parent}
    by_cpu = collections.defaultdict(list)
    for r in rows:
        by_cpu[r[1]].append(r)

    def who(task):
        if task == parent:
            return "parent"
        if task in workers:
            return "another worker"
        return task.split("[")[0]

    delays = sorted(r[3] for r in rows if r[2] in workers)
    n = len(delays)
    if not n:
        sys.exit("worker_waits: the workers never ran")
    print(f"worker wake-ups {n}: delay p50 {delays[n // 2]:.3f} p99 {delays[int(.99 * n)]:.3f} "
          f"p99.9 {delays[int(.999 * n)]:.3f} max {delays[-1]:.3f} ms")
    if parent:
        runs = [r[4] for r in rows if r[2] == parent]
        print(f"parent: ran {sum(runs):.0f} ms in all, longest run {max(runs):.2f} ms")
    for limit in (0.5, 1.0):
        meanwhile, count = collections.Counter(), 0
        for t, cpu, task, delay, run in rows:
            if task not in workers or delay < limit:
                continue
            count += 1
            ready, start = t - (run + delay) / 1000, t - run / 1000
            for x in by_cpu[cpu]:
                overlap = min(x[0], start) - max(x[0] - x[4] / 1000, ready)
                if overlap > 0 and x[2] != task:
                    meanwhile[who(x[2])] += overlap * 1000
        top = ", ".join(f"{k} {v:.1f}" for k, v in meanwhile.most_common(5))
        print(f"waits over {limit} ms: {count}; on their CPU meanwhile (ms): {top or '-'}")
    if parent:
        server = sys.argv[3] if len(sys.argv) > 3 else None
        around_bursts(rows, parent, workers, server)


def around_bursts(rows, parent, workers, server):
    starts = []
    for t, _, task, _, run in rows:
        if task == parent and run > 1.0 and (not starts or t - run / 1000 - starts[-1] > 0.5):
            starts.append(t - run / 1000)

    def near(t):
        return any(s - 0.01 <= t <= s + 0.15 for s in starts)

    def pct(v, p):
        return v[min(len(v) - 1, int(p * len(v)))] if v else float("nan")

    print(f"parent's bursts: {len(starts)}")
    for name, mine in (("workers", lambda task: task in workers),
                       (server, lambda task: server and task.startswith(server + "["))):
        a = sorted(r[3] for r in rows if mine(r[2]) and near(r[0]))
        b = sorted(r[3] for r in rows if mine(r[2]) and not near(r[0]))
        if a and b:
            print(f"{name} wake-up delay within 150 ms of a burst: n {len(a)} p99 {pct(a, .99):.3f} "
                  f"p99.9 {pct(a, .999):.3f} max {a[-1]:.3f} ms; elsewhere: n {len(b)} "
                  f"p99 {pct(b, .99):.3f} p99.9 {pct(b, .999):.3f} max {b[-1]:.3f} ms")


main()
