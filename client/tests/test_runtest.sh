#!/bin/sh
# End to end against the reference echo server: verify, a short run whose
# every message must come back, the readers' outputs, Ctrl-C/SIGTERM, and
# bad input of every kind giving a clear error and a non-zero status.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo "test_runtest"
PORT=$(free_port)
start_server $PORT

echo "  verify passes all 18 checks against a correct server"
"$BUILD/verify" 127.0.0.1 $PORT >"$T/verify.out"
check "verify exit status" eq "$?" 0
check "verify ok lines" eq "$(grep -c '^ok ' "$T/verify.out")" 18

echo "  3 s run, 50 clients: 150 messages sent, all echoed"
"$BUILD/runtest" "$T/run.db" 3 127.0.0.1 $PORT 50 --arrival-us 2000 --label ref \
    2>"$T/run.err"
check "runtest exit status" eq "$?" 0
check "one progress line per second (plain on a pipe), at least 2 + the final one" \
    test "$(grep -c '^\[' "$T/run.err")" -ge 3
"$BUILD/compile_stats" --json "$T/run.db" >"$T/run.json"
check "compile_stats --json status" eq "$?" 0
check "label" eq "$(json "$T/run.json" "j['label']")" ref
check "clients" eq "$(json "$T/run.json" "j['clients']")" 50
check "handshakes" eq "$(json "$T/run.json" "j['handshakes']")" 50
# Client c sends at open_c + k s for every k with open_c + k s < 3 s: 150 when
# every handshake is done within the first second, as it is on a sane machine.
EXPECTED=$(sqlite3 "$T/run.db" "select sum((3000000 - timestamp + 999999) / 1000000) from events where type='ws_onopen'")
check "messages_sent as scheduled" eq "$(json "$T/run.json" "j['messages_sent']")" "$EXPECTED"
check "2 or 3 messages per client" test "$EXPECTED" -ge 100 -a "$EXPECTED" -le 150
check "messages_recv" eq "$(json "$T/run.json" "j['messages_recv']")" "$EXPECTED"
check "messages_lost" eq "$(json "$T/run.json" "j['messages_lost']")" 0
check "exits" eq "$(json "$T/run.json" "j['exits']")" "{'run_end': 50}"
check "crashes" eq "$(json "$T/run.json" "j['crashes']")" 0
check "latency count" eq "$(json "$T/run.json" "j['message_latency_us']['count']")" "$EXPECTED"
check "latency order" eq "$(json "$T/run.json" \
    "(lambda s: s['min'] <= s['p50'] <= s['p90'] <= s['p99'] <= s['p999'] <= s['max'])(j['message_latency_us'])")" True
check "actual latency <= scheduled latency" eq "$(json "$T/run.json" \
    "j['message_latency_actual_us']['max'] <= j['message_latency_us']['max']")" True
check "meta complete" eq "$(sqlite3 "$T/run.db" "select value from meta where key='complete'")" 1
check "samples per second (a loaded machine may fold the last tick into the final one)" test "$(sqlite3 "$T/run.db" "select count(*) from samples")" -ge 3
check "samples add up to the events" eq \
    "$(sqlite3 "$T/run.db" "select sum(sent)||' '||sum(recv) from samples")" "150 150"
check "every echo pairs with its send" eq "$(sqlite3 "$T/run.db" \
    "select count(*) from events r join events s on s.client_id=r.client_id and s.event_key=r.event_key
     and s.type='message_send' where r.type='message_recv' and r.timestamp >= s.timestamp")" "$EXPECTED"
check "single-file database at the end" test ! -e "$T/run.db-wal"
check "second 0: the baseline, before the first connection" eq "$(sqlite3 "$T/run.db" \
    "select started||' '||connected||' '||sent||' '||(slab_bytes > 0)||' '||(machine_idle_share is null) from samples where second = 0")" "0 0 0 1 1"
