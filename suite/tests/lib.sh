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
