#!/bin/sh
# ./runsuite end to end against a supervisord this test starts with its own
# programs, on ports from tests/lib/free_port: a real contestant (c-epoll-1)
# that must come out ok, a garbage "server" that must fail verification and
# be skipped, a program that exits at once, one killed mid-run (crashed);
# references from a fake servers root (verified, one not available, one
# whose tracks leave c10k out); engine = tsung through a stand-in
# runtest-tsung; server_env for a supervisord --supervise starts. Then a
# second run resumes, SIGTERM stops a run cleanly, and repeat = 2 shuffles
# each repeat by its seed.
. "$(dirname "$0")/lib.sh"
require_built
# A -1 server refuses WS_WORKERS other than 1: the server_env probe runs a -N.
echo_n_bin=$root/competition/c-epoll-N/build/c-epoll-N
# Nothing the runner does may change a tracked file of the kit.
tracked_before=$(git -C "$root" status --porcelain --untracked-files=no 2>&1)

# sup: the test's supervisord; srv: where its programs listen; the others
# for the short-lived supervisords below, and one where nothing listens.
set -- $(free_ports 7)
sup=$1 srv=$2 sup_bare=$3 sup_kit=$4 sup_nobody=$5 sup_env=$6 nothing=$7

tmp=$(mktemp -d /tmp/suite-test-suite-XXXXXX)
conf=$tmp/supervisord.conf
cleanup() {
    for c in "$conf" "$tmp/envsup/supervisord.conf" "$tmp/noprocstat/supervisord.conf"; do
        stop_supervisord "$c"
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

{
    supervisord_head "$sup"
    program c-epoll-1 "$echo_bin --port $srv --host 127.0.0.1"
    program garbage "/usr/bin/python3 $here/garbage_server.py $srv"
    program exiter "/bin/sh -c 'exit 3'"
    # a correct echo server that is killed 4 s after it starts: mid-run
    program crasher "timeout -s KILL 4 $echo_bin --port $srv --host 127.0.0.1"
    program ws-ref "$echo_bin --port $srv --host 127.0.0.1"
    program tcp-ref "$tcp_echo --port $srv --host 127.0.0.1"
} >"$conf"

# The references: a WebSocket one in c10k only, a plain-TCP one that c10k
# leaves out, one whose requirement is missing.
refs=$tmp/servers
fake_reference "$refs" ws-ref "protocol = websocket
tracks = c10k"
fake_reference "$refs" tcp-ref "protocol = tcp   ; no upgrade
tracks = throughput, capacity"
fake_reference "$refs" missing-ref "requires = no-such-command-wskit
install = apt-get install no-such-package"

cat >"$tmp/suite.ini" <<INI
host = 127.0.0.1
port = $srv
supervisord = http://127.0.0.1:$sup/RPC2
db_root = $tmp/db
results = $tmp/report
servers_root = $refs
clients = 20
seconds = 5
servers = c-epoll-1, garbage, exiter, crasher
start_timeout = 10
stop_timeout = 10
pin = client_cpus=0 server_cpus=0
INI

# Bad input ends the runner with a clear message before anything starts.
printf 'results = r\nclients = 10\nclients_per_second = 5\n' >"$tmp/bad.ini"
out=$(timeout 20 "$root/runsuite" "$tmp/bad.ini" 2>&1)
check "an unknown key: exit 2 naming file, line and key" \
    [ $? = 2 -a "$out" = "runsuite: $tmp/bad.ini:3: unknown key 'clients_per_second' (see suite/README.md for the keys)" ]
printf 'results = r\n[slo]\nrates = 5, 1\n' >"$tmp/bad2.ini"
out=$(timeout 20 "$root/runsuite" "$tmp/bad2.ini" 2>&1)
check "a bad track value: exit 2 naming file, line and key" \
    [ $? = 2 -a "$out" = "runsuite: $tmp/bad2.ini:3: bad value '5, 1' for key 'rates': expected a rising comma list of rates 1-100000000 (messages/s in total)" ]
out=$(timeout 20 "$root/runsuite" "$tmp/missing.ini" 2>&1)
check "a missing config: exit 2" [ $? = 2 -a "$out" = "runsuite: $tmp/missing.ini: No such file or directory" ]
sed "s|:$sup/|:$nothing/|" "$tmp/suite.ini" >"$tmp/nosup.ini"
out=$(timeout 30 "$root/runsuite" --supervise "$tmp/nosup.ini" 2>&1)
rc=$?
check "--supervise, non-default URL, nothing answers: exit 2 (exit $rc)" [ $rc = 2 ]
check "--supervise, non-default URL, nothing answers: says so" contains "$out" "nothing answers at http://127.0.0.1:$nothing/RPC2"
printf 'results = %s/r\ndb_root = %s/db\nservers = c-epoll-1\nservers_root = %s\nreferences = nope\n' \
    "$tmp" "$tmp" "$refs" >"$tmp/badref.ini"
out=$(timeout 20 "$root/runsuite" "$tmp/badref.ini" 2>&1)
rc=$?
check "references = an unknown name: exit 2 (exit $rc)" [ $rc = 2 ]
check "references = an unknown name: says so" contains "$out" "references: 'nope' is not a reference"

# The checkout's wsstats, not a copy ./install may have left.
check "test supervisord answers on $sup" start_supervisord "$conf"

# meta TRACK/SERVER/VARIANT-K KEY
meta() { meta_of "$tmp/db/$1.db" "$2"; }
# The field of the summary.csv row of a server, by column name.
summary() {
    /usr/bin/python3 -c 'import csv,sys
rows = {r["server"]: r for r in csv.DictReader(open(sys.argv[1]))}
print(rows[sys.argv[2]][sys.argv[3]])' "$tmp/report/summary.csv" "$1" "$2"
}
E=c10k/c-epoll-1/default-1

timeout 150 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out1" 2>&1
rc=$?
sed 's/^/    | /' "$tmp/out1"
check "runsuite exits 0 although servers failed (exit $rc)" [ $rc = 0 ]
check "pin: the server's threads pinned" grep -q "pinned [1-9][0-9]* server thread" "$tmp/out1"
check "c-epoll-1: <db_root>/c10k/c-epoll-1/default-1.db" [ -s "$tmp/db/$E.db" ]
check "c-epoll-1: idle PSS taken before the load" [ "$(meta $E suite.server_idle_pss_bytes)" -gt 0 ]
check "c-epoll-1: status ok, complete=1" [ "$(meta $E suite.status)/$(meta $E complete)" = "ok/1" ]
check "c-epoll-1: kind, track, variant, repeat, engine, protocol recorded" \
    [ "$(meta $E suite.kind)/$(meta $E suite.track)/$(meta $E suite.variant)/$(meta $E suite.repeat)/$(meta $E suite.engine)/$(meta $E suite.protocol)" = \
      "contestant/c10k/default/1/kit/websocket" ]
check "c-epoll-1: env.somaxconn recorded as in /proc" \
    [ "$(meta $E env.somaxconn)" = "$(cat /proc/sys/net/core/somaxconn)" ]
# The server inherits supervisord's open-file limit.
sup_nofile=$(awk '/^Max open files/ { print $4 }' "/proc/$(cat "$tmp/supervisord.pid")/limits")
check "c-epoll-1: server open-file limit recorded ($sup_nofile)" \
    [ "$(meta $E env.server_nofile_soft)" = "$sup_nofile" ]
check "c-epoll-1: the built runtest, with --label and --server-pid" \
    contains "$(meta $E suite.runtest_command)" "client/build/runtest $tmp/db/$E.db 5 127.0.0.1 $srv 20 --label c-epoll-1 --server-pid "
G=c10k/garbage/default-1
check "garbage: failed verification" [ "$(meta $G suite.status)" = "failed verification" ]
check "garbage: skipped, no load run" [ -z "$(meta $G suite.runtest_command)" ]
check "garbage: ./verify's output kept" [ -n "$(meta $G suite.verify_output)" ]
check "exiter: failed to start" [ "$(meta c10k/exiter/default-1 suite.status)" = "failed to start" ]
check "crasher: crashed" [ "$(meta c10k/crasher/default-1 suite.status)" = "crashed" ]
W=c10k/ws-ref/default-1
check "ws-ref: a reference, verified and measured" \
    [ "$(meta $W suite.kind)/$(meta $W suite.status)/$(meta $W suite.protocol)" = "reference/ok/websocket" ]
check "ws-ref: ./verify ran on it" contains "$(meta $W suite.verify_output)" "ok"
check "tcp-ref: its tracks leave c10k out: no run" [ ! -e "$tmp/db/c10k/tcp-ref" ]
M=c10k/missing-ref/default-1
check "missing-ref: not available, the missing command and the install hint" \
    [ "$(meta $M suite.status)/$(meta $M suite.reason)" = \
      "not available/requires no-such-command-wskit, which is missing (not on PATH); install: apt-get install no-such-package" ]
check "missing-ref: the install command alone, for the report" \
    [ "$(meta $M suite.install)" = "apt-get install no-such-package" ]
check "missing-ref: said before the first server" grep -q "missing-ref is not available" "$tmp/out1"
check "missing-ref: not started" [ -z "$(meta $M suite.started_at)" ]
check "summary.csv: c-epoll-1 ok with 20 clients" \
    [ "$(summary c-epoll-1 status)/$(summary c-epoll-1 clients)" = "ok/20" ]
check "summary.csv: c-epoll-1 all 20 handshakes" [ "$(summary c-epoll-1 handshakes)" = 20 ]
check "summary.csv: garbage failed verification" \
    [ "$(summary garbage status)" = "failed verification" ]
check "summary.csv: crasher crashed" [ "$(summary crasher status)" = "crashed" ]
check "README.md and index.html written" [ -s "$tmp/report/README.md" -a -s "$tmp/report/index.html" ]
check "nothing listens on $srv afterwards" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$srv) 2>/dev/null"

