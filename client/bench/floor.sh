#!/bin/sh
# The instrument's floor: the kit's client (client/build/runtest) and a
# minimal independent one (client/bench/floor_client.c, no code shared)
# measure the same server, same workload (c10k: one message per connection
# per second, connections 1 ms apart), in the same session, interleaved
# (the order alternates every round), and print both tails side by side
# with the ratio kit / minimal. Servers: c-epoll-1 (WebSocket) and the raw
# TCP echo reference servers/tcp-echo (runtest --tcp, floor_client --tcp).
#
# usage: client/bench/floor.sh [--clients N] [--seconds S] [--rounds R]
#                              [--servers c-epoll-1,tcp-echo] [--out DIR]
#                              [--variant NAME=RUNTEST]... [-- RUNTEST_OPTION...]
# Options after -- go to runtest only. --variant adds another runtest
# binary (a change of the kit's client, measured before/after in the same
# session): each round then runs kit, every variant and floor, the order
# rotating by one each round.
# A benchmark, not a test: run it alone, under the kit's heavy lock:
#   flock /tmp/kit-heavy.lock client/bench/floor.sh --clients 10000 --seconds 30
# Each run's output stays in DIR (default a new /tmp/floor.XXXXXX): kit-*.db
# and kit-*.json (compile_stats --json), floor-*.json, table.txt.
set -eu
cd "$(dirname "$0")/../.."
CLIENTS=10000 SECONDS_RUN=30 ROUNDS=2 SERVERS=c-epoll-1,tcp-echo OUT=
WHO="kit floor" RUNTEST_kit=client/build/runtest
while [ $# -gt 0 ]; do
    case $1 in
        --clients) CLIENTS=$2; shift 2 ;;
        --seconds) SECONDS_RUN=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --servers) SERVERS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --variant)
            case $2 in
                [a-z]*=*) v=${2%%=*}
                    case $v in *[!a-z0-9_]*|floor|kit) echo "floor.sh: --variant NAME: a-z, 0-9, _, not kit or floor" >&2; exit 2 ;; esac; eval "RUNTEST_$v=\${2#*=}"; WHO="$WHO $v"; shift 2 ;;
                *) echo "floor.sh: --variant wants NAME=RUNTEST (NAME in a-z), not '$2'" >&2; exit 2 ;;
            esac ;;
        --) shift; break ;;
        *) echo "floor.sh: unknown option '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
    esac
done
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/floor.XXXXXX)
mkdir -p "$OUT"

make -s -C client
make -s -C client/bench
make -s -C competition/c-epoll-1
make -s -C servers/tcp-echo

PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || :; done; wait 2>/dev/null || :; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME: the server on a free port, in its own process group (so
# runtest's --server-pid samples all of it). Sets PORT_<name> and PID_<name>.
start() {
    local name=$1 port pid bin
    port=$(tests/lib/free_port)
    case $name in
        c-epoll-1) bin=competition/c-epoll-1/build/c-epoll-1 ;;
        tcp-echo) bin=servers/tcp-echo/build/tcp-echo ;;
        *) echo "floor.sh: no server '$name' (c-epoll-1 or tcp-echo)" >&2; exit 2 ;;
    esac
    setsid "$bin" --host 127.0.0.1 --port "$port" >"$OUT/$name.log" 2>&1 &
    pid=$!
    PIDS="$PIDS $pid"
    for _ in $(seq 50); do
        /usr/bin/python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
        sleep 0.1
    done
    eval "PORT_$(echo "$name" | tr - _)=$port PID_$(echo "$name" | tr - _)=$pid"
}

