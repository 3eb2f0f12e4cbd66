# Shared by the shell tests: where the kit is, and checks that print
# "ok"/"FAIL" and count the failures.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fails=0
check() {
    desc=$1
    shift
    if "$@"; then echo "ok   $desc"; else echo "FAIL $desc"; fails=$((fails + 1)); fi
}
contains() { case "$1" in *"$2"*) true ;; *) echo "     got: $1"; false ;; esac; }

# supervisord_head PORT: the sections every test supervisord starts with,
# listening on 127.0.0.1:PORT with wsstats; logs beside the config.
supervisord_head() {
    cat <<CONF
[supervisord]
logfile = %(here)s/supervisord.log
pidfile = %(here)s/supervisord.pid
childlogdir = %(here)s
[inet_http_server]
port = 127.0.0.1:$1
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[rpcinterface:wsstats]
supervisor.rpcinterface_factory = wsstats:make_wsstats_rpcinterface
[supervisorctl]
serverurl = http://127.0.0.1:$1
CONF
}