# Resume: complete databases are skipped, the others run again. server_env
# cannot reach a supervisord that already runs: a warning, recorded.
sed -i 's/^servers = .*/servers = c-epoll-1, garbage/' "$tmp/suite.ini"
printf 'references = none\nserver_env = WS_WORKERS=3\n' >>"$tmp/suite.ini"
timeout 60 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out2" 2>&1
rc=$?
check "second run exits 0 (exit $rc)" [ $rc = 0 ]
check "second run skips complete c-epoll-1" grep -q "$E.db is complete, skipped" "$tmp/out2"
check "second run retries garbage" grep -q "== garbage c10k default: failed verification" "$tmp/out2"
check "server_env, supervisord already running: a warning" \
    grep -q "warning: server_env (WS_WORKERS=3) does not apply" "$tmp/out2"
check "server_env, supervisord already running: recorded as not applied" \
    [ "$(meta $G suite.server_env)/$(meta $G suite.server_env_applied)" = "WS_WORKERS=3/0" ]
sed -i '/^server_env/d; /^references/d' "$tmp/suite.ini"

# server_env for the supervisord --supervise starts (its own config here).
mkdir -p "$tmp/envsup"
supervisord_head "$sup_env" >"$tmp/envsup/supervisord.conf"
program envprobe "/bin/sh -c 'echo \"WS_WORKERS=\$WS_WORKERS\" >$tmp/envsup/probe; exec $echo_n_bin --port $srv --host 127.0.0.1'" \
    >>"$tmp/envsup/supervisord.conf"
