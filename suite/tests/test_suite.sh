#!/bin/sh
# ./runsuite end to end against a supervisord this test starts on port 9602
# with its own programs on port 8602: a real contestant (c-epoll-1) that
# must come out ok, a garbage "server" that must fail verification and be
# skipped, a program that exits at once, and one killed mid-run (crashed).
# Then a second run resumes, and SIGTERM stops a run cleanly.
. "$(dirname "$0")/lib.sh"

echo_bin=$root/competition/c-epoll-1/build/c-epoll-1
for t in "$root/runtest" "$root/verify" "$root/compile_stats" "$echo_bin" \
         "$root/suite/build/runsuite" "$root/suite/build/report"; do
    if [ ! -x "$t" ]; then
        echo "FAIL $t is not built: run make at the kit root first"
        exit 1
    fi
done

tmp=$(mktemp -d /tmp/suite-test-suite-XXXXXX)
conf=$tmp/supervisord.conf
cleanup() {
    if [ -f "$tmp/supervisord.pid" ]; then
        timeout 20 supervisorctl -c "$conf" shutdown >/dev/null 2>&1
        pid=$(cat "$tmp/supervisord.pid" 2>/dev/null)
        [ -n "$pid" ] && kill "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

supervisord_head 9602 >"$conf"
cat >>"$conf" <<CONF
[program:c-epoll-1]
command = $echo_bin --port 8602 --host 127.0.0.1
autostart = false
startsecs = 1
startretries = 0
stopasgroup = true
stopwaitsecs = 5
[program:garbage]
command = /usr/bin/python3 $here/garbage_server.py 8602
autostart = false
startsecs = 1
startretries = 0
stopwaitsecs = 5
[program:exiter]
command = /bin/sh -c 'exit 3'
autostart = false
autorestart = false
startsecs = 1
startretries = 0
[program:crasher]
; a correct echo server that is killed 4 s after it starts: mid-run
command = timeout -s KILL 4 $echo_bin --port 8602 --host 127.0.0.1
autostart = false
autorestart = false
startsecs = 1
startretries = 0
stopasgroup = true
stopwaitsecs = 5
CONF

cat >"$tmp/suite.ini" <<INI
host = 127.0.0.1
port = 8602
supervisord = http://127.0.0.1:9602/RPC2
db_root = $tmp/db
results = $tmp/report
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
out=$(timeout 20 "$root/runsuite" "$tmp/missing.ini" 2>&1)
check "a missing config: exit 2" [ $? = 2 -a "$out" = "runsuite: $tmp/missing.ini: No such file or directory" ]
sed 's|9602|9603|' "$tmp/suite.ini" >"$tmp/nosup.ini"
out=$(timeout 30 "$root/runsuite" --supervise "$tmp/nosup.ini" 2>&1)
rc=$?
case "$out" in
*"nothing answers at http://127.0.0.1:9603/RPC2"*) said=1 ;;
*) said=0 ;;
esac
check "--supervise, non-default URL, nothing answers: exit 2, says so (exit $rc)" \
    [ $rc = 2 -a $said = 1 ]

# The checkout's wsstats, not a copy ./install may have left.
if ! PYTHONPATH=$root/competition/wsstats timeout 20 supervisord -c "$conf"; then
    echo "FAIL supervisord -c $conf did not start"
    exit 1
fi
up=0
for i in $(seq 50); do
    timeout 5 supervisorctl -c "$conf" pid >/dev/null 2>&1 && { up=1; break; }
    sleep 0.2
done
check "test supervisord answers on 9602" [ $up = 1 ]

meta() { sqlite3 "$tmp/db/$1.db" "SELECT value FROM meta WHERE key = '$2'"; }
# The field of the summary.csv row of a server, by column name.
summary() {
    /usr/bin/python3 -c 'import csv,sys
rows = {r["server"]: r for r in csv.DictReader(open(sys.argv[1]))}
print(rows[sys.argv[2]][sys.argv[3]])' "$tmp/report/summary.csv" "$1" "$2"
}

