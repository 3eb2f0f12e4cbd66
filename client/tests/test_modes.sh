#!/bin/sh
# The run modes end to end, each a few seconds against a reference server:
# --tcp (plain TCP, against servers/tcp-echo), --hold, --storm K,
# --rate-steps with and without --slo-p99-us, --warmup-s, and the
# combinations refused with a clear message.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo "test_modes"
set -- $(free_port 2)
PORT=$1 TCP_PORT=$2
start_server $PORT
start_tcp_echo $TCP_PORT

meta() { sqlite3 "$1" "select value from meta where key='$2'"; }
q() { sqlite3 "$1" "$2"; }

echo "  --tcp: no upgrade, raw payloads of 16 bytes, every echo checked"
"$BUILD/runtest" "$T/tcp.db" 2 127.0.0.1 $TCP_PORT 20 --tcp --size 16 --interval-ms 200 --quiet
check "tcp run status" eq "$?" 0
check "tcp meta protocol" eq "$(meta "$T/tcp.db" protocol)" tcp
check "tcp: every client open, handshake time = connect time" eq \
    "$(q "$T/tcp.db" "select count(*) from events where type='ws_onopen'")" 20
# Client c sends at open_c + k*200 ms while that is before 2 s.
EXPECTED=$(q "$T/tcp.db" "select sum((2000000 - timestamp + 199999) / 200000) from events where type='ws_onopen'")
check "tcp: all sent as scheduled" eq "$(q "$T/tcp.db" "select count(*) from events where type='message_send'")" "$EXPECTED"
check "tcp: all echoed" eq "$(q "$T/tcp.db" "select count(*) from events where type='message_recv'")" "$EXPECTED"
check "tcp: every exit run_end" eq "$(q "$T/tcp.db" "select count(*) from events where type='exit' and event_data='run_end'")" 20
"$BUILD/runtest" "$T/tcp-ws.db" 1 127.0.0.1 $PORT 2 --tcp --quiet
check "tcp against a WebSocket server: sent, never echoed (it waits for an HTTP request)" eq \
    "$(q "$T/tcp-ws.db" "select sum(sent)||' '||sum(recv) from samples")" "2 0"

echo "  --hold: message 0 at the handshake, silence, one probe at SECONDS"
"$BUILD/runtest" "$T/hold.db" 3 127.0.0.1 $PORT 20 --hold --arrival-us 10000 --quiet
check "hold run status" eq "$?" 0
check "hold meta mode" eq "$(meta "$T/hold.db" mode)" hold
check "hold: two messages per client, seq 0 and 1, all echoed" eq "$(q "$T/hold.db" \
    "select count(*)||' '||sum(event_key)||' '||(select count(*) from events where type='message_recv')
     from events where type='message_send'")" "40 20 40"
check "hold: message 0 right after the handshake" eq "$(q "$T/hold.db" \
    "select count(*) from events s join events o on o.client_id = s.client_id and o.type='ws_onopen'
     where s.type='message_send' and s.event_key = 0 and s.timestamp - o.timestamp < 100000")" 20
check "hold: the probes at SECONDS, nothing in between" eq "$(q "$T/hold.db" \
    "select count(*) from events where type='message_send' and event_key = 1 and timestamp >= 3000000")" 20
# By the events' own times: the samples count records when the parent
# (SCHED_IDLE) reads them, which on a busy machine can be after the probes.
check "hold: the held seconds send nothing" eq "$(q "$T/hold.db" \
    "select count(*) from events where type='message_send' and timestamp between 1000000 and 2999999")" 0
check "hold: every exit run_end" eq "$(q "$T/hold.db" "select count(*) from events where type='exit' and event_data='run_end'")" 20

echo "  --storm K: arrivals as fast as K in flight allow"
"$BUILD/runtest" "$T/storm.db" 2 127.0.0.1 $PORT 300 --storm 4 --interval-ms 60000 --quiet
check "storm run status" eq "$?" 0
check "storm meta mode and storm" eq "$(meta "$T/storm.db" mode) $(meta "$T/storm.db" storm)" "storm 4"
check "storm: every client connected, sent message 0 and got it back" eq "$(q "$T/storm.db" \
    "select (select count(*) from events where type='ws_onopen')||' '||
            (select count(*) from events where type='message_send')||' '||
            (select count(*) from events where type='message_recv')")" "300 300 300"
# At any time at most K connections are between ws_init and ws_onopen:
# walk the events in time order, +1 at init, -1 at open or at an exit before open.
check "storm: never more than 4 connecting at once" test "$(q "$T/storm.db" \
    "with ev(t, d) as (select timestamp, 1 from events where type='ws_init'
      union all select timestamp, -1 from events where type='ws_onopen'
      union all select timestamp, -1 from events where type='exit' and event_key = 0)
     select max(c) from (select sum(d) over (order by t, d rows unbounded preceding) c from ev)")" -le 4