cat >"$tmp/env.ini" <<INI
port = $srv
supervisord = http://127.0.0.1:$sup_env/RPC2
supervisord_conf = $tmp/envsup/supervisord.conf
server_env = WS_WORKERS=3, OTHER=x
references = none
servers = envprobe
db_root = $tmp/envdb
results = $tmp/envreport
clients = 5
seconds = 2
INI
PYTHONPATH=$root/competition/wsstats timeout 60 "$root/runsuite" --supervise "$tmp/env.ini" >"$tmp/out6" 2>&1
rc=$?
sed 's/^/    | /' "$tmp/out6"
P=$tmp/envdb/c10k/envprobe/default-1.db
check "server_env: --supervise with supervisord_conf, exit 0 (exit $rc)" [ $rc = 0 ]
check "server_env: the server saw WS_WORKERS=3" [ "$(cat "$tmp/envsup/probe" 2>/dev/null)" = WS_WORKERS=3 ]
check "server_env: recorded, applied" \
    [ "$(meta_of "$P" suite.server_env)/$(meta_of "$P" suite.server_env_applied)/$(meta_of "$P" suite.status)" = "WS_WORKERS=3, OTHER=x/1/ok" ]
check "server_env: supervisord shut down at the end" grep -q "supervisord shut down" "$tmp/out6"

