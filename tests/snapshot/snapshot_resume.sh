#!/usr/bin/env bash
# snapshot_resume.sh GHOST86 ICOUNT ACCEL [OTHER_ACCEL] -- ARGS...: runs the guest of ARGS to its
# end under -accel ACCEL, then again taking a snapshot at instruction ICOUNT
# (--savevm-at), then from that snapshot (-loadvm), and from it under OTHER_ACCEL too if given.
# Each run must end on the uninterrupted run's --report line: a snapshot holds the whole state,
# and taking one changes nothing.
set -u
bin=$1 at=$2 accel=$3
shift 3
other=""
if [ "$1" != "--" ]; then other=$1; shift; fi
shift  # --
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
report() {  # the last stderr line of a run, which --report makes the state line
  "$bin" "$@" --report </dev/null 2>"$tmp/err" >"$tmp/out"
  tail -1 "$tmp/err"
}
fail=0
same() {  # same <what> <line>
  if [ "$2" = "$whole" ]; then echo "ok: $1: $2"; else echo "FAIL: $1 ended on '$2', the uninterrupted run on '$whole'"; tail -5 "$tmp/err"; fail=1; fi
}
whole=$(report -accel "$accel" "$@")
echo "$whole" | grep -q '^icount=[0-9]* hash=[0-9a-f]*$' || { echo "FAIL: no report line: $whole"; tail -5 "$tmp/err"; exit 1; }
same "taking a snapshot at $at" "$(report -accel "$accel" "$@" --savevm-at "$at:$tmp/s.snap")"
[ -s "$tmp/s.snap" ] || { echo "FAIL: no snapshot written"; exit 1; }
same "resumed from it" "$(report -accel "$accel" "$@" -loadvm "$tmp/s.snap")"
if [ -n "$other" ]; then same "resumed under -accel $other" "$(report -accel "$other" "$@" -loadvm "$tmp/s.snap")"; fi
exit $fail
