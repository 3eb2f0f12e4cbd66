#!/bin/sh
# The client's own cost, measured against c-epoll-1 on this machine:
#  1. N connections (default 10000) at 1 message/s for SECONDS (default 40):
#     client CPU share, memory per connection, scheduling lag, from the
#     run's samples over the seconds when all N were connected;
#  2. saturation: 100 connections x 8 in flight, 33-byte messages, 10 s,
#     runtest --saturate beside the npm `ws` client, in the same run.
# usage: client/bench/run.sh [N] [SECONDS]      (ports 8520-8521)
# Not a test: the figures depend on the machine and its load.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-10000}
SECONDS_RUN=${2:-40}
PORT=8520
T=$(mktemp -d /tmp/client-bench.XXXXXX)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

make -s -C client
make -s -C competition/c-epoll-1
[ -d client/bench/node_modules/ws ] || (cd client/bench && npm ci --no-audit --no-fund >/dev/null)

competition/c-epoll-1/build/c-epoll-1 --host 127.0.0.1 --port $PORT >"$T/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do ./verify 127.0.0.1 $PORT >/dev/null 2>&1 && break; sleep 0.1; done

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. holding $N connections at 1 msg/s for ${SECONDS_RUN}s"
./runtest "$T/hold.db" "$SECONDS_RUN" 127.0.0.1 $PORT "$N" --server-pid $SERVER --quiet
RAMP=$(( N / 1000 + 2 ))   # arrivals take N ms; skip them and the last second
sqlite3 -separator ' ' "$T/hold.db" "
  SELECT 'steady seconds', count(*) FROM samples WHERE second > $RAMP AND second < $SECONDS_RUN;
  SELECT 'client CPU (cores, all processes) avg', round(avg(client_cpu), 3), 'max', round(max(client_cpu), 3)
    FROM samples WHERE second > $RAMP AND second < $SECONDS_RUN;
  SELECT 'busiest worker CPU avg', round(avg(client_worker_cpu_max), 3) FROM samples WHERE second > $RAMP AND second < $SECONDS_RUN;
  SELECT 'server CPU (cores)', round((max(server_cpu_seconds) - min(server_cpu_seconds)) / (count(*) - 1), 3)
    FROM samples WHERE second > $RAMP AND second < $SECONDS_RUN;
  SELECT 'client PSS, all processes, bytes per connection (total / N)', max(client_pss_bytes) / $N
    FROM samples WHERE second > $RAMP AND second < $SECONDS_RUN;
  SELECT 'worker PSS bytes per connection (total / N)', max(client_workers_pss_bytes) / $N
    FROM samples WHERE second > $RAMP AND second < $SECONDS_RUN;
  SELECT 'scheduling lag p99 us: median of seconds', (SELECT lag_p99_us FROM samples WHERE second > $RAMP AND second < $SECONDS_RUN
    ORDER BY lag_p99_us LIMIT 1 OFFSET (SELECT count(*) / 2 FROM samples WHERE second > $RAMP AND second < $SECONDS_RUN)),
    'worst second', max(lag_p99_us) FROM samples WHERE second > $RAMP AND second < $SECONDS_RUN;"
./compile_stats --json "$T/hold.db" | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
print("handshakes", j["handshakes"], "sent", j["messages_sent"], "recv", j["messages_recv"],
      "lost", j["messages_lost"], "client_bound", j["client_bound"],
      "latency p50/p99 us", j["message_latency_us"]["p50"], j["message_latency_us"]["p99"])'

echo "== 2. saturation: 100 connections x 8 in flight, 33 B, 10 s"
./runtest "$T/sat.db" 12 127.0.0.1 $PORT 100 --arrival-us 0 --saturate 8 --quiet
sqlite3 -separator ' ' "$T/sat.db" "
  SELECT 'runtest --saturate messages/s', sum(recv) / count(*), 'client CPU (cores)', round(avg(client_cpu), 3),
    'writer: events stored/s', 2 * sum(recv) / count(*)
    FROM samples WHERE second BETWEEN 2 AND 11;
  SELECT 'recorder stalls (worker waited on the writer)', value FROM meta WHERE key = 'recorder_stalls';"
node client/bench/ws_saturate.js 127.0.0.1 $PORT 100 8 10 33