# engine = tsung: a kit root whose client/tsung has no runtest-tsung is a
# configuration error before the first server; with a stand-in, the runner
# passes it the run's arguments and --load-hosts.
fake=$tmp/fakekit
mkdir -p "$fake/suite/build" "$fake/client/build" "$fake/client/tsung"
cp "$root/suite/build/runsuite" "$fake/suite/build/"
for t in suite/build/report client/build/runtest client/build/verify; do
    ln -s "$root/$t" "$fake/$t"
done
ln -s "$root/competition" "$fake/competition"
cat >"$tmp/tsung.ini" <<INI
port = $srv
supervisord = http://127.0.0.1:$sup/RPC2
engine = tsung
load_hosts = h1:1:10,h2
references = none
servers = c-epoll-1
db_root = $tmp/tsdb
results = $tmp/tsreport
clients = 7
seconds = 3
INI
out=$(timeout 30 "$fake/suite/build/runsuite" "$tmp/tsung.ini" 2>&1)
rc=$?
check "engine = tsung, no runtest-tsung: exit 2 (exit $rc)" [ $rc = 2 ]
check "engine = tsung, no runtest-tsung: says what is missing" \
    [ "$out" = "runsuite: engine = tsung, but client/tsung/runtest-tsung is missing or not executable: build the Tsung engine (client/tsung/) or set engine = kit" ]
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >%s/tsung-args\n' "$tmp" >"$fake/client/tsung/runtest-tsung"
chmod +x "$fake/client/tsung/runtest-tsung"
out=$(timeout 30 "$fake/suite/build/runsuite" "$tmp/tsung.ini" 2>&1)
rc=$?
check "engine = tsung, its tools not built: exit 2 (exit $rc)" [ $rc = 2 ]
check "engine = tsung, its tools not built: says to run make" \
    [ "$out" = "runsuite: client/tsung/build/tsung_config is missing: run \`make\` at the kit root first" ]
mkdir -p "$fake/client/tsung/build"
touch "$fake/client/tsung/build/tsung_config" "$fake/client/tsung/build/tsung_import"
chmod +x "$fake/client/tsung/build/tsung_config" "$fake/client/tsung/build/tsung_import"
timeout 60 "$fake/suite/build/runsuite" "$tmp/tsung.ini" >"$tmp/out7" 2>&1
T=$tmp/tsdb/c10k/c-epoll-1/default-1.db
check "engine = tsung: runtest-tsung got the run's arguments and --load-hosts" \
    [ "$(tr '\n' ' ' <"$tmp/tsung-args" 2>/dev/null)" = "$T 3 127.0.0.1 $srv 7 --label c-epoll-1 --server-pid $(meta_of "$T" suite.server_pid) --load-hosts h1:1:10,h2 " ]
check "engine = tsung: recorded" \
    [ "$(meta_of "$T" suite.engine)/$(meta_of "$T" suite.load_hosts)/$(meta_of "$T" suite.status)" = "tsung/h1:1:10,h2/ok" ]

# server_stats = supervisord: what a remote server gets, here on loopback.
sed 's/^servers = .*/servers = c-epoll-1/; s/^seconds = .*/seconds = 4/; s/^pin = .*//' \
    "$tmp/suite.ini" >"$tmp/wsstats.ini"