# rotate K WORD...: the words rotated left by K.
rotate() {
    local k=$1 i=0 head= tail=
    shift
    k=$((k % $#))
    for w in "$@"; do
        if [ $i -lt $k ]; then tail="$tail $w"; else head="$head $w"; fi
        i=$((i + 1))
    done
    echo $head $tail
}

proto_of() { [ "$1" = tcp-echo ] && echo --tcp || :; }

run_kit() {   # run_kit NAME SERVER ROUND [RUNTEST_OPTION...]: NAME's runtest
    local who=$1 srv=$2 rnd=$3 v port pid bin
    shift 3
    v=$(echo "$srv" | tr - _)
    eval "port=\$PORT_$v pid=\$PID_$v bin=\$RUNTEST_$who"
    $bin "$OUT/$who-$srv-$rnd.db" "$SECONDS_RUN" 127.0.0.1 "$port" "$CLIENTS" \
        --quiet --label "$srv" --server-pid "$pid" $(proto_of "$srv") "$@" \
        >"$OUT/$who-$srv-$rnd.log" 2>&1 || :
    client/build/compile_stats --json "$OUT/$who-$srv-$rnd.db" >"$OUT/$who-$srv-$rnd.json" || :
}

run_floor() {   # run_floor SERVER ROUND
    local v port
    v=$(echo "$1" | tr - _)
    eval "port=\$PORT_$v"
    client/bench/build/floor_client 127.0.0.1 "$port" "$CLIENTS" "$SECONDS_RUN" \
        $(proto_of "$1") >"$OUT/floor-$1-$2.json" 2>"$OUT/floor-$1-$2.log" || :
}

SERVER_LIST=$(echo "$SERVERS" | tr , ' ')
for s in $SERVER_LIST; do start "$s"; done
{
    echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== $CLIENTS clients, ${SECONDS_RUN} s, $ROUNDS rounds, servers $SERVERS, clients $WHO${*:+, runtest $*}"
} | tee "$OUT/table.txt"
ORDER=""
r=1
while [ "$r" -le "$ROUNDS" ]; do
    for s in $SERVER_LIST; do
        # Rotate who goes first, so none always runs on a warmer machine.
        for who in $(rotate $((r - 1)) $WHO); do
            sleep 2   # the last run's sockets close; TIME_WAIT is reused on loopback
            if [ "$who" = floor ]; then run_floor "$s" "$r"; else run_kit "$who" "$s" "$r" "$@"; fi
            ORDER="$ORDER $who-$s-$r"
        done
    done
    r=$((r + 1))
done

/usr/bin/python3 - "$OUT" $ORDER <<'EOF' | tee -a "$OUT/table.txt"
import json, os, statistics, sys
out, order = sys.argv[1], sys.argv[2:]
runs = {}
fmt = "{:<10} {:>5} {:<6} {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7} {:>9} {:>5} {:>6}"
print(fmt.format("server", "round", "client", "p50", "p99", "p99.9",
                 "act p50", "act p99", "a p99.9", "echoes", "lost", "idle"))
for name in order:
    who, rest = name.split("-", 1)
    server, rnd = rest.rsplit("-", 1)
    path = os.path.join(out, f"{who}-{server}-{rnd}.json")
    try:
        j = json.load(open(path))
    except (OSError, ValueError) as e:
        print(f"{server:<10} {rnd:>5} {who:<6} no result ({e}): see {path[:-5]}.log")
        continue
    s, a = j["message_latency_us"], j["message_latency_actual_us"]
    idle = j.get("meta", {}).get("machine_idle_share", "")
    runs.setdefault((server, who), []).append((s, a))
    print(fmt.format(server, rnd, who, s["p50"], s["p99"], s["p999"], a["p50"], a["p99"],
                     a["p999"], s["count"], j["messages_lost"], str(idle)[:6]))
print()
print("median over rounds, us (latency from the scheduled send; from the actual send after |)")
fmt2 = "{:<10} {:<12} {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7}"
print(fmt2.format("server", "", "p50", "p99", "p99.9", "p50", "p99", "p99.9"))
keys = ("p50", "p99", "p999")
for server in dict.fromkeys(k[0] for k in runs):
    med = {}
    for who in dict.fromkeys(k[1] for k in runs if k[0] == server):
        rs = runs[(server, who)]
        med[who] = [statistics.median(r[i][k] for r in rs) for i in (0, 1) for k in keys]
        print(fmt2.format(server, who, *[f"{v:g}" for v in med[who]]))
    for who in med:
        if who != "floor" and "floor" in med:
            ratio = [f"{k / f:.2f}" if f else "-" for k, f in zip(med[who], med["floor"])]
            print(fmt2.format(server, f"{who}/floor", *ratio))
EOF
echo "== outputs in $OUT"
