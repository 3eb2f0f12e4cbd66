#!/bin/bash
# throughput.sh ROUNDS SECONDS CONNS[,CONNS...] NAME=COMMAND...
#
# One-in-flight echo throughput of several servers in one session,
# interleaved: every round runs each (CONNS, server) pair once, the server
# order rotated per round. Load: competition/bench's bench_load echo (one
# epoll loop, 20-byte binary messages, each echo checked); a COMMAND
# prefixed "tcp:" is a plain TCP echo and gets --raw. Each server is started
# in its own process group with --host 127.0.0.1 --port P (P from
# tests/lib/free_port). Prints per run msg/s and the server's CPU per message
# (utime+stime from /proc over the whole run, handshakes and warm-up
# included). A benchmark: run it under the kit's heavy lock, e.g.
#   flock /tmp/kit-heavy.lock competition/c-libwebsockets-1/throughput.sh 3 4 100,1000 \
#     tcp=tcp:servers/tcp-echo/build/tcp-echo epoll=competition/c-epoll-1/build/c-epoll-1 \
#     lws=competition/c-libwebsockets-1/build/c-libwebsockets-1
set -eu
kit=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 4 ] || { sed -n 2,3p "$0" >&2; exit 2; }
rounds=$1 secs=$2 conns=$3; shift 3
make -s -C "$kit/competition/bench" >/dev/null
load=$kit/competition/bench/build/bench_load
tck=$(getconf CLK_TCK)
names=() cmds=()
for a in "$@"; do names+=("${a%%=*}"); cmds+=("${a#*=}"); done
n=${#names[@]}
for r in $(seq 1 "$rounds"); do
  for c in ${conns//,/ }; do
    for k in $(seq 0 $((n - 1))); do
      i=$(( (k + r - 1) % n ))
      name=${names[$i]} cmd=${cmds[$i]} raw=
      case $cmd in tcp:*) raw=--raw; cmd=${cmd#tcp:};; esac
      port=$("$kit/tests/lib/free_port")
      setsid $cmd --host 127.0.0.1 --port "$port" >/dev/null 2>&1 &
      pid=$!
      for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
      done
      # "messages M seconds S rate R errors E total T"
      res=$("$load" echo --port "$port" --conns "$c" --seconds "$secs" \
            --warmup-ms 1000 $raw 2>&1 | tail -1) || true
      ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      kill -TERM -- "-$pid"; wait "$pid" 2>/dev/null || true
      echo "$res" | awk -v name="$name" -v c="$c" -v r="$r" -v t="$ticks" -v hz="$tck" '
        $1 == "messages" { printf "%-12s conns=%-5s round=%s %8.0f msg/s  server %.2f us/msg  errors %s\n",
                           name, c, r, $6, t / hz * 1e6 / $10, $8; next }
        { printf "%-12s conns=%-5s round=%s FAILED: %s\n", name, c, r, $0 }'
    done
  done
done