echo 'server_stats = supervisord' >>"$tmp/wsstats.ini"
rm -f "$tmp/db/$E.db"
timeout 60 "$root/runsuite" "$tmp/wsstats.ini" >"$tmp/out5" 2>&1
rc=$?
sed 's/^/    | /' "$tmp/out5"
check "server_stats = supervisord: exit 0, ok (exit $rc)" \
    [ $rc = 0 -a "$(meta $E suite.status)/$(meta $E suite.server_stats)" = ok/supervisord ]
check "server_stats = supervisord: runtest reads server_stats, not a pid" \
    sh -c "sqlite3 '$tmp/db/$E.db' \"SELECT value FROM meta WHERE key = 'suite.runtest_command'\" |
           grep -qF -- \"--server-stats 'suite/build/server_stats \\\"http://127.0.0.1:$sup/RPC2\\\" \\\"c-epoll-1\\\"'\" &&
           ! sqlite3 '$tmp/db/$E.db' \"SELECT value FROM meta WHERE key = 'suite.runtest_command'\" |
           grep -q -- --server-pid"
check "server_stats = supervisord: every second has the server's memory and CPU" \
    [ "$(sqlite3 "$tmp/db/$E.db" "SELECT count(*) = sum(server_pss_bytes > 0 AND
        server_rss_bytes >= server_pss_bytes AND server_cpu_seconds >= 0) FROM samples")" = 1 ]
check "server_stats = supervisord: idle PSS and open-file limit through wsstats" \
    [ "$(meta $E suite.server_idle_pss_bytes)" -gt 0 -a \
      "$(meta $E env.server_nofile_soft)" = "$sup_nofile" ]
# wsstats against /proc, the same moment: the group's Rss (one process).
timeout 10 supervisorctl -c "$conf" start c-epoll-1 >/dev/null
pid=$(timeout 5 supervisorctl -c "$conf" pid c-epoll-1)
via_rpc=$(timeout 10 "$root/suite/build/server_stats" --count 1 "http://127.0.0.1:$sup/RPC2" c-epoll-1)
via_proc=$(awk '/^Rss:/ { print $2 * 1024 }' "/proc/$pid/smaps_rollup")
check "server_stats: RSS $(echo "$via_rpc" | cut -d' ' -f2) matches /proc's $via_proc within 5%" \
    /usr/bin/python3 -c 'import sys; a = int(sys.argv[1].split()[1]); b = int(sys.argv[2])
sys.exit(abs(a - b) > b * 0.05)' "$via_rpc" "$via_proc"
timeout 20 supervisorctl -c "$conf" stop c-epoll-1 >/dev/null
out=$(timeout 10 "$root/suite/build/server_stats" --count 1 "http://127.0.0.1:$sup/RPC2" c-epoll-1 2>&1)
rc=$?
check "server_stats: a stopped program, exit 1 (exit $rc)" [ $rc = 1 ]
check "server_stats: a stopped program, says NOT_RUNNING" contains "$out" "NOT_RUNNING: c-epoll-1"
out=$(timeout 10 "$root/suite/build/server_stats" --count 1 "http://127.0.0.1:$sup/RPC2" nope 2>&1)
rc=$?
check "server_stats: an unknown program, exit 1 (exit $rc)" [ $rc = 1 ]
check "server_stats: an unknown program, says BAD_NAME" contains "$out" "BAD_NAME: nope"
out=$(timeout 10 "$root/suite/build/server_stats" --count x u p 2>&1)
check "server_stats: a bad option, exit 2 and says which" [ $? = 2 -a \
    "$out" = "server_stats: --count: expected an integer 1..86400000, got 'x'" ]