check "every later second has slab_bytes and an idle share in [0, 1]" eq "$(sqlite3 "$T/run.db" \
    "select count(*) = sum(slab_bytes > 0) and count(machine_idle_share) >= 2
     and min(machine_idle_share) >= 0 and max(machine_idle_share) <= 1 from samples where second > 0")" 1
meta() { sqlite3 "$1" "select value from meta where key='$2'"; }
check "meta protocol, mode, storm, warmup_s" eq "$(meta "$T/run.db" protocol) $(meta "$T/run.db" mode) $(meta "$T/run.db" storm) $(meta "$T/run.db" warmup_s)" "websocket interval 0 0"
check "meta machine_idle_share in [0, 1]" eq "$(sqlite3 "$T/run.db" \
    "select value + 0 between 0 and 1 from meta where key='machine_idle_share'")" 1
check "meta machine_bound 0 or 1, with a reason when 1" eq "$(sqlite3 "$T/run.db" \
    "select (b.value = '0' and r.value = '') or (b.value = '1' and r.value like '% seconds had under 5% %')
     from meta b, meta r where b.key='machine_bound' and r.key='machine_bound_reason'")" 1

echo "  readers: cat_stats, cat_stats --csv, compile_stats text and --csv"
"$BUILD/cat_stats" --csv "$T/run.db" >"$T/events.csv"
check "csv header" eq "$(head -1 "$T/events.csv")" "timestamp,type,client_id,event_key,event_data"
check "csv rows" eq "$(($(wc -l <"$T/events.csv") - 1))" "$(sqlite3 "$T/run.db" "select count(*) from events")"
check "csv exit row" eq "$(grep -c ',exit,[0-9]*,1,run_end$' "$T/events.csv")" 50
check "cat_stats lines" eq "$("$BUILD/cat_stats" "$T/run.db" | wc -l)" "$(($(wc -l <"$T/events.csv") - 1))"
"$BUILD/compile_stats" "$T/run.db" >"$T/run.txt"
check "text output names every aggregate" eq "$(grep -cE '^(clients|handshakes|handshake_time|messages_sent|messages_recv|messages_lost|message_latency|message_latency_actual|connection_timeouts|crashes|bad_echoes|client_bound) ' "$T/run.txt")" 12
"$BUILD/compile_stats" --csv "$T/csv" "$T/run.db"
check "compile_stats --csv status" eq "$?" 0
check "counts.csv" eq "$(grep '^messages_recv,' "$T/csv/counts.csv")" "messages_recv,$EXPECTED"
check "message_latencies.csv" eq "$(wc -l <"$T/csv/message_latencies.csv")" $((EXPECTED + 1))
check "handshake_times.csv" eq "$(head -1 "$T/csv/handshake_times.csv")" "timestamp,elapsed_us"

echo "  --saturate 4: the next message goes out as each echo arrives, every echo checked"
"$BUILD/runtest" "$T/sat.db" 2 127.0.0.1 $PORT 5 --saturate 4 --quiet
check "saturate run status" eq "$?" 0
"$BUILD/compile_stats" --json "$T/sat.db" >"$T/sat.json"
check "saturate exits" eq "$(json "$T/sat.json" "j['exits']")" "{'run_end': 5}"
check "saturate: many more than one message a second per client" \
    test "$(json "$T/sat.json" "j['messages_recv']")" -ge 100
check "saturate: none lost" eq "$(json "$T/sat.json" "j['messages_lost']")" 0
check "saturate: each message scheduled when it went out" eq "$(sqlite3 "$T/sat.db" \
    "select count(*) from events where type='message_recv' and event_data != actual_us")" 0
# The parent steps aside for the workers (SCHED_IDLE), except where it
# must keep up with them (--saturate, --rate-steps).
check "parent_sched: idle in interval mode, normal with --saturate" eq \
    "$(meta "$T/run.db" parent_sched) $(meta "$T/sat.db" parent_sched)" "idle normal"

