#!/bin/bash
# runtest-tsung on bad input: each case ends with a clear message, and a
# run that fails once Tsung has started still leaves a readable database,
# marked incomplete with the reason. About 25 s.
#   Tsung missing; an option Tsung cannot follow; a load host sshd does not
#   answer; Tsung's controller VM killed mid-run; runtest-tsung interrupted.
set -u
. "$(dirname "$0")/lib.sh"
need tsung erl sqlite3 ssh "$SERVER_BIN" "$TSUNG_DIR/runtest-tsung"
WORK=$(mktemp -d /tmp/tsung-test-bad.XXXXXX) || exit 1
trap 'stop_server; [ -n "${RUN:-}" ] && kill -KILL -- "-$RUN" 2>/dev/null; [ "$failures" -eq 0 ] && rm -rf "$WORK"' EXIT
RT=$TSUNG_DIR/runtest-tsung

# expect_fail NAME STATUS PATTERN DB -- CMD...: CMD exits STATUS, says PATTERN
# on stderr, and leaves no DB behind.
expect_fail() {
    local name=$1 want=$2 pat=$3 db=$4 rc
    shift 5
    "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    rc=$?
    expect "$name: exit status" "$rc" "$want"
    if grep -q -- "$pat" "$WORK/$name.err"; then ok "$name: says '$pat'"; else
        bad "$name: stderr lacks '$pat': $(tail -n 2 "$WORK/$name.err")"; fi
    [ ! -e "$db" ] && ok "$name: no database" || bad "$name: left $db"
}

# 1. Tsung not on PATH (runtest-tsung itself only needs dirname to start).
mkdir -p "$WORK/bin" && ln -s "$(command -v dirname)" "$WORK/bin/dirname"
expect_fail tsung-missing 127 "tsung (and erl) not found" "$WORK/a.db" -- \
    env PATH="$WORK/bin" /bin/bash "$RT" "$WORK/a.db" 2 127.0.0.1 1 1

# 2. An option of runtest that Tsung cannot follow is refused by name.
expect_fail refused-option 2 "saturate" "$WORK/b.db" -- \
    "$RT" "$WORK/b.db" 2 127.0.0.1 1 1 --saturate 4

# 3. A load host whose sshd does not answer (a port nothing listens on).
DEAD=$("$ROOT/tests/lib/free_port") || exit 1
printf '#!/bin/sh\nexec ssh -p %s "$@"\n' "$DEAD" >"$WORK/ssh-dead" && chmod +x "$WORK/ssh-dead"
expect_fail host-unreachable 1 "load host 127.0.0.1 unreachable over ssh" "$WORK/c.db" -- \
    env KIT_TSUNG_RSH="$WORK/ssh-dead" "$RT" "$WORK/c.db" 2 127.0.0.1 1 1 --load-hosts 127.0.0.1

# 4. and 5. Tsung stopped mid-run: the database holds the run up to there.
start_server
# mid_run NAME SIGNAL TARGET: starts a 20 s run of 60 clients, and 6 s in
# sends SIGNAL to TARGET (controller: Tsung's VM; runtest: runtest-tsung).
mid_run() {
    local name=$1 sig=$2 target=$3 db=$WORK/$1.db pid rc
    setsid "$RT" "$db" 20 127.0.0.1 "$PORT" 60 --arrival-us 20000 --quiet \
        >"$WORK/$name.out" 2>"$WORK/$name.err" &
    RUN=$!
    sleep 6
    if [ "$target" = controller ]; then
        # the controller's node name carries runtest-tsung's pid (-i kitPID)
        pid=$(pgrep -f -- "name tsung_controller_kit$RUN( |@|$)")
        [ -n "$pid" ] && kill "-$sig" $pid || bad "$name: no Tsung controller for run $RUN"
    else
        kill "-$sig" "$RUN"
    fi
    wait "$RUN"
    rc=$?
    RUN=
    expect "$name: exit status" "$rc" 1
    grep -q -- "$4" "$WORK/$name.err" && ok "$name: says '$4'" ||
        bad "$name: stderr lacks '$4': $(tail -n 2 "$WORK/$name.err")"
    expect "$name: complete" "$(meta "$db" complete)" 0
    case $(meta "$db" incomplete_reason) in
    *"$4"*) ok "$name: reason stored" ;;
    *) bad "$name: incomplete_reason '$(meta "$db" incomplete_reason)'" ;;
    esac
    local hs sent recv
    hs=$(count "$db" ws_onopen) sent=$(count "$db" message_send) recv=$(count "$db" message_recv)
    [ "$hs" -gt 0 ] && [ "$recv" -gt 0 ] && ok "$name: the run so far kept ($hs handshakes, $sent sent, $recv echoed)" ||
        bad "$name: lost the run so far ($hs handshakes, $recv echoed)"
    if "$ROOT/compile_stats" "$db" >"$WORK/$name.stats" 2>&1; then ok "$name: compile_stats reads it"; else
        bad "$name: compile_stats: $(tail -n 1 "$WORK/$name.stats")"; fi
}
mid_run vm-killed KILL controller "tsung was killed by signal 9"
mid_run interrupted TERM runtest "interrupted by SIGTERM"
stop_server
finish test_bad_input