check "storm: arrivals not spread by --arrival-us (300 clients would take 0.3 s)" test "$(q "$T/storm.db" \
    "select max(timestamp) from events where type='ws_init'")" -lt 1500000
"$BUILD/runtest" "$T/storm-hold.db" 2 127.0.0.1 $PORT 50 --storm 8 --hold --quiet
check "storm + hold: mode hold, storm 8, 100 messages echoed" eq "$(meta "$T/storm-hold.db" mode) $(meta "$T/storm-hold.db" storm) $(q "$T/storm-hold.db" \
    "select count(*) from events where type='message_recv'")" "hold 8 100"

echo "  --rate-steps: after the ramp, R messages/s in total per step"
"$BUILD/runtest" "$T/steps.db" 7 127.0.0.1 $PORT 10 --rate-steps 20,50 --step-s 2 --quiet
check "steps run status" eq "$?" 0
check "steps meta" eq "$(meta "$T/steps.db" mode) $(meta "$T/steps.db" rate_steps) $(meta "$T/steps.db" step_s) $(meta "$T/steps.db" steps_start_us) $(meta "$T/steps.db" steps_run)" \
    "steps 20,50 2 2000000 2"
# Each send bucketed by the second it was scheduled in (its time minus its
# lag), not by the parent's samples, which count when the parent reads.
check "steps: seconds 2-3 carry 20/s, 4-5 carry 50/s, none before or after" eq "$(q "$T/steps.db" \
    "with recursive sec(s) as (select 0 union all select s + 1 from sec where s < 6)
     select group_concat(n, ' ') from (select (select count(*) from events where type='message_send'
       and (timestamp - event_data) / 1000000 = s) n from sec order by s)")" "0 0 20 20 50 50 0"
check "steps: the samples hold every send" eq "$(q "$T/steps.db" "select sum(sent) from samples")" 140
check "steps: every message echoed" eq "$(q "$T/steps.db" "select sum(sent) = sum(recv) from samples")" 1
check "steps: each client evenly phased, 10 ms apart in the run (100 ms per client at 20/s)" eq "$(q "$T/steps.db" \
    "select count(*) from events where type='message_send' and event_key = 0
     and timestamp - event_data = 2000000 + client_id * 50000")" 10
"$BUILD/runtest" "$T/slo.db" 20 127.0.0.1 $PORT 10 --rate-steps 20,40,80 --step-s 1 --slo-p99-us 1 \
    --drain-ms 300 --quiet
check "slo run status" eq "$?" 0
check "slo: ends after the first step over the SLO" eq "$(meta "$T/slo.db" steps_run)" 1
check "slo: the reason names it" grep -q "step 1 (20/s): p99 [0-9]* us over the SLO of 1 us" <<EOF
$(meta "$T/slo.db" steps_end_reason)
EOF
check "slo: stopped long before SECONDS" test "$(sqlite3 "$T/slo.db" "select value < 8 from meta where key='seconds_run'")" = 1
check "slo: complete, not interrupted" eq "$(meta "$T/slo.db" complete) $(meta "$T/slo.db" interrupted)" "1 0"
"$BUILD/runtest" "$T/slo-ok.db" 6 127.0.0.1 $PORT 5 --rate-steps 10,20 --step-s 1 --slo-p99-us 5000000 --quiet
check "slo met: every step runs" eq "$(meta "$T/slo-ok.db" steps_run) $(meta "$T/slo-ok.db" steps_end_reason)" "2 every step within the SLO"

echo "  --warmup-s: stored in meta"
"$BUILD/runtest" "$T/warm.db" 2 127.0.0.1 $PORT 2 --warmup-s 1 --quiet
check "warmup_s" eq "$(meta "$T/warm.db" warmup_s)" 1

echo "  combinations that cannot work: a clear message, status 2"
expect_error() {  # PATTERN runtest-options...
    pat=$1; shift
    "$BUILD/runtest" "$T/x.db" 2 127.0.0.1 $PORT 4 "$@" >"$T/out" 2>"$T/err"
    r=$?
    [ "$r" = 2 ] || { echo "    '$*' exited $r" >&2; return 1; }
    grep -q -- "$pat" "$T/err" || { echo "    '$*' said: $(cat "$T/err")" >&2; return 1; }
}
check "two message modes" expect_error "give at most one" --hold --saturate 2
check "--step-s without --rate-steps" expect_error "apply to --rate-steps only" --step-s 3
check "--rate-steps with --storm" expect_error "does not combine with --storm" --rate-steps 10 --storm 2
check "bad rate list" expect_error "--rate-steps: expected rates" --rate-steps 10,,20
check "rate 0" expect_error "--rate-steps: expected rates" --rate-steps 0
check "warmup not shorter than the run" expect_error "must be less than SECONDS" --warmup-s 2
check "storm below the workers" expect_error "at least one in flight per worker" --storm 1 --workers 2
check "no database for a refused combination" test ! -e "$T/x.db"
done_tests test_modes
