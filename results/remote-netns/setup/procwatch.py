# Every second: the Pss sum over the process group of the newest c-epoll-N /
# c-libuv-wslay main process, read from this machine's /proc (root namespace).
import os, sys, time
def stat(pid):
    d = open("/proc/%s/stat" % pid).read()
    f = d[d.rindex(")") + 2:].split()
    return int(f[2])
def pss(pid):
    for l in open("/proc/%s/smaps_rollup" % pid):
        if l.startswith("Pss:"):
            return int(l.split()[1]) * 1024
    return 0
out = open(sys.argv[1], "w")
end = time.time() + float(sys.argv[2])
while time.time() < end:
    groups = {}
    for p in os.listdir("/proc"):
        if not p.isdigit(): continue
        try:
            cmd = open("/proc/%s/cmdline" % p, "rb").read()
            if b"/build/c-epoll-N" not in cmd and b"/build/c-libuv-wslay" not in cmd: continue
            g = stat(p); groups[g] = groups.get(g, 0) + pss(p)
        except OSError: pass
    for g, v in groups.items():
        out.write("%.0f %d %d\n" % (time.time(), g, v))
    out.flush()
    time.sleep(1)