timeout 150 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out1" 2>&1
rc=$?
sed 's/^/    | /' "$tmp/out1"
check "runsuite exits 0 although servers failed (exit $rc)" [ $rc = 0 ]
check "pin: the server's threads pinned" grep -q "pinned [1-9][0-9]* server thread" "$tmp/out1"
check "c-epoll-1: idle PSS taken before the load" \
    [ "$(meta c-epoll-1 suite.server_idle_pss_bytes)" -gt 0 ]
check "c-epoll-1: status ok, complete=1" \
    [ "$(meta c-epoll-1 suite.status)/$(meta c-epoll-1 complete)" = "ok/1" ]
check "c-epoll-1: env.somaxconn recorded as in /proc" \
    [ "$(meta c-epoll-1 env.somaxconn)" = "$(cat /proc/sys/net/core/somaxconn)" ]
# The server inherits supervisord's open-file limit.
sup_nofile=$(awk '/^Max open files/ { print $4 }' "/proc/$(cat "$tmp/supervisord.pid")/limits")
check "c-epoll-1: server open-file limit recorded ($sup_nofile)" \
    [ "$(meta c-epoll-1 env.server_nofile_soft)" = "$sup_nofile" ]
check "c-epoll-1: runtest got --server-pid and --label" \
    sh -c "sqlite3 '$tmp/db/c-epoll-1.db' \"SELECT value FROM meta WHERE key = 'suite.runtest_command'\" |
           grep -q -- '--label c-epoll-1 --server-pid [0-9]'"
check "garbage: failed verification" [ "$(meta garbage suite.status)" = "failed verification" ]
check "garbage: skipped, no load run" [ -z "$(meta garbage suite.runtest_command)" ]
check "garbage: ./verify's output kept" [ -n "$(meta garbage suite.verify_output)" ]
check "exiter: failed to start" [ "$(meta exiter suite.status)" = "failed to start" ]
check "crasher: crashed" [ "$(meta crasher suite.status)" = "crashed" ]
check "summary.csv: c-epoll-1 ok with 20 clients" \
    [ "$(summary c-epoll-1 status)/$(summary c-epoll-1 clients)" = "ok/20" ]
check "summary.csv: c-epoll-1 all 20 handshakes" [ "$(summary c-epoll-1 handshakes)" = 20 ]
check "summary.csv: garbage failed verification" \
    [ "$(summary garbage status)" = "failed verification" ]
check "summary.csv: crasher crashed" [ "$(summary crasher status)" = "crashed" ]
check "README.md and index.html written" [ -s "$tmp/report/README.md" -a -s "$tmp/report/index.html" ]
check "nothing listens on 8602 afterwards" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/8602) 2>/dev/null"

# Resume: complete databases are skipped, the others run again.
sed -i 's/^servers = .*/servers = c-epoll-1, garbage/' "$tmp/suite.ini"
timeout 60 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out2" 2>&1
rc=$?
check "second run exits 0 (exit $rc)" [ $rc = 0 ]
check "second run skips complete c-epoll-1" grep -q "c-epoll-1.db is complete, skipped" "$tmp/out2"
check "second run retries garbage" grep -q "garbage: failed verification" "$tmp/out2"

# server_stats = supervisord: what a remote server gets, here on loopback.
sed 's/^servers = .*/servers = c-epoll-1/; s/^seconds = .*/seconds = 4/; s/^pin = .*//' \
    "$tmp/suite.ini" >"$tmp/wsstats.ini"
echo 'server_stats = supervisord' >>"$tmp/wsstats.ini"
rm -f "$tmp/db/c-epoll-1.db"
timeout 60 "$root/runsuite" "$tmp/wsstats.ini" >"$tmp/out5" 2>&1
rc=$?
sed 's/^/    | /' "$tmp/out5"
check "server_stats = supervisord: exit 0, ok (exit $rc)" \
    [ $rc = 0 -a "$(meta c-epoll-1 suite.status)/$(meta c-epoll-1 suite.server_stats)" = ok/supervisord ]
