#!/bin/bash
# A short run through Tsung's controller VM against c-epoll-1: every
# handshake and every message the schedule made due is in the database,
# echoed, and ./compile_stats reads it. About 15 s.
set -u
. "$(dirname "$0")/lib.sh"
need tsung erl sqlite3 "$SERVER_BIN" "$TSUNG_DIR/runtest-tsung"
WORK=$(mktemp -d /tmp/tsung-test-local.XXXXXX) || exit 1
trap 'stop_server; [ "$failures" -eq 0 ] && rm -rf "$WORK"' EXIT

CLIENTS=40
SECS=3
IV=500
start_server
"$TSUNG_DIR/runtest-tsung" "$WORK/t.db" "$SECS" 127.0.0.1 "$PORT" "$CLIENTS" \
    --arrival-us 10000 --interval-ms "$IV" --size 64 --label local --quiet >"$WORK/run.log" 2>&1
expect "runtest-tsung exit status" "$?" 0
stop_server
check_complete local "$WORK/t.db" "$CLIENTS" "$SECS" "$IV"
expect "label" "$(meta "$WORK/t.db" label)" local
expect "size" "$(meta "$WORK/t.db" size)" 64
# start lags are measured (not NULL) and the arrivals follow the schedule
expect "ws_init lags recorded" \
    "$(q "$WORK/t.db" "SELECT count(*) FROM events WHERE type = 'ws_init' AND event_data IS NOT NULL")" "$CLIENTS"
if "$ROOT/compile_stats" "$WORK/t.db" >"$WORK/stats.txt" 2>&1 &&
    grep -q "^handshakes *$CLIENTS$" "$WORK/stats.txt"; then
    ok "compile_stats reads it"
else
    bad "compile_stats: $(tail -n 3 "$WORK/stats.txt")"
fi
finish test_local
