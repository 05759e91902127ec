#!/usr/bin/env bash
# replay_cli.sh GHOST86 REC_ACCEL REPLAY_ACCEL [RECORD-ONLY ARGS...] -- ARGS...: records the guest
# of ARGS (plus the record-only ones: script steps typing input) under -accel REC_ACCEL, replays
# the log under -accel REPLAY_ACCEL with no input, and requires the same final --report line and
# text screen. Then the refusals, each one line and exit status 1: a truncated log, a log
# replayed on a machine with other RAM, a file that is no log.
set -u
bin=$1 rec=$2 rep=$3
shift 3
extra=()
while [ "$1" != "--" ]; do extra+=("$1"); shift; done
shift  # --
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; tail -5 "$tmp/err"; fail=1; }

"$bin" -accel "$rec" "$@" "${extra[@]}" -record "$tmp/log" --report --screendump "$tmp/rec.txt" </dev/null 2>"$tmp/err" >"$tmp/out"
recorded=$(tail -1 "$tmp/err")
echo "$recorded" | grep -q '^icount=[0-9]* hash=[0-9a-f]*$' || { bad "no report line from the recording: $recorded"; exit 1; }
ok "recorded under $rec: $recorded, log $(stat -c %s "$tmp/log") bytes"

"$bin" -accel "$rep" "$@" -replay "$tmp/log" --report --screendump "$tmp/rep.txt" </dev/null 2>"$tmp/err" >"$tmp/out"
status=$?
replayed=$(tail -1 "$tmp/err")
[ "$replayed" = "$recorded" ] && ok "replayed under $rep: $replayed" || bad "replay ended on '$replayed', the recording on '$recorded'"
[ "$status" = 0 ] || bad "replay exit status $status"
cmp -s "$tmp/rec.txt" "$tmp/rep.txt" && ok "the same screen" || bad "the screens differ"

# The dump's last line is the end record: "N end hash=H ...", as --report said "icount=N hash=H".
"$bin" --replay-dump "$tmp/log" >"$tmp/dump" 2>"$tmp/err" || bad "--replay-dump failed"
n=${recorded%% *} h=${recorded##* }
case "$(tail -1 "$tmp/dump")" in
  "${n#icount=} end $h "*) ok "--replay-dump ends on the end record" ;;
  *) bad "--replay-dump's last line: $(tail -1 "$tmp/dump")" ;;
esac

refused() {  # refused <what> <expected stderr start> ARGS...
  local what=$1 want=$2
  shift 2
  "$bin" "$@" </dev/null 2>"$tmp/err" >"$tmp/out"
  local status=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ "$status" = 1 ] && [ "$lines" = 1 ] && grep -q "^$want" "$tmp/err"; then ok "$what: $(cat "$tmp/err")"; else bad "$what: status $status, $lines lines"; fi
}
head -c $(($(stat -c %s "$tmp/log") - 3)) "$tmp/log" >"$tmp/short"
refused "a truncated log" "ghost86: -replay: '$tmp/short': " -accel "$rep" "$@" -replay "$tmp/short"
refused "another RAM size" "ghost86: -replay: '$tmp/log': another machine: ram is " -accel "$rep" "$@" -m 96 -replay "$tmp/log"
refused "no log" "ghost86: -replay: '$tmp/rec.txt': not a ghost86 replay log" -accel "$rep" "$@" -replay "$tmp/rec.txt"
exit $fail
