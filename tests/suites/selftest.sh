#!/bin/sh
# ghost86 test on tests/suites/selftest.toml: the same results (JUnit bytes) with -j 1, -j 4 and
# as two shards merged; a failing case's artifacts, whose replay log and command line fail again
# at the same instruction count with the same state; passing cases leave none; bad input ends with status 2
# and one line. Usage: selftest.sh GHOST86. Exits 77 (skipped) without SeaBIOS or FreeDOS.
set -u
ghost86=$1
here=$(cd "$(dirname "$0")" && pwd)
suite=$here/selftest.toml
[ -r /usr/share/seabios/bios.bin ] && [ -r "$here/../../../shared/testdata/freedos/freedos-boot-1.44M.img" ] || {
  echo "skipped: SeaBIOS or the FreeDOS image is missing"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$ghost86" test -j 1 --junit "$tmp/j1.xml" --artifacts "$tmp/a1" "$suite" > "$tmp/j1.out"
[ $? -eq 1 ] || fail "-j 1: expected status 1 (one case fails)"
cat "$tmp/j1.out"
grep -q '^start demo-runs-to-timeout$' "$tmp/j1.out" || fail "plain progress lines when stdout is no terminal"
grep -q '^2 passed, 1 failed, 1 skipped$' "$tmp/j1.out" ||
  fail "summary line"
"$ghost86" test -j 4 --junit "$tmp/j4.xml" --artifacts "$tmp/a4" "$suite" > /dev/null
"$ghost86" test --shard 1/2 --junit "$tmp/s1.xml" --artifacts "$tmp/s" "$suite" > /dev/null
"$ghost86" test --shard 2/2 --junit "$tmp/s2.xml" --artifacts "$tmp/s" "$suite" > /dev/null
"$ghost86" test --merge "$tmp/merged.xml" "$tmp/s1.xml" "$tmp/s2.xml" > "$tmp/merge.out"
[ $? -eq 1 ] || fail "--merge: expected status 1 (a shard had a failure)"
cmp "$tmp/j1.xml" "$tmp/j4.xml" || fail "-j 1 and -j 4 differ"
cmp "$tmp/j1.xml" "$tmp/merged.xml" || fail "-j 1 and the merged shards differ"
[ "$("$ghost86" test --shard 1/2 --list "$suite")" = "$(printf 'demo-runs-to-timeout\nfreedos-fails')" ] || fail "--shard 1/2 --list"
grep -q '<testcase name="freedos-fails" classname="selftest"' "$tmp/j1.xml" || fail "JUnit testcase"
grep -q '<failure message="step 3 (screen:this never appears) did not match within 0.1 s of virtual time"' "$tmp/j1.xml" ||
  fail "JUnit failure message"
grep -q '<skipped message=' "$tmp/j1.xml" || fail "JUnit skipped case"

# The failing case's artifacts; passing cases leave none.
art=$tmp/a1/freedos-fails
[ "$(head -c 8 "$art/screen.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "screen.png"
grep -q 'FreeCom version' "$art/screen.txt" || fail "screen.txt shows the screen at the failure"
[ -f "$art/serial.log" ] || fail "serial.log"
[ ! -e "$tmp/a1/demo-runs-to-timeout" ] || fail "a passing case left artifacts"
# Its recorded run replays (input and state checks from replay.log) and its command line runs
# again: each fails with the runner's failure line at the same instruction count, same state.
[ -s "$art/replay.log" ] || fail "replay.log"
[ ! -e "$tmp/a1/seabios-post/replay.log" ] || fail "a passing case kept its replay.log"
expected="$(printf 'ghost86: %s\n%s' "$(sed -n 1p "$art/result.txt")" "$(sed -n 2p "$art/result.txt")")"
for line in 2 4; do
  cmd=$(sed -n ${line}p "$art/command.txt")
  case $line in 2) case $cmd in *" -replay $art/replay.log") ;; *) fail "command.txt line 2 is no replay: $cmd";; esac;; esac
  eval "$cmd --report" > /dev/null 2> "$tmp/rerun.err"
  [ $? -eq 3 ] || fail "command.txt line $line: expected status 3: $(cat "$tmp/rerun.err")"
  [ "$(tail -n 2 "$tmp/rerun.err")" = "$expected" ] || fail "command.txt line $line ends elsewhere: $(cat "$tmp/rerun.err")"
done

# Bad input: one line, status 2.
printf 'name = "x"\n[[case]]\nname = "a"\nargs = [1]\n' > "$tmp/bad.toml"
"$ghost86" test "$tmp/bad.toml" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q 'bad.toml:4' "$tmp/err" || fail "a bad suite: status $rc, $(cat "$tmp/err")"
printf 'name = [\n' > "$tmp/bad.toml"
"$ghost86" test "$tmp/bad.toml" > /dev/null 2>&1; [ $? -eq 2 ] || fail "TOML syntax error"
"$ghost86" test "$suite" no-such-case > /dev/null 2>&1; [ $? -eq 2 ] || fail "unknown case"
"$ghost86" test --shard 3/2 "$suite" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--shard 3/2"
"$ghost86" test --merge "$tmp/m.xml" "$tmp/s1.xml" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--merge with a shard missing"
"$ghost86" test --merge "$tmp/m.xml" "$tmp/bad.toml" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--merge of a file that is no JUnit"
echo "selftest: ok"