# A supervisord without the extension: said before anything starts.
mkdir -p "$tmp/bare"
supervisord_head "$sup_bare" | sed '/wsstats/d' >"$tmp/bare/supervisord.conf"
if timeout 20 supervisord -c "$tmp/bare/supervisord.conf"; then
    sed "s|:$sup/|:$sup_bare/|" "$tmp/wsstats.ini" >"$tmp/bare.ini"
    sleep 1
    out=$(timeout 30 "$root/runsuite" "$tmp/bare.ini" 2>&1)
    rc=$?
    timeout 20 supervisorctl -c "$tmp/bare/supervisord.conf" shutdown >/dev/null 2>&1
    check "no wsstats extension: exit 2 (exit $rc)" [ $rc = 2 ]
    check "no wsstats extension: says how to add it" \
        contains "$out" "has no wsstats extension: add [rpcinterface:wsstats]"
else
    check "a second supervisord ($sup_bare) starts" false
fi

# stats_from PORT PROGRAM WAIT CMD...: CMD starts a supervisord on PORT;
# WAIT seconds later server_stats asks it for PROGRAM's reading (into $out
# and $rc), then it is shut down. Status 1 if CMD did not start it.
stats_from() {
    port=$1 prog=$2 wait=$3
    shift 3
    "$@" || return 1
    sleep "$wait"
    out=$(timeout 10 "$root/suite/build/server_stats" --count 1 "http://127.0.0.1:$port/RPC2" "$prog" 2>&1)
    rc=$?
    timeout 20 supervisorctl -s "http://127.0.0.1:$port" shutdown >/dev/null 2>&1
}

# The kit's own supervisord.conf, moved to another port and with no
# programs, loads wsstats from where ./install put it (no PYTHONPATH here).
mkdir -p "$tmp/kit/logs"
sed "s/127.0.0.1:9001/127.0.0.1:$sup_kit/" "$root/competition/supervisord.conf" >"$tmp/kit/supervisord.conf"
if stats_from "$sup_kit" nope 1 timeout 20 env -u PYTHONPATH supervisord -c "$tmp/kit/supervisord.conf"; then
    check "competition/supervisord.conf: wsstats answers (installed by ./install)" \
        contains "$out" "BAD_NAME: nope"
else
    check "competition/supervisord.conf starts with the installed wsstats" false
fi

# A supervisord that may not read its program's memory (it runs as nobody,
# the program made itself non-dumpable) says so instead of reporting zero.
chmod 711 "$tmp"
mkdir -p "$tmp/nobody" && chmod 777 "$tmp/nobody"
supervisord_head "$sup_nobody" >"$tmp/nobody/supervisord.conf"
cat >>"$tmp/nobody/supervisord.conf" <<CONF
[program:hidden]
command = /usr/bin/python3 -c "import ctypes, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); time.sleep(60)"
startsecs = 1
CONF
if stats_from "$sup_nobody" hidden 2 timeout 20 runuser -u nobody -- \
        env PYTHONPATH="$root/competition/wsstats" supervisord -c "$tmp/nobody/supervisord.conf"; then
    check "wsstats, unreadable program: exit 1 (exit $rc)" [ $rc = 1 ]
    check "wsstats, unreadable program: FAILED, says why" \
        contains "$out" "FAILED: hidden: /proc/"
    check "wsstats, unreadable program: procstat's reason" \
        contains "$out" "/smaps_rollup: Permission denied (supervisord must run as root"
else
    check "supervisord as nobody ($sup_nobody) starts" false
fi

# wsstats reads through the kit's procstat: a procstat option that names no
# program stops supervisord; a wsstats that finds none (a copy outside the
# kit, nothing on PATH) answers FAILED saying what to do.
mkdir -p "$tmp/noprocstat"
cp "$root/competition/wsstats/wsstats.py" "$tmp/noprocstat/"
supervisord_head "$sup_bare" | sed '/wsstats:make_wsstats_rpcinterface/a procstat = /nonexistent/procstat' \
    >"$tmp/noprocstat/bad.conf"
out=$(env PYTHONPATH="$tmp/noprocstat" timeout 20 supervisord -n -c "$tmp/noprocstat/bad.conf" 2>&1)
check "wsstats, procstat = a missing file: supervisord does not start, says why" \
    contains "$out" "procstat = /nonexistent/procstat: not an executable file"
{ supervisord_head "$sup_bare"; printf '[program:sleeper]\ncommand = /bin/sleep 60\nstartsecs = 1\n'; } \
    >"$tmp/noprocstat/supervisord.conf"
