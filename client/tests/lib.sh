# Shared by the shell tests: a scratch directory, free ports (the kit's
# tests/lib/free_port), the reference echo servers, and checks that say what
# failed. Everything started here is stopped by PID on exit.
set -u
BUILD=${BUILD:-build}
T=$(mktemp -d /tmp/client-test.XXXXXX)
PIDS=""
FAILS=0
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

# free_port [COUNT]: free, claimed ports on 127.0.0.1, one per line.
free_port() { ../tests/lib/free_port "$@" || { echo "free_port failed" >&2; exit 1; }; }

fail() { echo "    FAILED: $*" >&2; FAILS=$((FAILS + 1)); }
check() { desc=$1; shift; if "$@"; then :; else fail "$desc"; fi; }
eq() { [ "$1" = "$2" ] || { echo "    got '$1', expected '$2'" >&2; return 1; }; }

# start_server PORT: the websockets reference server, ready when verify passes.
start_server() {
    timeout 300 /usr/bin/python3 tests/echo_server.py "$1" >"$T/server-$1.log" 2>&1 &
    SERVER_PID=$!
    PIDS="$PIDS $SERVER_PID"
    for _ in $(seq 50); do
        if "$BUILD/verify" --timeout-ms 2000 127.0.0.1 "$1" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "echo server on port $1 did not come up" >&2
    cat "$T/server-$1.log" >&2
    exit 1
}

# start_tcp_echo PORT: the kit's plain-TCP reference, servers/tcp-echo (run,
# never linked: the client stays apart from competition/), built if need be.
TCP_ECHO=../servers/tcp-echo/build/tcp-echo
start_tcp_echo() {
    [ -x "$TCP_ECHO" ] || make -s -C ../servers/tcp-echo >"$T/tcp-echo-build.log" 2>&1 || {
        echo "cannot build $TCP_ECHO (make -C servers/tcp-echo):" >&2
        tail -n 5 "$T/tcp-echo-build.log" >&2
        exit 1
    }
    timeout 300 "$TCP_ECHO" --host 127.0.0.1 --port "$1" >"$T/tcp-echo-$1.log" 2>&1 &
    PIDS="$PIDS $!"
    for _ in $(seq 50); do
        /usr/bin/python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" \
            "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "tcp-echo on port $1 did not come up" >&2
    cat "$T/tcp-echo-$1.log" >&2
    exit 1
}

# json FILE EXPR: a value from a JSON file, by a Python expression on j.
json() { /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

done_tests() {
    if [ "$FAILS" -ne 0 ]; then echo "$1: $FAILS check(s) failed" >&2; exit 1; fi
    echo "$1: all checks passed"
}
