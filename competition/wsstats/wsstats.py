"""wsstats: a supervisord RPC extension that reports what a program costs on
the machine it runs on, so ./runsuite can sample a server on another machine
as it samples a local one from /proc.

Enabled by competition/supervisord.conf:

    [rpcinterface:wsstats]
    supervisor.rpcinterface_factory = wsstats:make_wsstats_rpcinterface

supervisord must be able to import this file: ./install copies it into
/usr/local/lib/python3.X/dist-packages (or set PYTHONPATH to this folder).

A program is every process of its process group (supervisord starts each
program in a group of its own), so the workers of a -N server count too.
Memory is in KiB: XML-RPC integers are 32-bit and bytes would overflow at
2 GiB.
"""
import os
import time

from supervisor.options import split_namespec
from supervisor.xmlrpc import Faults, RPCError

API_VERSION = "1"
_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    """(state, pgrp, utime + stime ticks) from /proc/PID/stat."""
    with open("/proc/%s/stat" % pid) as f:
        data = f.read()
    # The command name may hold spaces and parentheses: count from the last ')'.
    fields = data[data.rindex(")") + 2:].split()
    return fields[0], int(fields[2]), int(fields[11]) + int(fields[12])


def _memory_kb(pid):
    """(Pss, Rss) in KiB from /proc/PID/smaps_rollup."""
    pss = rss = 0
    with open("/proc/%s/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    return pss, rss


def _nofile(pid):
    """The soft and hard open-file limits as /proc/PID/limits writes them."""
    with open("/proc/%s/limits" % pid) as f:
        for line in f:
            if line.startswith("Max open files"):
                soft, hard = line[len("Max open files"):].split()[:2]
                return soft, hard
    return "", ""


def group_stats(pgid):
    """Sums over the live processes of process group pgid. Raises OSError
    when one of them cannot be read for any reason but having exited (a
    supervisord that may not read its programs' memory must say so, not
    report zero)."""
    procs = pss = rss = ticks = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            state, grp, t = _stat(name)
            if grp != pgid or state == "Z":
                continue
            p, r = _memory_kb(name)
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue  # exited while we looked
        procs += 1
        pss += p
        rss += r
        ticks += t
    return {"processes": procs, "pss_kb": pss, "rss_kb": rss,
            "cpu_seconds": ticks / float(_TICK)}


class WsstatsNamespaceRPCInterface:
    def __init__(self, supervisord):
        self.supervisord = supervisord

    def getAPIVersion(self):
        """ The version of this extension's API

        @return string version
        """
        return API_VERSION

    def getGroupStats(self, name):
        """ Memory and CPU of a running program's whole process group

        @param string name  Program name (or ``group:name``)
        @return struct  pid, pgid, processes, pss_kb, rss_kb, cpu_seconds
                        (user + system, summed over live processes),
                        nofile_soft, nofile_hard (strings, may be
                        "unlimited"), time (seconds since the epoch)
        """
        group_name, process_name = split_namespec(name)
        group = self.supervisord.process_groups.get(group_name)
        process = group.processes.get(process_name or group_name) if group else None
        if process is None:
            raise RPCError(Faults.BAD_NAME, name)
        pid = process.pid
        if not pid:
            raise RPCError(Faults.NOT_RUNNING, name)
        try:
            pgid = os.getpgid(pid)
            soft, hard = _nofile(pid)
        except OSError as e:
            raise RPCError(Faults.NOT_RUNNING, "%s: %s" % (name, e))
        try:
            stats = group_stats(pgid)
        except OSError as e:
            raise RPCError(Faults.FAILED, "%s: %s (supervisord must run as root or as "
                           "the program's user)" % (name, e))
        stats.update({"pid": pid, "pgid": pgid, "nofile_soft": soft,
                      "nofile_hard": hard, "time": time.time()})
        return stats


def make_wsstats_rpcinterface(supervisord, **config):
    if config:
        raise ValueError("wsstats takes no options, got %s" % ", ".join(sorted(config)))
    return WsstatsNamespaceRPCInterface(supervisord)
