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
The kit's client/build/procstat reads them (the one sampler behind every
memory figure); see find_procstat for where it is looked for, or set
`procstat = PATH` in the [rpcinterface:wsstats] section. Memory is in KiB:
XML-RPC integers are 32-bit and bytes would overflow at 2 GiB.
"""
import os
import shutil
import subprocess
import time

from supervisor.options import split_namespec
from supervisor.xmlrpc import Faults, RPCError

API_VERSION = "1"
# procstat's exit statuses (client/src/procstat.c)
_GONE, _UNREADABLE = 1, 3


def find_procstat(option=None, configfile=None):
    """The procstat binary: the factory's `procstat` option, $WSSTATS_PROCSTAT,
    the kit's client/build/procstat beside this file or beside supervisord's
    configuration file (competition/supervisord.conf), or `procstat` on PATH.
    None when there is none."""
    here = os.path.dirname(os.path.realpath(__file__))
    candidates = [option, os.environ.get("WSSTATS_PROCSTAT"),
                  os.path.join(here, "..", "..", "client", "build", "procstat")]
    if configfile:
        candidates.append(os.path.join(os.path.dirname(os.path.abspath(configfile)),
                                       "..", "client", "build", "procstat"))
    candidates.append(shutil.which("procstat"))
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return os.path.abspath(c)
    return None


def _nofile(pid):
    """The soft and hard open-file limits as /proc/PID/limits writes them."""
    with open("/proc/%s/limits" % pid) as f:
        for line in f:
            if line.startswith("Max open files"):
                soft, hard = line[len("Max open files"):].split()[:2]
                return soft, hard
    return "", ""


class ProcstatError(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


def group_stats(procstat, pid):
    """Memory and CPU of pid's process group, read by the kit's one sampler
    (client/build/procstat, sampler.c), so a server measured through
    supervisord is measured as runtest measures a local one. Raises
    ProcstatError with procstat's status and message."""
    try:
        r = subprocess.run([procstat, "--count", "1", "--processes", str(pid)],
                           capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ProcstatError(_UNREADABLE, "%s: %s" % (procstat, e))
    if r.returncode != 0:
        msg = r.stderr.strip().replace("procstat: ", "", 1) or "exit status %d" % r.returncode
        raise ProcstatError(r.returncode, msg)
    try:
        pss, rss, cpu, procs = r.stdout.split()
        pss, rss, cpu, procs = int(pss), int(rss), float(cpu), int(procs)
    except ValueError:
        raise ProcstatError(_UNREADABLE, "%s printed %r" % (procstat, r.stdout))
    # KiB: XML-RPC integers are 32-bit
    return {"processes": procs, "pss_kb": pss // 1024, "rss_kb": rss // 1024,
            "cpu_seconds": cpu}


class WsstatsNamespaceRPCInterface:
    def __init__(self, supervisord, procstat=None):
        self.supervisord = supervisord
        configfile = getattr(getattr(supervisord, "options", None), "configfile", None)
        self.procstat = find_procstat(procstat, configfile)

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
        if not self.procstat:
            raise RPCError(Faults.FAILED, "%s: procstat not found: build the kit's client "
                           "(make -C client) or set procstat = PATH in [rpcinterface:wsstats]"
                           % name)
        try:
            stats = group_stats(self.procstat, pid)
        except ProcstatError as e:
            if e.status == _GONE:
                raise RPCError(Faults.NOT_RUNNING, "%s: %s" % (name, e))
            raise RPCError(Faults.FAILED, "%s: %s (supervisord must run as root or as "
                           "the program's user)" % (name, e))
        stats.update({"pid": pid, "pgid": pgid, "nofile_soft": soft,
                      "nofile_hard": hard, "time": time.time()})
        return stats


def make_wsstats_rpcinterface(supervisord, **config):
    procstat = config.pop("procstat", None)
    if procstat is not None and not os.access(procstat, os.X_OK):
        raise ValueError("wsstats: procstat = %s: not an executable file" % procstat)
    if config:
        raise ValueError("wsstats takes only the option procstat, got %s"
                         % ", ".join(sorted(config)))
    return WsstatsNamespaceRPCInterface(supervisord, procstat)
