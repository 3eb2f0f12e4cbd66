"""What the robustness checks measure about a server: its processes are
every process in its process group (tests/run starts it with setsid, so the
group id is the pid it started), and we sum their RSS and CPU from /proc."""
import os

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    # The command name may hold spaces and parentheses: split after the last ')'.
    return data[data.rindex(")") + 2:].split()


def group_pids(pgid):
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            fields = _stat_fields(int(d))
        except (OSError, ValueError):
            continue  # exited while we looked
        # fields[0] is state (field 3), fields[2] is pgrp (field 5).
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(d))
    return pids


def rss_bytes(pgid):
    total = 0
    for pid in group_pids(pgid):
        try:
            with open("/proc/%d/statm" % pid) as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


def cpu_seconds(pgid):
    """utime + stime of every live process in the group, in seconds."""
    ticks = 0
    for pid in group_pids(pgid):
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # fields 14 and 15
    return ticks / TICK


def alive(pgid):
    return bool(group_pids(pgid))


def mib(n):
    return n / (1024 * 1024)
