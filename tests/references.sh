# The reference servers' checks (servers/README.md), sourced by tests/run:
# it uses the runner's check, pass, fail, start_server and stop_server.
#
# Every reference is started with the command of its own ini (%(here)s
# expanded, its --port 8000 replaced by a free port on 127.0.0.1), then:
#   websocket: verify, interop-python, interop-node, conformance, shutdown
#   tcp:       echo (its plain-TCP check), shutdown
# shutdown: SIGTERM, exit status 0 within 5 s, no process of it left, and
# it did not die during the checks before. Then `supervisord`: the
# reference started by `supervisorctl start` under a real supervisord with
# competition/supervisord.conf (ports substituted) must echo on its port
# (tests/references-supervisord.sh). A reference that is not
# available (reference.conf's `requires` missing) fails every check with
# its install command: nothing is skipped silently.

REF_WS_CHECKS="verify interop-python interop-node conformance shutdown supervisord"
REF_TCP_CHECKS="echo shutdown supervisord"
REF_CONFORMANCE=$B/conformance-references   # one JSON per reference, this run only

# ref_conf NAME KEY: the value of KEY in servers/NAME/reference.conf
# (comments after ';' and surrounding blanks removed).
ref_conf() {
    sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*\([^;]*\).*/\1/p" \
        "servers/$1/reference.conf" 2>/dev/null | head -n 1 | sed 's/[[:space:]]*$//'
}

# What a reference directory must hold (servers/README.md).
ref_layout_problems() {
    local d=servers/$1 p= key protocol
    [ -f "$d/README.md" ] || p="$p no README.md;"
    grep -q "^\[program:$1\]" "$d/$1.ini" 2>/dev/null || p="$p $1.ini has no [program:$1];"
    grep -q "^command=.*--port 8000" "$d/$1.ini" 2>/dev/null || p="$p $1.ini: no command with --port 8000;"
    for key in protocol tracks requires install; do
        [ -n "$(ref_conf "$1" "$key")" ] || p="$p reference.conf has no $key;"
    done
    protocol=$(ref_conf "$1" protocol)
    case $protocol in websocket|tcp|"") ;; *) p="$p reference.conf: protocol '$protocol' is not websocket or tcp;" ;; esac
    echo "$p"
}