echo "  SIGTERM: stops early, exits 0, database complete and marked interrupted"
"$BUILD/runtest" "$T/term.db" 30 127.0.0.1 $PORT 20 --quiet &
RT=$!
sleep 2
kill -TERM $RT
START=$(date +%s)
wait $RT
check "exit status after SIGTERM" eq "$?" 0
check "stopped within 5 s" test $(($(date +%s) - START)) -le 5
check "interrupted" eq "$(sqlite3 "$T/term.db" "select value from meta where key='interrupted'")" 1
check "complete" eq "$(sqlite3 "$T/term.db" "select value from meta where key='complete'")" 1
check "integrity" eq "$(sqlite3 "$T/term.db" "pragma integrity_check")" ok
check "all 20 exited run_end" eq "$(sqlite3 "$T/term.db" "select count(*) from events where type='exit' and event_data='run_end'")" 20

echo "  nothing listening: exits 'refused', a valid database"
DEAD=$(free_port)     # claimed, and nothing listens on it
"$BUILD/runtest" "$T/refused.db" 1 127.0.0.1 $DEAD 3 --quiet
check "refused run status" eq "$?" 0
"$BUILD/compile_stats" --json "$T/refused.db" >"$T/refused.json"
check "refused exits" eq "$(json "$T/refused.json" "j['exits']")" "{'refused': 3}"
check "refused crashes" eq "$(json "$T/refused.json" "j['crashes']")" 3
"$BUILD/verify" 127.0.0.1 $DEAD >"$T/vr.out"
check "verify refused status" eq "$?" 1
check "verify refused reason" grep -q "^FAIL connect 127.0.0.1:$DEAD: connect: Connection refused" "$T/vr.out"

echo "  --server-stats: a command's readings become the server samples"
# Four readings a second; "CPU" counts them, so the run's CPU is the count
# since the first reading (the base), never negative.
"$BUILD/runtest" "$T/stats.db" 3 127.0.0.1 $PORT 5 --quiet --server-stats \
    'i=0; while :; do echo "$((4096 + i)) 8192 $i"; i=$((i + 1)); sleep 0.25; done'
check "runtest with --server-stats exit status" eq "$?" 0
check "the command is recorded" eq \
    "$(sqlite3 "$T/stats.db" "select value like 'i=0;%' from meta where key='server_stats'")" 1
check "every second has the command's RSS" eq "$(sqlite3 "$T/stats.db" \
    "select count(*) = sum(server_rss_bytes = 8192) from samples")" 1
check "PSS from the readings, growing" eq "$(sqlite3 "$T/stats.db" \
    "select min(server_pss_bytes) >= 4096 and max(server_pss_bytes) > min(server_pss_bytes) from samples")" 1
check "CPU counted from the first reading" eq "$(sqlite3 "$T/stats.db" \
    "select min(server_cpu_seconds) >= 0 and max(server_cpu_seconds) >= 4 from samples")" 1
check "the command is stopped with the run" test -z "$(pgrep -f 'echo "\$((4096 + i))')"
"$BUILD/runtest" "$T/stats3.db" 2 127.0.0.1 $PORT 5 --quiet --server-stats 'yes "100 200 3"'
check "a command printing without pause: the run goes on" eq "$?" 0
check "a command printing without pause: every second recorded, all sent echoed" eq \
    "$(sqlite3 "$T/stats3.db" "select count(*) >= 2 and sum(server_rss_bytes = 200) = count(*)
     and sum(sent) = sum(recv) and sum(sent) > 0 from samples")" 1
"$BUILD/runtest" "$T/stats2.db" 3 127.0.0.1 $PORT 5 --quiet \
    --server-stats 'echo 1 2 3; sleep 1.2; echo oops; sleep 60' 2>"$T/stats2.err"
