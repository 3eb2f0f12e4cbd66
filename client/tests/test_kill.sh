#!/bin/sh
# A run killed with SIGKILL leaves a database that opens and holds every
# event committed: each committed second's samples row is in the same
# transaction as the events counted in it, so the counts must agree.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo "test_kill"
PORT=$(free_port)
start_server $PORT

"$BUILD/runtest" "$T/kill.db" 30 127.0.0.1 $PORT 100 --quiet &
RT=$!
sleep 3.5
kill -KILL $RT
wait $RT 2>/dev/null
sleep 0.5
echo "  workers die with their parent"
check "no worker left" eq "$(pgrep -f "$T/kill.db" | wc -l)" 0
echo "  database opens and is consistent"
check "integrity" eq "$(sqlite3 "$T/kill.db" "pragma integrity_check")" ok
check "not complete" eq "$(sqlite3 "$T/kill.db" "select value from meta where key='complete'")" 0
check "at least 2 committed seconds" test "$(sqlite3 "$T/kill.db" "select count(*) from samples")" -ge 2
check "some messages recorded" test "$(sqlite3 "$T/kill.db" "select count(*) from events where type='message_recv'")" -ge 100
check "sent events = sum of samples" eq "$(sqlite3 "$T/kill.db" "select count(*) from events where type='message_send'")" \
    "$(sqlite3 "$T/kill.db" "select sum(sent) from samples")"
check "recv events = sum of samples" eq "$(sqlite3 "$T/kill.db" "select count(*) from events where type='message_recv'")" \
    "$(sqlite3 "$T/kill.db" "select sum(recv) from samples")"
check "started = ws_init events" eq "$(sqlite3 "$T/kill.db" "select count(*) from events where type='ws_init'")" \
    "$(sqlite3 "$T/kill.db" "select max(started) from samples")"
"$BUILD/compile_stats" --json "$T/kill.db" >"$T/kill.json"
check "compile_stats reads it" eq "$?" 0
check "marked incomplete" eq "$(json "$T/kill.json" "j['complete']")" False
done_tests test_kill
