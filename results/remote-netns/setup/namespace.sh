#!/bin/sh
# A stand-in for a second machine, as this results folder used it: network
# namespace "wsremote" (10.213.119.2, a veth pair to 10.213.119.1 here) with
# a PID namespace of its own, running supervisord with a password, wsstats
# and every contestant's ini. Run as root from anywhere; undo with
#   ip netns pids wsremote | xargs -r kill -9; ip netns del wsremote
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=/tmp/rem
ip netns add wsremote
ip link add wsr-a type veth peer name wsr-b
ip link set wsr-b netns wsremote
ip addr add 10.213.119.1/30 dev wsr-a
ip link set wsr-a up
ip netns exec wsremote ip addr add 10.213.119.2/30 dev wsr-b
ip netns exec wsremote ip link set wsr-b up
ip netns exec wsremote ip link set lo up
mkdir -p "$work/logs"
cat >"$work/supervisord.conf" <<CONF
[supervisord]
logfile = $work/logs/supervisord.log
pidfile = $work/logs/supervisord.pid
childlogdir = $work/logs
minfds = 20000
nodaemon = true
[inet_http_server]
port = 10.213.119.2:9001
username = kit
password = s3cret
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[rpcinterface:wsstats]
supervisor.rpcinterface_factory = wsstats:make_wsstats_rpcinterface
[include]
files = $root/competition/*/*.ini
CONF
ip netns exec wsremote unshare --pid --fork --mount-proc \
    supervisord -c "$work/supervisord.conf" >"$work/logs/out" 2>&1 &