check "server_stats = supervisord: runtest reads server_stats, not a pid" \
    sh -c "sqlite3 '$tmp/db/c-epoll-1.db' \"SELECT value FROM meta WHERE key = 'suite.runtest_command'\" |
           grep -qF -- \"--server-stats 'suite/build/server_stats \\\"http://127.0.0.1:9602/RPC2\\\" \\\"c-epoll-1\\\"'\" &&
           ! sqlite3 '$tmp/db/c-epoll-1.db' \"SELECT value FROM meta WHERE key = 'suite.runtest_command'\" |
           grep -q -- --server-pid"
check "server_stats = supervisord: every second has the server's memory and CPU" \
    [ "$(sqlite3 "$tmp/db/c-epoll-1.db" "SELECT count(*) = sum(server_pss_bytes > 0 AND
        server_rss_bytes >= server_pss_bytes AND server_cpu_seconds >= 0) FROM samples")" = 1 ]
check "server_stats = supervisord: idle PSS and open-file limit through wsstats" \
    [ "$(meta c-epoll-1 suite.server_idle_pss_bytes)" -gt 0 -a \
      "$(meta c-epoll-1 env.server_nofile_soft)" = "$sup_nofile" ]
# wsstats against /proc, the same moment: the group's Rss (one process).
timeout 10 supervisorctl -c "$conf" start c-epoll-1 >/dev/null
pid=$(timeout 5 supervisorctl -c "$conf" pid c-epoll-1)
via_rpc=$(timeout 10 "$root/suite/build/server_stats" --count 1 http://127.0.0.1:9602/RPC2 c-epoll-1)
via_proc=$(awk '/^Rss:/ { print $2 * 1024 }' "/proc/$pid/smaps_rollup")
check "server_stats: RSS $(echo "$via_rpc" | cut -d' ' -f2) matches /proc's $via_proc within 5%" \
    /usr/bin/python3 -c 'import sys; a = int(sys.argv[1].split()[1]); b = int(sys.argv[2])
sys.exit(abs(a - b) > b * 0.05)' "$via_rpc" "$via_proc"
timeout 20 supervisorctl -c "$conf" stop c-epoll-1 >/dev/null
out=$(timeout 10 "$root/suite/build/server_stats" --count 1 http://127.0.0.1:9602/RPC2 c-epoll-1 2>&1)
rc=$?
check "server_stats: a stopped program, exit 1 (exit $rc)" [ $rc = 1 ]
check "server_stats: a stopped program, says NOT_RUNNING" contains "$out" "NOT_RUNNING: c-epoll-1"
out=$(timeout 10 "$root/suite/build/server_stats" --count 1 http://127.0.0.1:9602/RPC2 nope 2>&1)
rc=$?
check "server_stats: an unknown program, exit 1 (exit $rc)" [ $rc = 1 ]
check "server_stats: an unknown program, says BAD_NAME" contains "$out" "BAD_NAME: nope"
out=$(timeout 10 "$root/suite/build/server_stats" --count x u p 2>&1)
check "server_stats: a bad option, exit 2 and says which" [ $? = 2 -a \
    "$out" = "server_stats: --count: expected an integer 1..86400000, got 'x'" ]

# A supervisord without the extension: said before anything starts.
mkdir -p "$tmp/bare"
supervisord_head 9604 | sed '/wsstats/d' >"$tmp/bare/supervisord.conf"
if timeout 20 supervisord -c "$tmp/bare/supervisord.conf"; then
    sed 's/9602/9604/' "$tmp/wsstats.ini" >"$tmp/bare.ini"
    sleep 1
    out=$(timeout 30 "$root/runsuite" "$tmp/bare.ini" 2>&1)
    rc=$?
    timeout 20 supervisorctl -c "$tmp/bare/supervisord.conf" shutdown >/dev/null 2>&1
    check "no wsstats extension: exit 2 (exit $rc)" [ $rc = 2 ]
    check "no wsstats extension: says how to add it" \
        contains "$out" "has no wsstats extension: add [rpcinterface:wsstats]"
else
    check "a second supervisord (9604) starts" false
fi

# The kit's own supervisord.conf, moved to port 9606 and with no programs,
# loads wsstats from where ./install put it (no PYTHONPATH here).
mkdir -p "$tmp/kit/logs"
sed 's/127.0.0.1:9001/127.0.0.1:9606/' "$root/competition/supervisord.conf" >"$tmp/kit/supervisord.conf"
if timeout 20 env -u PYTHONPATH supervisord -c "$tmp/kit/supervisord.conf"; then
    sleep 1
    out=$(timeout 10 "$root/suite/build/server_stats" --count 1 http://127.0.0.1:9606/RPC2 nope 2>&1)
    timeout 20 supervisorctl -s http://127.0.0.1:9606 shutdown >/dev/null 2>&1
    check "competition/supervisord.conf: wsstats answers (installed by ./install)" \
        contains "$out" "BAD_NAME: nope"
else
    check "competition/supervisord.conf starts with the installed wsstats" false
fi

# A supervisord that may not read its program's memory (it runs as nobody,
# the program made itself non-dumpable) says so instead of reporting zero.
chmod 711 "$tmp"
mkdir -p "$tmp/nobody" && chmod 777 "$tmp/nobody"
supervisord_head 9607 >"$tmp/nobody/supervisord.conf"
cat >>"$tmp/nobody/supervisord.conf" <<CONF
[program:hidden]
command = /usr/bin/python3 -c "import ctypes, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); time.sleep(60)"
startsecs = 1
CONF
if timeout 20 runuser -u nobody -- env PYTHONPATH="$root/competition/wsstats" \
        supervisord -c "$tmp/nobody/supervisord.conf"; then
    sleep 2
    out=$(timeout 10 "$root/suite/build/server_stats" --count 1 http://127.0.0.1:9607/RPC2 hidden 2>&1)
    rc=$?
    timeout 20 supervisorctl -s http://127.0.0.1:9607 shutdown >/dev/null 2>&1
    check "wsstats, unreadable program: exit 1 (exit $rc)" [ $rc = 1 ]
    check "wsstats, unreadable program: FAILED, says why" \
        contains "$out" "FAILED: hidden: [Errno 13] Permission denied"
else
    check "supervisord as nobody (9607) starts" false
fi

# SIGTERM mid-run: the server is stopped, the database stays readable.
sed -i 's/^servers = .*/servers = c-epoll-1/; s/^seconds = .*/seconds = 60/' "$tmp/suite.ini"
timeout 90 "$root/runsuite" --fresh "$tmp/suite.ini" >"$tmp/out3" 2>&1 &
suite=$!
for i in $(seq 100); do
    grep -q "runtest" "$tmp/out3" && break
    sleep 0.1
done
sleep 2
kill -TERM $suite
wait $suite
rc=$?
sed 's/^/    | /' "$tmp/out3" | tail -5
check "SIGTERM: runsuite exits non-zero (exit $rc)" [ $rc != 0 -a $rc != 124 ]
check "SIGTERM: status interrupted, readable" [ "$(meta c-epoll-1 suite.status)" = interrupted ]
check "SIGTERM: c-epoll-1 stopped" \
    sh -c "timeout 5 supervisorctl -c '$conf' status c-epoll-1 | grep -q STOPPED"

# repeat: one database per run, a logged seed, the report's runs column.
sed -i 's/^servers = .*/servers = garbage/; s/^seconds = .*/seconds = 5/' "$tmp/suite.ini"
printf 'repeat = 2\nseed = 7\n' >>"$tmp/suite.ini"
rm -rf "$tmp/db" "$tmp/report"
timeout 60 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out4" 2>&1
rc=$?
check "repeat=2: exit 0 (exit $rc)" [ $rc = 0 ]
check "repeat=2: the seed is printed" grep -q "shuffled order, seed 7" "$tmp/out4"
check "repeat=2: garbage-1.db and garbage-2.db, seed recorded" \
    [ "$(meta garbage-1 suite.seed)/$(meta garbage-2 suite.seed)/$(meta garbage-2 suite.run)" = "7/7/2" ]
check "repeat=2: one summary row of 2 runs" [ "$(summary garbage runs)" = 2 ]

echo "$0: $fails failure(s)"
[ $fails = 0 ]
