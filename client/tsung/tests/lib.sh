# Shared by the shell tests: paths, a failure counter, the server, and the
# database checks. Source it from tests/test_*.sh.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
TSUNG_DIR=$ROOT/client/tsung
SERVER_BIN=$ROOT/competition/c-epoll-1/build/c-epoll-1
failures=0

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; failures=$((failures + 1)); }
# expect NAME GOT WANT
expect() { if [ "$2" = "$3" ]; then ok "$1 ($2)"; else bad "$1: got '$2', want '$3'"; fi; }

need() {
    local t
    for t in "$@"; do
        [ -x "$t" ] || command -v "$t" >/dev/null || { echo "missing $t (make; ./install)" >&2; exit 1; }
    done
}

SERVER_PID=
# start_server [PREFIX...]: c-epoll-1 on 127.0.0.1 and a free port ($PORT).
start_server() {
    PORT=$("$ROOT/tests/lib/free_port") || exit 1
    setsid "$@" "$SERVER_BIN" --host 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0; sleep 0.1; done
    echo "c-epoll-1 did not start: $(tail -n 1 "$WORK/server.log")" >&2
    exit 1
}
stop_server() {
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}

q() { sqlite3 "$1" "$2"; }
meta() { q "$1" "SELECT value FROM meta WHERE key = '$2'"; }
count() { q "$1" "SELECT count(*) FROM events WHERE type = '$2'"; }
# Messages due by the schedule from each connection's own open:
# open + k * INTERVAL_MS while before SECONDS.
due() {
    q "$1" "SELECT coalesce(sum(($2 * 1000000 - timestamp + $3 * 1000 - 1) / ($3 * 1000)), 0)
            FROM events WHERE type = 'ws_onopen' AND timestamp < $2 * 1000000"
}

# check_complete NAME DB CLIENTS SECONDS INTERVAL_MS: every client opened,
# every due message sent and echoed, every exit the run's end.
check_complete() {
    local name=$1 db=$2 clients=$3 secs=$4 iv=$5 d
    expect "$name: engine" "$(meta "$db" engine)" tsung
    expect "$name: complete" "$(meta "$db" complete)" 1
    expect "$name: ws_init" "$(count "$db" ws_init)" "$clients"
    expect "$name: handshakes" "$(count "$db" ws_onopen)" "$clients"
    d=$(due "$db" "$secs" "$iv")
    [ "$d" -gt 0 ] || bad "$name: no message due"
    expect "$name: sent = due" "$(count "$db" message_send)" "$d"
    expect "$name: echoed = due" "$(count "$db" message_recv)" "$d"
    expect "$name: exits run_end" \
        "$(q "$db" "SELECT count(*) FROM events WHERE type = 'exit' AND event_data = 'run_end'")" "$clients"
    expect "$name: clients ids" \
        "$(q "$db" "SELECT count(DISTINCT client_id) || ' ' || min(client_id) || ' ' || max(client_id)
                     FROM events WHERE type = 'ws_onopen'")" "$clients 0 $((clients - 1))"
    case $(meta "$db" tsung.xml) in
    "<?xml"*"<tsung "*) ok "$name: tsung.xml stored" ;;
    *) bad "$name: meta tsung.xml is not the XML" ;;
    esac
}

finish() {
    if [ "$failures" -eq 0 ]; then echo "$1: all passed"; return 0; fi
    echo "$1: $failures failed (files in $WORK)"
    return 1
}
