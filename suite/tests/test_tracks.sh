#!/bin/sh
# Every track end to end at tiny size: ./runsuite against a real contestant
# (c-epoll-1) and the real plain-TCP reference (servers/tcp-echo, with its
# own reference.conf: --tcp, no ./verify, only its tracks) under a
# supervisord this test starts on free ports. Then, within one (server,
# track) run of several variants: a crash is recorded for its variant and
# the next variant gets a fresh server; SIGTERM keeps the finished variants
# and a second run resumes only the missing one. About a minute.
. "$(dirname "$0")/lib.sh"
require_built
help=$("$root/client/build/runtest" --help 2>&1)
for opt in --saturate --hold --storm --rate-steps --tcp --warmup-s; do
    case "$help" in *"  $opt "*) ;; *) echo "FAIL the built client has no $opt"; exit 1 ;; esac
done

set -- $(free_ports 2)
sup=$1 srv=$2
tmp=$(mktemp -d /tmp/suite-test-tracks-XXXXXX)
conf=$tmp/supervisord.conf
cleanup() {
    stop_supervisord "$conf"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

{
    supervisord_head "$sup"
    program c-epoll-1 "$echo_bin --port $srv --host 127.0.0.1"
    program tcp-echo "$tcp_echo --port $srv --host 127.0.0.1"
    # killed 7 s after it starts: during the second 3-s variant
    program crasher "timeout -s KILL 7 $echo_bin --port $srv --host 127.0.0.1"
} >"$conf"
start_supervisord "$conf"

{
    cat <<INI
port = $srv
supervisord = http://127.0.0.1:$sup/RPC2
db_root = $tmp/db
results = $tmp/report
servers_root = $root/servers
references = tcp-echo
servers = c-epoll-1
start_timeout = 10
stop_timeout = 10
INI
    tiny_tracks "24, 4096"
} >"$tmp/suite.ini"

start=$(date +%s)
timeout 240 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out1" 2>&1
rc=$?
sed 's/^/    | /' "$tmp/out1"
check "every track: exit 0 (exit $rc) in $(( $(date +%s) - start )) s" [ $rc = 0 ]

db() { echo "$tmp/db/$1.db"; }
m() { meta_of "$(db "$1")" "$2"; }
count() { sqlite3 "$(db "$1")" "$2" 2>/dev/null; }
# A run that went through: recorded ok by the runner, complete by the client.
ran() { [ "$(m "$1" suite.status)/$(m "$1" complete)/$(m "$1" suite.track)" = "ok/1/$2" ]; }

check "c10k: ok" ran c10k/c-epoll-1/default-1 c10k
check "c10k: 20 handshakes" [ "$(count c10k/c-epoll-1/default-1 "SELECT count(*) FROM events WHERE type = 'ws_onopen'")" = 20 ]
check "c10k: verified first" contains "$(m c10k/c-epoll-1/default-1 suite.verify_output)" "PASS"
for v in c4-k1-s24 c4-k1-s4096 c4-k4-s24 c4-k4-s4096; do
    T=throughput/c-epoll-1/$v-1
    check "throughput $v: ok, variant recorded" [ "$(m $T suite.variant)" = $v ] && ran $T throughput
    check "throughput $v: 4 connections, all opened" \
        [ "$(m $T suite.clients)/$(count $T "SELECT count(*) FROM events WHERE type = 'ws_onopen'")" = "4/4" ]
    check "throughput $v: saturate mode, warm-up recorded" [ "$(m $T mode)/$(m $T warmup_s)" = "saturate/1" ]
done
check "throughput: c4-k4-s4096 ran with --saturate 4 --size 4096" \
    contains "$(m throughput/c-epoll-1/c4-k4-s4096-1 suite.runtest_command)" "4 --saturate 4 --size 4096"
check "throughput: more than one message per connection came back" \
    [ "$(count throughput/c-epoll-1/c4-k4-s24-1 "SELECT count(*) FROM events WHERE type = 'message_recv'")" -gt 40 ]
check "throughput: one start for four variants" \
    [ "$(m throughput/c-epoll-1/c4-k1-s24-1 suite.server_pid)" = "$(m throughput/c-epoll-1/c4-k4-s4096-1 suite.server_pid)" ]
C=capacity/c-epoll-1/default-1
check "capacity: ok, hold mode" ran $C capacity && check "capacity: mode hold" [ "$(m $C mode)" = hold ]
check "capacity: SECONDS = 1 s of arrivals + 1 s settling" contains "$(m $C suite.runtest_command)" " 2 127.0.0.1 $srv 50 --hold"
check "capacity: message 0 and the probe came back from all 50" \
    [ "$(count $C "SELECT count(*) FROM events WHERE type = 'message_recv'")" = 100 ]
H=handshakes/c-epoll-1/default-1
check "handshakes: ok, storm of 8" ran $H handshakes && check "handshakes: storm = 8" [ "$(m $H storm)" = 8 ]
check "handshakes: all 100 opened" [ "$(count $H "SELECT count(*) FROM events WHERE type = 'ws_onopen'")" = 100 ]
S=slo/c-epoll-1/default-1
check "slo: ok, steps recorded" ran $S slo && \
    check "slo: rate_steps and step_s" [ "$(m $S mode)/$(m $S rate_steps)/$(m $S step_s)" = "steps/200,400/1" ]
check "slo: both steps whole, so both judged (steps_run $(m $S steps_run))" [ "$(m $S steps_run)" = 2 ]
# tcp-echo, the real reference: its reference.conf's tracks (c10k,
# throughput, capacity), over --tcp, never verified.
for R in c10k/tcp-echo/default-1 throughput/tcp-echo/c4-k1-s24-1 throughput/tcp-echo/c4-k4-s4096-1 \
         capacity/tcp-echo/default-1; do
    check "$R: ok over plain TCP, a reference" \
        [ "$(m $R suite.kind)/$(m $R suite.protocol)/$(m $R protocol)" = "reference/tcp/tcp" ] &&
        ran $R "${R%%/*}"
    check "$R: --tcp, and ./verify not run (says why)" \
        sh -c "echo '$(m $R suite.runtest_command)' | grep -q -- ' --tcp ' &&
               echo '$(m $R suite.verify_output)' | grep -q 'not run: a plain-TCP reference'"
done
check "tcp-echo capacity: message 0 and the probe echoed on all 50" \
    [ "$(count capacity/tcp-echo/default-1 "SELECT count(*) FROM events WHERE type = 'message_recv'")" = 100 ]
check "tcp-echo: not in handshakes or slo (its reference.conf)" \
    [ ! -e "$tmp/db/handshakes/tcp-echo" -a ! -e "$tmp/db/slo/tcp-echo" ]
check "a report over the tracks that ran" [ -s "$tmp/report/summary.csv" -a -s "$tmp/report/index.html" ]

# A crash inside a run of three variants: the second is recorded crashed,
# the third gets a fresh server.
cat >"$tmp/crash.ini" <<INI
port = $srv
supervisord = http://127.0.0.1:$sup/RPC2
db_root = $tmp/crashdb
results = $tmp/crashreport
references = none
servers = crasher
tracks = throughput
[throughput]
connections = 2
in_flight = 1
sizes = 24, 32, 40
seconds = 3
warmup_s = 1
INI
timeout 120 "$root/runsuite" "$tmp/crash.ini" >"$tmp/out2" 2>&1
sed 's/^/    | /' "$tmp/out2"
cm() { meta_of "$tmp/crashdb/throughput/crasher/$1-1.db" "$2"; }
check "crash: variant 1 ok, 2 crashed, 3 ok" \
    [ "$(cm c2-k1-s24 suite.status)/$(cm c2-k1-s32 suite.status)/$(cm c2-k1-s40 suite.status)" = ok/crashed/ok ]
check "crash: variant 3 ran on a fresh server" \
    [ -n "$(cm c2-k1-s40 suite.server_pid)" -a "$(cm c2-k1-s40 suite.server_pid)" != "$(cm c2-k1-s24 suite.server_pid)" ]

# SIGTERM during the second of four variants: the first and the last two
# (complete from the first run) are kept, a second run runs only the second.
sed -i 's/^tracks = .*/tracks = throughput/; s/^references = .*/references = none/' "$tmp/suite.ini"
timeout 120 "$root/runsuite" --fresh "$tmp/suite.ini" >"$tmp/out3" 2>&1 &
suite=$!
for i in $(seq 300); do
    [ "$(grep -c 'client/build/runtest' "$tmp/out3")" -ge 2 ] && break
    sleep 0.1
done
sleep 1
kill -TERM $suite
wait $suite
rc=$?
sed 's/^/    | /' "$tmp/out3"
T=throughput/c-epoll-1
check "SIGTERM mid-run: exit 130 (exit $rc)" [ $rc = 130 ]
check "SIGTERM mid-run: variant 1 ok, 2 interrupted, 3 and 4 as before" \
    [ "$(m $T/c4-k1-s24-1 suite.status)/$(m $T/c4-k1-s4096-1 suite.status)/$(m $T/c4-k4-s24-1 complete)/$(m $T/c4-k4-s4096-1 complete)" = ok/interrupted/1/1 ]
check "SIGTERM mid-run: the server stopped" \
    sh -c "timeout 5 supervisorctl -c '$conf' status c-epoll-1 | grep -q STOPPED"
timeout 60 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out4" 2>&1
rc=$?
sed 's/^/    | /' "$tmp/out4"
check "resume: exit 0 (exit $rc)" [ $rc = 0 ]
check "resume: three complete variants skipped, one run" \
    [ "$(grep -c 'is complete, skipped' "$tmp/out4")/$(grep -c 'client/build/runtest' "$tmp/out4")" = 3/1 ]
check "resume: variant 2 now ok" ran $T/c4-k1-s4096-1 throughput

echo "$0: $fails failure(s)"
[ $fails = 0 ]