check "a bad line mid-run: the run goes on" eq "$?" 0
check "a bad line mid-run: said once" eq "$(grep -c "printed 'oops'" "$T/stats2.err")" 1
check "a bad line mid-run: later samples unknown (NULL)" eq "$(sqlite3 "$T/stats2.db" \
    "select server_rss_bytes is null from samples order by second desc limit 1")" 1

echo "  bad input: clear message, non-zero status"
expect_error() {  # STATUS PATTERN command...
    st=$1 pat=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"
    r=$?
    [ "$r" = "$st" ] || { echo "    '$*' exited $r, expected $st" >&2; return 1; }
    grep -q -- "$pat" "$T/err" || { echo "    '$*' said: $(cat "$T/err")" >&2; return 1; }
}
check "size too small" expect_error 2 "--size: expected an integer 16..1048576, got '15'" "$BUILD/runtest" "$T/x.db" 1 127.0.0.1 $PORT 1 --size 15
check "unknown option" expect_error 2 "unknown or incomplete option '--nope'" "$BUILD/runtest" "$T/x.db" 1 127.0.0.1 $PORT 1 --nope
check "missing arguments" expect_error 2 "expected DB_PATH SECONDS HOST PORT CLIENTS" "$BUILD/runtest" "$T/x.db" 1
check "bad seconds" expect_error 2 "SECONDS: expected" "$BUILD/runtest" "$T/x.db" abc 127.0.0.1 $PORT 1
check "bad port" expect_error 2 "PORT: expected" "$BUILD/runtest" "$T/x.db" 1 127.0.0.1 70000 1
check "bad host" expect_error 2 "HOST 'no.such.host.invalid'" "$BUILD/runtest" "$T/x.db" 1 no.such.host.invalid $PORT 1
check "bad bind" expect_error 2 "--bind: expected" "$BUILD/runtest" "$T/x.db" 1 127.0.0.1 $PORT 1 --bind 127.0.0.9-127.0.0.2
check "too many sockets per worker" expect_error 2 "use --workers" "$BUILD/runtest" "$T/x.db" 1 127.0.0.1 $PORT 100000 --workers 2
check "stats command printing nonsense" expect_error 2 "printed 'hello', expected 'PSS_BYTES RSS_BYTES CPU_SECONDS'" "$BUILD/runtest" "$T/x.db" 1 127.0.0.1 $PORT 1 --server-stats 'echo hello'
check "stats command that fails" expect_error 2 "'exit 3' ended (exit status 3)" "$BUILD/runtest" "$T/x.db" 1 127.0.0.1 $PORT 1 --server-stats 'exit 3'
check "--server-pid with --server-stats" expect_error 2 "give one" "$BUILD/runtest" "$T/x.db" 1 127.0.0.1 $PORT 1 --server-stats 'true' --server-pid $$
check "no database written for bad arguments" test ! -e "$T/x.db"
check "existing run refused" expect_error 1 "already holds a run" "$BUILD/runtest" "$T/run.db" 1 127.0.0.1 $PORT 1
echo "not a database at all, just some text that is long enough to matter....." >"$T/text.db"
check "not a database (runtest)" expect_error 1 "file is not a database" "$BUILD/runtest" "$T/text.db" 1 127.0.0.1 $PORT 1
check "not a database (compile_stats)" expect_error 1 "text.db" "$BUILD/compile_stats" "$T/text.db"
check "missing database" expect_error 1 "no such file" "$BUILD/compile_stats" --json "$T/missing.db"
check "cat_stats usage" expect_error 2 "usage: cat_stats" "$BUILD/cat_stats"
check "compile_stats usage" expect_error 2 "usage: compile_stats" "$BUILD/compile_stats" --json
check "verify usage" expect_error 2 "usage: verify" "$BUILD/verify" 127.0.0.1
check "unwritable csv dir" expect_error 1 "compile_stats: /proc/nope" "$BUILD/compile_stats" --csv /proc/nope "$T/run.db"
done_tests test_runtest
