#!/bin/sh
# procstat: the memory and CPU of a whole process group, checked against
# the same /proc files summed by hand; and its errors.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo "test_procstat"

# A group of three processes that hold still: a shell and two sleeps.
setsid sh -c 'sleep 60 & sleep 60 & wait' &
LEADER=$!
PIDS="$PIDS $LEADER"
for _ in $(seq 50); do
    [ "$(pgrep -g "$LEADER" | wc -l)" -eq 3 ] && break
    sleep 0.1
done

# group_kb FIELD: FIELD of smaps_rollup summed over the group, in kB.
group_kb() {
    for p in $(pgrep -g "$LEADER"); do
        awk -v f="$1:" '$1 == f {print $2}' "/proc/$p/smaps_rollup"
    done | awk '{s += $1} END {print s}'
}

echo "  three processes: one line per reading, Rss and Pss as /proc sums them"
"$BUILD/procstat" --count 2 --interval-ms 100 --processes "$LEADER" >"$T/out"
check "exit status" eq "$?" 0
check "two readings" eq "$(wc -l <"$T/out")" 2
check "four fields" eq "$(awk '{print NF}' "$T/out" | sort -u)" 4
check "three processes" eq "$(awk 'NR == 1 {print $4}' "$T/out")" 3
RSS_WANT=$(($(group_kb Rss) * 1024))
check "rss = sum of the group's Rss" eq "$(awk 'NR == 2 {print $2}' "$T/out")" "$RSS_WANT"
# Pss moves when other processes map or drop the same pages: within 25%.
check "pss = sum of the group's Pss (within 25%)" test "$(awk -v want="$(($(group_kb Pss) * 1024))" \
    'NR == 2 {d = $1 - want; if (d < 0) d = -d; print (d * 4 <= want)}' "$T/out")" = 1
check "pss <= rss" test "$(awk 'NR == 2 {print ($1 <= $2)}' "$T/out")" = 1
check "cpu seconds a number" eq "$(awk 'NR == 2 {print ($3 ~ /^[0-9]+\.[0-9][0-9][0-9]$/)}' "$T/out")" 1
check "any member names the group" eq "$("$BUILD/procstat" --count 1 "$(pgrep -g "$LEADER" | tail -1)" | cut -d' ' -f2)" \
    "$(awk 'NR == 2 {print $2}' "$T/out")"
"$BUILD/procstat" --count 1 --processes --anonymous "$LEADER" >"$T/anon.out"
check "--processes --anonymous: five fields" eq "$(awk '{print NF}' "$T/anon.out")" 5
check "anonymous = sum of the group's Anonymous" eq "$(awk '{print $5}' "$T/anon.out")" \
    "$(($(group_kb Anonymous) * 1024))"
check "--anonymous alone: the fourth field" eq "$("$BUILD/procstat" --count 1 --anonymous "$LEADER" | cut -d' ' -f4)" \
    "$(awk '{print $5}' "$T/anon.out")"
check "three fields without --processes" eq "$("$BUILD/procstat" --count 1 "$LEADER" | awk '{print NF}')" 3

echo "  --kernel: a header, then one CSV row a reading, as /proc says"
"$BUILD/procstat" --kernel --count 2 --interval-ms 100 >"$T/kernel.out"
check "kernel: exit status" eq "$?" 0
check "kernel: header and two rows" eq "$(wc -l <"$T/kernel.out")" 3
check "kernel: header names the columns" eq "$(head -1 "$T/kernel.out" | cut -d, -f1,2,5,9)" "unix_ms,mem_total_kb,slab_kb,tcp_inuse"
check "kernel: every row as wide as the header" eq "$(awk -F, '{print NF}' "$T/kernel.out" | sort -u)" 16
check "kernel: MemTotal as /proc/meminfo" eq "$(awk -F, 'NR == 2 {print $2}' "$T/kernel.out")" \
    "$(awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
check "kernel: no field unknown" eq "$(awk -F, 'NR > 1 {for (i = 1; i <= NF; i++) if ($i < 0) n++} END {print n + 0}' "$T/kernel.out")" 0
check "kernel: slab = SReclaimable + SUnreclaim" eq "$(awk -F, 'NR == 2 {print ($5 == $6 + $7)}' "$T/kernel.out")" 1

echo "  the group ends: exit 1 with the reason"
kill -TERM -"$LEADER" 2>/dev/null
wait "$LEADER" 2>/dev/null
sleep 0.2
"$BUILD/procstat" --count 1 "$LEADER" >"$T/gone.out" 2>"$T/gone.err"
check "gone: exit 1" eq "$?" 1
check "gone: says so" grep -q "procstat: process $LEADER" "$T/gone.err"

echo "  bad arguments: exit 2 and a message"
expect_usage() {
    "$BUILD/procstat" "$@" >/dev/null 2>"$T/usage.err"
    [ $? -eq 2 ] && [ -s "$T/usage.err" ]
}
check "no pid" expect_usage
check "not a number" expect_usage abc
check "bad interval" expect_usage --interval-ms 0 1
check "bad count" expect_usage --count x 1
check "unknown option" expect_usage --nope 1
check "--kernel with a pid" expect_usage --kernel 1
done_tests test_procstat
