#!/bin/sh
# ./publish: a finished report goes from its git-ignored folder into a
# committed results folder, without the databases; a folder that is not a
# report, or a path as NAME, is refused and nothing is touched. And every
# ini/ config writes its report and databases into git-ignored folders.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d /tmp/suite-test-publish-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

src=$tmp/local/run dest=$tmp/results/run
mkdir -p "$src/db/c10k/x" "$src/data" "$dest/data"
for f in README.md index.html summary.csv runs.csv latency.png; do echo "new $f" >"$src/$f"; done
echo new >"$src/data/latency.dat"
echo db >"$src/db/c10k/x/default-1.db"
echo old >"$dest/data/stale.dat"
echo old >"$dest/old.png"
echo keep >"$dest/SETUP.md"

out=$("$root/publish" "$src" "$dest" 2>&1)
check "publish SRC DEST: exit 0" [ $? = 0 ]
check "publish: says what it copied" contains "$out" "$src -> $dest"
check "publish: the report's files copied" \
    [ "$(cat "$dest/README.md")/$(cat "$dest/runs.csv")/$(cat "$dest/data/latency.dat")" = "new README.md/new runs.csv/new" ]
check "publish: no databases" [ ! -e "$dest/db" ]
check "publish: the old report's charts and data replaced" [ ! -e "$dest/old.png" -a ! -e "$dest/data/stale.dat" ]
check "publish: other files kept" [ "$(cat "$dest/SETUP.md")" = keep ]

rm "$src/runs.csv"
out=$("$root/publish" "$src" "$tmp/results/other" 2>&1)
rc=$?
check "publish: an unfinished report: exit 2 (exit $rc)" [ $rc = 2 ]
check "publish: names the missing file" contains "$out" "$src/runs.csv is missing"
check "publish: nothing created for it" [ ! -e "$tmp/results/other" ]
out=$("$root/publish" ../etc 2>&1)
check "publish NAME: a path is refused (exit $?)" contains "$out" "NAME is a folder name under results/local/"
out=$("$root/publish" no-such-run-here 2>&1)
rc=$?
check "publish NAME: results/local/NAME must be a report (exit $rc)" \
    sh -c "[ $rc = 2 ] && echo '$out' | grep -q 'results/local/no-such-run-here/README.md is missing'"
check "publish NAME: no results/NAME made for it" [ ! -e "$root/results/no-such-run-here" ]

# A README block for the published leaderboard is rewritten from it; the
# rest of the README, and a block for another report, stay as they were.
kit=$tmp/kit
mkdir -p "$kit/results/local/run/db"
cp "$root/publish" "$kit/"
for f in README.md index.html summary.csv runs.csv; do echo "x" >"$kit/results/local/run/$f"; done
printf '# Leaderboard (x.ini)\n\nThe full report: [README.md](README.md).\n\n| server | c10k |\n|---|---|\n| a | 1 ms |\n' \
    >"$kit/results/local/run/leaderboard.md"
printf 'top\n<!-- leaderboard: results/run/leaderboard.md -->\nold table\n<!-- end leaderboard -->\nmiddle\n<!-- leaderboard: results/other/leaderboard.md -->\nother table\n<!-- end leaderboard -->\nend\n' \
    >"$kit/README.md"
out=$("$kit/publish" run 2>&1)
check "publish: README block: exit 0 ($out)" [ $? = 0 ]
check "publish: README block: says so" contains "$out" "README.md's leaderboard block rewritten from results/run/leaderboard.md"
check "publish: README block: rewritten, title left out, links from the kit root" \
    [ "$(cat "$kit/README.md")" = "$(printf 'top\n<!-- leaderboard: results/run/leaderboard.md -->\n\nThe full report: [README.md](results/run/README.md).\n\n| server | c10k |\n|---|---|\n| a | 1 ms |\n<!-- end leaderboard -->\nmiddle\n<!-- leaderboard: results/other/leaderboard.md -->\nother table\n<!-- end leaderboard -->\nend')" ]

# What the runner writes for the kit's configs lands in git-ignored folders:
# `make suite` (ini/small-scale.ini) changes no tracked file.
for ini in "$root"/ini/*.ini; do
    for key in results db_root; do
        dir=$(sed -n "s/^$key *= *//p" "$ini")
        [ -n "$dir" ] || continue
        check "$(basename "$ini"): $key = $dir is git-ignored" \
            git -C "$root" check-ignore -q "$dir/summary.csv"
    done
done

echo "$0: $fails failure(s)"
[ $fails = 0 ]
