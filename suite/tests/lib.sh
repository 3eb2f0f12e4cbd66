# Shared by the shell tests: where the kit is, and checks that print
# "ok"/"FAIL" and count the failures.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fails=0
check() {
    desc=$1
    shift
    if "$@"; then echo "ok   $desc"; else echo "FAIL $desc"; fails=$((fails + 1)); fi
}
contains() { case "$1" in *"$2"*) true ;; *) echo "     got: $1"; false ;; esac; }

# supervisord_head PORT: the sections every test supervisord starts with,
# listening on 127.0.0.1:PORT with wsstats; logs beside the config.
supervisord_head() {
    cat <<CONF
[supervisord]
logfile = %(here)s/supervisord.log
pidfile = %(here)s/supervisord.pid
childlogdir = %(here)s
[inet_http_server]
port = 127.0.0.1:$1
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[rpcinterface:wsstats]
supervisor.rpcinterface_factory = wsstats:make_wsstats_rpcinterface
[supervisorctl]
serverurl = http://127.0.0.1:$1
CONF
}

# program NAME COMMAND: a program section as the kit's inis write them:
# started only when asked, never restarted, one try, stopped with its
# process group.
program() {
    cat <<CONF
[program:$1]
command = $2
autostart = false
autorestart = false
startsecs = 1
startretries = 0
stopasgroup = true
stopwaitsecs = 5
CONF
}

# start_supervisord CONF: supervisord -c CONF with the checkout's wsstats;
# ends the test if it does not start, fails (status 1) if it does not
# answer within 10 s.
start_supervisord() {
    if ! PYTHONPATH=$root/competition/wsstats timeout 20 supervisord -c "$1"; then
        echo "FAIL supervisord -c $1 did not start"
        exit 1
    fi
    for _ in $(seq 50); do
        timeout 5 supervisorctl -c "$1" pid >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}

# stop_supervisord CONF: shuts down the supervisord started with CONF, if
# its pid file (beside CONF) says it runs.
stop_supervisord() {
    d=$(dirname "$1")
    [ -f "$d/supervisord.pid" ] || return 0
    timeout 20 supervisorctl -c "$1" shutdown >/dev/null 2>&1
    pid=$(cat "$d/supervisord.pid" 2>/dev/null)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
}

# tiny_tracks SIZES: every track at the tiny size the end-to-end tests run
# (20 clients for 3 s; SIZES: throughput's payload list), ending a config
# whose other top-level keys come before it.
tiny_tracks() {
    cat <<INI
tracks = c10k, throughput, capacity, handshakes, slo
clients = 20
seconds = 3
[throughput]
connections = 4
in_flight = 1, 4
sizes = $1
seconds = 3
warmup_s = 1
[capacity]
connections = 50
settle_s = 1
arrival_us = 1000
[handshakes]
connections = 100
in_flight = 8
seconds = 2
[slo]
connections = 20
rates = 200, 400
step_s = 1
p99_us = 200000
arrival_us = 1000
INI
}

# free_ports N: N free ports on 127.0.0.1 (the kit's one way: tests/lib/free_port).
free_ports() {
    "$root/tests/lib/free_port" "$1" | tr '\n' ' ' || { echo "FAIL no free ports" >&2; exit 1; }
}

# meta DB KEY: one meta value of a run database.
meta_of() { sqlite3 "$1" "SELECT value FROM meta WHERE key = '$2'" 2>/dev/null; }

# fake_reference ROOT NAME CONF: a reference directory as servers/ holds
# them (CONTRACTS "References"), with its reference.conf, listed by
# ROOT/references.
fake_reference() {
    mkdir -p "$1/$2"
    printf '%s\n' "$3" >"$1/$2/reference.conf"
    echo "# test stand-in" >"$1/$2/README.md"
    printf '#!/bin/sh\nfor d in "$(dirname "$0")"/*/reference.conf; do basename "$(dirname "$d")"; done\n' \
        >"$1/references"
    chmod +x "$1/references"
}

# The servers the end-to-end tests run: a real contestant and the real
# plain-TCP reference.
echo_bin=$root/competition/c-epoll-1/build/c-epoll-1
tcp_echo=$root/servers/tcp-echo/build/tcp-echo

# require_built: the tools every end-to-end test runs.
require_built() {
    for t in "$root/client/build/runtest" "$root/client/build/verify" \
             "$root/client/build/compile_stats" "$root/client/build/procstat" \
             "$echo_bin" "$tcp_echo" \
             "$root/suite/build/runsuite" "$root/suite/build/report"; do
        if [ ! -x "$t" ]; then
            echo "FAIL $t is not built: run make at the kit root first"
            exit 1
        fi
    done
}