# ref_missing NAME: the first of reference.conf's `requires` that is not
# there (a command on PATH, or a path relative to the directory), or nothing.
ref_missing() {
    local item
    for item in $(ref_conf "$1" requires | tr ',' ' '); do
        case $item in
        */*) [ -e "servers/$1/$item" ] || [ -e "$item" ] || { echo "$item"; return; } ;;
        *) command -v "$item" >/dev/null || { echo "$item"; return; } ;;
        esac
    done
}

# ref_command NAME: sets REF_CMD to the ini's command, %(here)s expanded and
# --port 8000 dropped (start_server adds --host and --port). A C reference
# runs its sanitized build when there is one (build-asan/ beside build/).
ref_command() {
    local here=$ROOT/servers/$1 line asan
    line=$(sed -n 's/^command=//p' "servers/$1/$1.ini" | head -n 1)
    line=${line//%(here)s/$here}
    line=${line/--port 8000/}
    read -r -a REF_CMD <<<"$line"
    asan=${REF_CMD[0]/\/build\//\/build-asan\/}
    [ "$asan" != "${REF_CMD[0]}" ] && [ -x "$asan" ] && REF_CMD[0]=$asan
}

ref_not_run() {
    local c
    for c in $2; do
        fail "$1/$c" "not run: $3" "$4"
    done
}

# ref_step NAME STEP PORT LOG: one check against the running reference.
ref_step() {
    local name=$1 step=$2 port=$3 log=$4 conf=tests/conformance/build/conformance
    case $step in
    verify)
        check "$name/verify" "$log" 60 client/build/verify 127.0.0.1 "$port" ;;
    interop-python)
        check "$name/$step" "$log" 60 "$PY" tests/interop/interop.py 127.0.0.1 "$port" ;;
    interop-node)
        if [ -d tests/interop/node_modules/ws ]; then
            check "$name/$step" "$log" 60 node tests/interop/interop.js 127.0.0.1 "$port"
        else
            echo "tests/interop/node_modules/ws missing" >"$log"
            fail "$name/$step" "Node ws not installed (npm ci --prefix tests/interop)" "$log"
        fi ;;
    conformance)
        # As for contestants, with the reference's declared known failures.
        rm -f "$REF_CONFORMANCE/$name.json"
        if [ -x "$conf" ]; then
            mkdir -p "$REF_CONFORMANCE"
            check "$name/conformance" "$log" 120 "$conf" --host 127.0.0.1 --port "$port" \
                --name "$name" --known "servers/$name/conformance-known.txt" \
                --json "$REF_CONFORMANCE/$name.json"
        else
            echo "missing $conf" >"$log"
            fail "$name/conformance" "no $conf (make -C tests/conformance)" "$log"
        fi ;;
    echo)
        check "$name/echo" "$log" 90 "$PY" "servers/$name/tests/echo_check.py" \
            --host 127.0.0.1 --port "$port" ;;
    supervisord)
        check "$name/supervisord" "$log" 150 tests/references-supervisord.sh "$name" ;;
    esac
}

reference() {
    local name=$1 log="$LOGS/ref-$1-layout.log" slog="$LOGS/ref-$1-server.log"
    local probs protocol checks missing step deaths=""
    probs=$(ref_layout_problems "$name")
    echo "${probs:-ok}" >"$log"
    if [ -n "$probs" ]; then fail "$name/layout" "${probs# }" "$log"; else pass "$name/layout"; fi
    protocol=$(ref_conf "$name" protocol)
    checks=$REF_WS_CHECKS
    [ "$protocol" = tcp ] && checks=$REF_TCP_CHECKS

    missing=$(ref_missing "$name")
    if [ -n "$missing" ]; then
        echo "requires $missing" >"$slog"
        ref_not_run "$name" "$checks" "not available: no $missing (run $(ref_conf "$name" install))" "$slog"
        return
    fi
    ref_command "$name"
    if ! start_server "$slog" "${REF_CMD[@]}"; then
        ref_not_run "$name" "$checks" "server did not start: $START_ERR" "$slog"
        return
    fi
    echo "$name on 127.0.0.1:$PORT, pid $SERVER_PID: ${REF_CMD[*]}" >"$LOGS/ref-$name-ports.log"
    for step in $checks; do
        [ "$step" = shutdown ] && break
        if [ -z "$SERVER_PID" ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
            if [ -n "$SERVER_PID" ]; then
                wait "$SERVER_PID"
                deaths="died (status $?) before $step; "
                SERVER_PID=
            fi
            ref_not_run "$name" "$step" "server died: ${deaths}" "$slog"
            continue
        fi
        ref_step "$name" "$step" "$PORT" "$LOGS/ref-$name-$step.log"
    done
    if [ -z "$SERVER_PID" ]; then
        fail "$name/shutdown" "${deaths}no server left to stop" "$slog"
    elif stop_server "$slog"; then
        pass "$name/shutdown"
    else
        fail "$name/shutdown" "$STOP_ERR" "$slog"
    fi
    ref_step "$name" supervisord "" "$LOGS/ref-$name-supervisord.log"
}

# The conformance report of the references alone, apart from the
# contestants': a library's departures from the RFC, declared in its
# conformance-known.txt, are listed, not hidden. Into tests/build/
# (ignored); `make -C tests publish-conformance` publishes it as the
# committed results/conformance-references.md.
references_conformance_report() {
    local rlog="$LOGS/conformance-report-references.log"
    local report=tests/conformance/build/conformance-report
    if [ ! -x "$report" ]; then
        echo "missing $report" >"$rlog"
        fail "conformance-report-references" "no $report" "$rlog"
    elif ! ls "$REF_CONFORMANCE"/*.json >/dev/null 2>&1; then
        echo "no $REF_CONFORMANCE/*.json" >"$rlog"
        fail "conformance-report-references" "no reference conformance results to report" "$rlog"
    else
        check "conformance-report-references" "$rlog" 60 "$report" \
            "$B/conformance-references.md" "$REF_CONFORMANCE"/*.json
    fi
}
