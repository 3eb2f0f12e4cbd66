#!/bin/bash
# tests/references-supervisord.sh NAME...: each reference as the suite runs
# it, through a real supervisord with competition/supervisord.conf.
#
# The conf and each servers/NAME/NAME.ini are copied into a temporary tree
# laid out like the kit (competition/supervisord.conf beside servers/), so
# the conf's own include glob (../servers/*/*.ini) finds them; only the
# fixed ports are substituted: the XML-RPC port (127.0.0.1:9001) and each
# program's --port 8000 get free ports (tests/lib/free_port), %(here)s
# becomes the real servers/NAME and the program logs go to the temporary
# tree. Then, per reference, `supervisorctl start NAME` must succeed and
# the server echo on its port: ./verify for a WebSocket reference, its
# plain-TCP echo check for tcp-echo (reference.conf's protocol), and
# `supervisorctl stop NAME` must leave it STOPPED.
#
# Prints `ok NAME: ...` or `FAIL NAME: ...` per step; exit status 1 if any
# step failed. A reference whose `requires` is missing fails with its
# install command. Needs the references built (make) and ./install's
# wsstats (the conf loads it).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
[ $# -gt 0 ] || { echo "usage: tests/references-supervisord.sh NAME..." >&2; exit 2; }
command -v supervisord >/dev/null || { echo "FAIL supervisord not on PATH (run ./install)"; exit 1; }

fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

# ref_conf and ref_missing: the same reading of reference.conf as tests/run's.
B=tests/build
. tests/references.sh

tmp=$(mktemp -d /tmp/kit-refs-sup.XXXXXX) || exit 2
conf=$tmp/competition/supervisord.conf
cleanup() {
    [ -f "$tmp/competition/logs/supervisord.pid" ] &&
        timeout 20 supervisorctl -c "$conf" shutdown >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/competition/logs" "$tmp/logs"

read -r -a ports <<<"$(tests/lib/free_port $(($# + 1)) | tr '\n' ' ')"
[ ${#ports[@]} -eq $(($# + 1)) ] || { echo "FAIL no free ports (tests/lib/free_port)"; exit 1; }
rpc=${ports[0]}
grep -q "127.0.0.1:9001" competition/supervisord.conf ||
    { echo "FAIL competition/supervisord.conf no longer listens on 127.0.0.1:9001: update this test"; exit 1; }
sed "s/127\.0\.0\.1:9001/127.0.0.1:$rpc/g" competition/supervisord.conf >"$conf"

declare -A PORT_OF
i=1
for name in "$@"; do
    ini=servers/$name/$name.ini
    if [ ! -f "$ini" ]; then
        bad "$name: no $ini"
    elif ! grep -q -- "--port 8000" "$ini"; then
        bad "$name: $ini has no --port 8000 to substitute"
    else
        PORT_OF[$name]=${ports[$i]}
        mkdir -p "$tmp/servers/$name"
        sed -e "s|%(here)s/\.\./\.\./competition/logs/|$tmp/logs/|g" \
            -e "s|%(here)s|$ROOT/servers/$name|g" \
            -e "s/--port 8000/--port ${ports[$i]}/" "$ini" >"$tmp/servers/$name/$name.ini"
    fi
    i=$((i + 1))
done

# 9>&-: tests/run's lock stays with tests/run, not with a daemon.
if ! timeout 20 env -u PYTHONPATH supervisord -c "$conf" 9>&-; then
    echo "FAIL supervisord -c (copy of) competition/supervisord.conf did not start: see $tmp/competition/logs/supervisord.log"
    sed 's/^/    | /' "$tmp/competition/logs/supervisord.log" 2>/dev/null | tail -5
    exit 1
fi
ctl() { timeout 30 supervisorctl -c "$conf" "$@"; }
for i in $(seq 50); do ctl pid >/dev/null 2>&1 && break; sleep 0.2; done

# accepting PORT: true once something accepts on 127.0.0.1:PORT (up to 10 s).
accepting() {
    local i
    for i in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

for name in "$@"; do
    port=${PORT_OF[$name]:-}
    [ -n "$port" ] || continue
    missing=$(ref_missing "$name")
    fails_before=$fails
    if [ -n "$missing" ]; then
        bad "$name: not available: no $missing (run $(ref_conf "$name" install))"
        continue
    fi
    if ! out=$(ctl start "$name" 2>&1); then
        bad "$name: supervisorctl start: $out"
        sed 's/^/    | /' "$tmp/logs/$name.log" 2>/dev/null | tail -5
        continue
    fi
    ok "$name: supervisorctl start ($out)"
    if ! accepting "$port"; then
        bad "$name: not accepting on 127.0.0.1:$port 10 s after start"
    elif [ "$(ref_conf "$name" protocol)" = tcp ]; then
        if out=$(timeout 90 /usr/bin/python3 "servers/$name/tests/echo_check.py" \
                --host 127.0.0.1 --port "$port" 2>&1); then
            ok "$name: echoes plain TCP on its port $port"
        else
            bad "$name: echo_check.py on port $port: $(echo "$out" | tail -n 1)"
            echo "$out" | sed 's/^/    | /' | tail -n 5
        fi
    else
        # Workers of a -N server bind one by one: give the rest a moment.
        sleep 0.3
        if out=$(timeout 60 ./verify 127.0.0.1 "$port" 2>&1); then
            ok "$name: ./verify 127.0.0.1 $port passes"
        else
            bad "$name: ./verify 127.0.0.1 $port: $(echo "$out" | tail -n 1)"
            echo "$out" | sed 's/^/    | /' | tail -n 5
        fi
    fi
    ctl stop "$name" >/dev/null 2>&1
    state=$(ctl status "$name" 2>&1 | awk '{print $2}')
    if [ "$state" = STOPPED ]; then
        ok "$name: supervisorctl stop: STOPPED"
    else
        bad "$name: after supervisorctl stop: $state"
    fi
    [ $fails -eq "$fails_before" ] || sed 's/^/    | /' "$tmp/logs/$name.log" 2>/dev/null | tail -5
done

[ $fails -eq 0 ]
