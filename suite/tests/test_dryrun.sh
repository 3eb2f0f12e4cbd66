#!/bin/sh
# ./runsuite --dry-run: the exact command of every run of every track, in
# the order the suite runs them, from a config alone: no supervisord, no
# server, nothing written. Checks each track's options (the client's
# contract, client/README.md), references (--tcp, their tracks, one not
# available), the database layout, and the interleaved, seeded order.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d /tmp/suite-test-dryrun-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
set -- $(free_ports 1)
nothing=$1

fake_reference "$tmp/servers" tcp-ref "protocol = tcp
tracks = throughput, capacity"
fake_reference "$tmp/servers" gone-ref "requires = no-such-command-wskit
install = apt-get install no-such-package"
{
    cat <<INI
port = 8123
supervisord = http://127.0.0.1:$nothing/RPC2
results = $tmp/report
servers_root = $tmp/servers
servers = a, b
interval_ms = 500
INI
    tiny_tracks 20
} >"$tmp/suite.ini"

out=$(timeout 20 "$root/runsuite" --dry-run "$tmp/suite.ini" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    | /'
check "dry run: exit 0 with nothing answering at the supervisord URL (exit $rc)" [ $rc = 0 ]
check "dry run: nothing written" [ ! -e "$tmp/report" ]
# line SERVER TRACK VARIANT REPEAT: that run's command (after the database).
line() { printf '%s\n' "$out" | grep "^$1 $2 $3 $4 " | sed 's/^[^:]*: //'; }
db=$tmp/report/db
R="127.0.0.1 8123"
check "c10k: the top-level workload" [ "$(line a c10k default 1)" = \
    "client/build/runtest $db/c10k/a/default-1.db 3 $R 20 --interval-ms 500 --label a --server-pid PID" ]
check "throughput c4-k4-s20: --saturate 4 --size 20 --warmup-s 1" [ "$(line b throughput c4-k4-s20 1)" = \
    "client/build/runtest $db/throughput/b/c4-k4-s20-1.db 3 $R 4 --saturate 4 --size 20 --warmup-s 1 --label b --server-pid PID" ]
check "capacity: --hold, SECONDS = 1 s of arrivals + 1 s settling" [ "$(line a capacity default 1)" = \
    "client/build/runtest $db/capacity/a/default-1.db 2 $R 50 --hold --arrival-us 1000 --label a --server-pid PID" ]
check "handshakes: --storm 8, holding" [ "$(line a handshakes default 1)" = \
    "client/build/runtest $db/handshakes/a/default-1.db 2 $R 100 --storm 8 --interval-ms 3600000 --label a --server-pid PID" ]
check "slo: rate steps, SECONDS = step 1 at 2 s (after the ramp, the client's rule) + 2 steps" [ "$(line b slo default 1)" = \
    "client/build/runtest $db/slo/b/default-1.db 4 $R 20 --rate-steps 200,400 --step-s 1 --slo-p99-us 200000 --arrival-us 1000 --label b --server-pid PID" ]
check "tcp-ref: --tcp in its tracks" [ "$(line tcp-ref throughput c4-k1-s20 1)" = \
    "client/build/runtest $db/throughput/tcp-ref/c4-k1-s20-1.db 3 $R 4 --saturate 1 --size 20 --warmup-s 1 --tcp --label tcp-ref --server-pid PID" ]
check "tcp-ref: only in throughput and capacity" \
    [ "$(printf '%s\n' "$out" | grep -c '^tcp-ref ')" = 3 -a -z "$(line tcp-ref c10k default 1)" ]
check "gone-ref: not available, with the install command" \
    contains "$(line gone-ref c10k default 1)" "not available: requires no-such-command-wskit, which is missing (not on PATH); install: apt-get install no-such-package"
# The order: track by track; a track's servers together.
tracks=$(printf '%s\n' "$out" | sed -n 's/^[^ ]* \([a-z0-9]*\) .* 1 \/.*/\1/p' | uniq | tr '\n' ' ')
check "order: track by track in the config's order ($tracks)" [ "$tracks" = "c10k throughput capacity handshakes slo " ]
servers=$(printf '%s\n' "$out" | sed -n 's/^\([^ ]*\) c10k .*/\1/p' | tr '\n' ' ')
check "order, repeat 1: the config's servers, then the references ($servers)" [ "$servers" = "a b gone-ref " ]

# repeat = 3: every run three times, each repeat's servers reshuffled by
# the seed; the same seed gives the same order.
sed -i '1i repeat = 3\nseed = 11' "$tmp/suite.ini"
out=$(timeout 20 "$root/runsuite" --dry-run "$tmp/suite.ini" 2>&1)
again=$(timeout 20 "$root/runsuite" --dry-run "$tmp/suite.ini" 2>&1)
check "repeat 3: the seed printed" contains "$out" "dry run, seed 11:"
check "repeat 3: the same seed, the same plan" [ "$out" = "$again" ]
# a repeat: c10k 3 servers; throughput 2 variants x 4; capacity 4 (tcp-ref
# too); handshakes 3; slo 3: 21 runs
check "repeat 3: 63 runs" [ "$(printf '%s\n' "$out" | grep -c '\.db: ')" = 63 ]
check "repeat 3: repeat-3 databases" contains "$(line a slo default 3)" "$db/slo/a/default-3.db"
orders=$(for k in 1 2 3; do printf '%s\n' "$out" | sed -n "s/^\([^ ]*\) c10k default $k .*/\1/p" | tr '\n' ,; echo; done | sort -u | wc -l)
check "repeat 3: c10k's servers not in one order every repeat ($orders orders)" [ "$orders" -gt 1 ]
tracks=$(printf '%s\n' "$out" | sed -n 's/^[^ ]* \([a-z0-9]*\) .* 2 \/.*/\1/p' | uniq | tr '\n' ' ')
check "repeat 3: each repeat still track by track ($tracks)" [ "$tracks" = "c10k throughput capacity handshakes slo " ]

# The kit's configs: every track; `make suite` (small-scale) within its
# 15-minute budget: runtest's SECONDS of every run, plus about 1 s each for
# the drain and close and 1 s for start, verify and stop (measured here: a
# 5-s c10k run's unit took 6 s from start to the next start) must stay
# under 12 minutes, leaving 3 for ./install, make and the report.
for ini in small-scale medium-scale full-scale; do
    out=$(timeout 20 "$root/runsuite" --dry-run "$root/ini/$ini.ini" 2>&1)
    check "ini/$ini.ini: a dry run (exit $?)" [ -n "$out" ]
    tracks=$(printf '%s\n' "$out" | sed -n 's/^[^ ]* \([a-z0-9]*\) .* 1 [^ ]*: .*/\1/p' | sort -u | tr '\n' ' ')
    check "ini/$ini.ini: every track ($tracks)" [ "$tracks" = "c10k capacity handshakes slo throughput " ]
done
for ini in full-scale medium-scale; do
    check "ini/$ini.ini: repeat 3, references all" \
        sh -c "grep -q '^repeat = 3$' '$root/ini/$ini.ini' && grep -q '^references = all$' '$root/ini/$ini.ini'"
done
check "ini/small-scale.ini: references = tcp-echo" grep -q '^references = tcp-echo$' "$root/ini/small-scale.ini"
out=$(timeout 20 "$root/runsuite" --dry-run "$root/ini/small-scale.ini" 2>&1)
check "ini/small-scale.ini: tcp-echo in c10k, throughput and capacity only, over --tcp" \
    [ "$(printf '%s\n' "$out" | grep '^tcp-echo ' | grep -c -- ' --tcp ')/$(printf '%s\n' "$out" | grep '^tcp-echo ' | cut -d' ' -f2 | sort -u | tr '\n' ' ')" = "6/c10k capacity throughput " ]
runs=$(printf '%s\n' "$out" | grep -c 'client/build/runtest')
secs=$(printf '%s\n' "$out" | sed -n 's/.*: client\/build\/runtest [^ ]* \([0-9]*\) .*/\1/p' | awk '{ s += $1 + 1 } END { print s }')
check "ini/small-scale.ini: $runs runs of $secs s in all, with 1 s each for start and stop under 12 minutes" \
    [ $((secs + runs)) -lt 720 ]

echo "$0: $fails failure(s)"
[ $fails = 0 ]