if stats_from "$sup_bare" sleeper 2 env -u WSSTATS_PROCSTAT PATH=/usr/bin:/bin \
        PYTHONPATH="$tmp/noprocstat" timeout 20 supervisord -c "$tmp/noprocstat/supervisord.conf"; then
    check "wsstats without procstat: exit 1 (exit $rc)" [ $rc = 1 ]
    check "wsstats without procstat: FAILED, says how to get one" \
        contains "$out" "FAILED: sleeper: procstat not found: build the kit's client (make -C client)"
else
    check "supervisord with a wsstats outside the kit ($sup_bare) starts" false
fi

# SIGTERM mid-run: the server is stopped, the database stays readable.
sed -i 's/^servers = .*/servers = c-epoll-1/; s/^seconds = .*/seconds = 60/' "$tmp/suite.ini"
echo 'references = none' >>"$tmp/suite.ini"
timeout 90 "$root/runsuite" --fresh "$tmp/suite.ini" >"$tmp/out3" 2>&1 &
suite=$!
for i in $(seq 100); do
    grep -q "client/build/runtest" "$tmp/out3" && break
    sleep 0.1
done
sleep 2
kill -TERM $suite
wait $suite
rc=$?
sed 's/^/    | /' "$tmp/out3" | tail -5
check "SIGTERM: runsuite exits 130 (exit $rc)" [ $rc = 130 ]
check "SIGTERM: status interrupted, readable" [ "$(meta $E suite.status)" = interrupted ]
check "SIGTERM: c-epoll-1 stopped" \
    sh -c "timeout 5 supervisorctl -c '$conf' status c-epoll-1 | grep -q STOPPED"

# repeat: one database per (track, variant, repeat); each repeat runs every
# (server, track) once in an order the seed shuffles; the server starts
# once per (server, track), not once per variant.
sed -i 's/^servers = .*/servers = garbage/; s/^seconds = .*/seconds = 5/' "$tmp/suite.ini"
printf 'repeat = 2\nseed = 7\ntracks = c10k, throughput\n[throughput]\nconnections = 2\nin_flight = 1\nsizes = 20, 4096\n' >>"$tmp/suite.ini"
rm -rf "$tmp/db" "$tmp/report"
timeout 90 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out4" 2>&1
rc=$?
check "repeat=2: exit 0 (exit $rc)" [ $rc = 0 ]
check "repeat=2: the seed is printed" grep -q "each repeat.s servers in shuffled order, seed 7" "$tmp/out4"
n=0
for d in c10k/garbage/default throughput/garbage/c2-k1-s20 throughput/garbage/c2-k1-s4096; do
    for k in 1 2; do
        [ "$(meta $d-$k suite.status)/$(meta $d-$k suite.seed)/$(meta $d-$k suite.repeat)" = "failed verification/7/$k" ] &&
            n=$((n + 1))
    done
done
check "repeat=2: 6 databases (3 variants x 2), seed and repeat recorded ($n)" [ $n = 6 ]
check "repeat=2: one start per (server, track, repeat): 4 verifications, not 6" \
    [ "$(grep -c 'runsuite: garbage failed verification' "$tmp/out4")" = 4 ]
last1=$(sqlite3 "$tmp/db/c10k/garbage/default-1.db" "SELECT value FROM meta WHERE key='suite.order'")
orders() { for f in "$tmp"/db/*/garbage/*-"$1".db; do meta_of "$f" suite.order; done | sort -n | tr '\n' ' '; }
check "repeat=2: repeat 1 runs before repeat 2 ($(orders 1)| $(orders 2))" \
    [ "$(orders 1)" = "1 2 3 " -a "$(orders 2)" = "4 5 6 " -a -n "$last1" ]

check "no tracked file of the kit changed" \
    [ "$(git -C "$root" status --porcelain --untracked-files=no 2>&1)" = "$tracked_before" ]

echo "$0: $fails failure(s)"
[ $fails = 0 ]
