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
