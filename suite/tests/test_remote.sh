#!/bin/sh
# ./runsuite against a server on "another machine": a network namespace
# (its own addresses) with a PID namespace (its own pids and /proc), where a
# supervisord with a password runs c-epoll-1. runsuite must notice that the
# supervisord is not on this machine and sample the server through wsstats,
# never through a pid of ours. Its ports (9605, 8605) are on the
# namespace's own address in its own network stack: no other test can hold
# them, so they need no tests/lib/free_port.
. "$(dirname "$0")/lib.sh"
require_built

ns=wskit-remote-$$
veth=wsk$$
subnet=10.213.118
near=$subnet.1
far=$subnet.2
url=http://$far:9605/RPC2
tmp=$(mktemp -d /tmp/suite-test-remote-XXXXXX)
# Ends whatever runs in namespace $1 and removes it with its veth pair
# (unshare --fork passes no SIGTERM on, so the processes are killed here).
remove_ns() {
    ip netns pids "$1" 2>/dev/null | xargs -r kill -9
    ip netns del "$1" 2>/dev/null
    ip link del "wsk${1#wskit-remote-}-a" 2>/dev/null
}
cleanup() {
    remove_ns "$ns"
    [ -n "${sup:-}" ] && wait "$sup" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# Left by a run that was killed (its shell is gone): they would hold the subnet.
for old in $(ip netns list 2>/dev/null | sed -n 's/^\(wskit-remote-[0-9]*\).*/\1/p'); do
    kill -0 "${old#wskit-remote-}" 2>/dev/null || remove_ns "$old"
done

if ! ip netns add "$ns" 2>"$tmp/err"; then
    echo "FAIL cannot create a network namespace (root and iproute2 needed): $(cat "$tmp/err")"
    exit 1
fi
ip link add "$veth-a" type veth peer name "$veth-b" &&
    ip link set "$veth-b" netns "$ns" &&
    ip addr add "$near/30" dev "$veth-a" && ip link set "$veth-a" up &&
    ip netns exec "$ns" ip addr add "$far/30" dev "$veth-b" &&
    ip netns exec "$ns" ip link set "$veth-b" up &&
    ip netns exec "$ns" ip link set lo up || { echo "FAIL setting up $ns"; exit 1; }

cat >"$tmp/supervisord.conf" <<CONF
[supervisord]
logfile = %(here)s/supervisord.log
pidfile = %(here)s/supervisord.pid
childlogdir = %(here)s
nodaemon = true
[inet_http_server]
port = $far:9605
username = kit
password = s3cret
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[rpcinterface:wsstats]
supervisor.rpcinterface_factory = wsstats:make_wsstats_rpcinterface
CONF
program c-epoll-1 "$echo_bin --host $far --port 8605" >>"$tmp/supervisord.conf"
PYTHONPATH=$root/competition/wsstats ip netns exec "$ns" \
    unshare --pid --fork --mount-proc supervisord -c "$tmp/supervisord.conf" \
    >"$tmp/supervisord.out" 2>&1 &
sup=$!
export SUPERVISOR_USERNAME=kit SUPERVISOR_PASSWORD=s3cret
up=0
for i in $(seq 50); do
    timeout 5 supervisorctl -s "http://$far:9605" -u kit -p s3cret pid >/dev/null 2>&1 && { up=1; break; }
    sleep 0.2
done
check "supervisord answers at $far:9605 from the namespace" [ $up = 1 ]

cat >"$tmp/suite.ini" <<INI
host = $far
port = 8605
supervisord = $url
db_root = $tmp/db
results = $tmp/report
clients = 20
seconds = 4
servers = c-epoll-1
references = none
INI
timeout 90 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out" 2>&1
rc=$?
sed 's/^/    | /' "$tmp/out"
meta() { sqlite3 "$tmp/db/c10k/c-epoll-1/default-1.db" "SELECT value FROM meta WHERE key = '$1'"; }
check "runsuite exits 0 (exit $rc)" [ $rc = 0 ]
check "auto: the server is elsewhere, sampled through wsstats" \
    grep -q "memory and CPU come from its supervisord's wsstats extension" "$tmp/out"
check "status ok, server_stats = supervisord" \
    [ "$(meta suite.status)/$(meta suite.server_stats)" = ok/supervisord ]
check "all 20 handshakes" [ "$(sqlite3 "$tmp/db/c10k/c-epoll-1/default-1.db" \
    "SELECT count(*) FROM events WHERE type = 'ws_onopen'")" = 20 ]
check "every second has the server's PSS, RSS and CPU" [ "$(sqlite3 "$tmp/db/c10k/c-epoll-1/default-1.db" \
    "SELECT count(*) = sum(server_pss_bytes > 0 AND server_rss_bytes > 0 AND
     server_cpu_seconds >= 0) FROM samples")" = 1 ]
check "idle PSS and the server's open-file limit came from there" \
    [ "$(meta suite.server_idle_pss_bytes)" -gt 0 -a "$(meta env.server_nofile_soft)" = "$(ulimit -n)" ]
# supervisord is pid 1 of its namespace: the pid it reports is not ours.
check "the pid recorded is the namespace's ($(meta suite.server_pid)), no --server-pid given" \
    sh -c "[ $(meta suite.server_pid) -lt 100 ] && ! sqlite3 '$tmp/db/c10k/c-epoll-1/default-1.db' \
        \"SELECT value FROM meta WHERE key = 'suite.runtest_command'\" | grep -q -- --server-pid"
check "the report has the server's peak memory" /usr/bin/python3 -c 'import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
sys.exit(not float(row["peak_pss_bytes"] or 0) > 0)' "$tmp/report/summary.csv"

check "the report says where the server's figures came from" \
    grep -q "^- server memory and CPU read via: supervisord$" "$tmp/report/README.md"

SUPERVISOR_PASSWORD=wrong timeout 30 "$root/runsuite" "$tmp/suite.ini" >"$tmp/out2" 2>&1
rc=$?
check "a wrong password: exit 2 (exit $rc)" [ $rc = 2 ]
check "a wrong password: says so" grep -q "401" "$tmp/out2"

echo "$0: $fails failure(s)"
[ $fails = 0 ]
