#!/usr/bin/env bash
# bench/snapshot.sh [GHOST86]: how long a snapshot takes to save and to start from, on the Linux
# test guest with 256 MiB of RAM, snapshotted at AT instructions (default 300 M, in the middle of
# its boot). Prints best-of-RUNS host times; no assertions.
#   save   the run to AT with --savevm-at minus the same run without it
#   start  ghost86 started with -loadvm and stopped after its first instruction (--max-insns
#          AT+1), the whole process, next to the same process started without a snapshot
#          (-kernel, stopped after one instruction)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/ghost86}
RUNS=${RUNS:-3}
AT=${AT:-300000000}
linux=.cache/linux
[ -f $linux/vmlinuz ] || { echo "no Linux guest in $linux (scripts/fetch-linux.sh)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
guest=(-m 256 -kernel $linux/vmlinuz -initrd $linux/initramfs.gz
       -append "console=ttyS0,115200 quiet cryptomgr.notests" -no-reboot)

best_ms() {  # best_ms CMD...: the fastest of RUNS runs, in milliseconds
  local best="" t0 t1 ms
  for _ in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 </dev/null || true
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

plain=$(best_ms "$bin" "${guest[@]}" --max-insns "$AT")
saving=$(best_ms "$bin" "${guest[@]}" --max-insns "$AT" --savevm-at "$AT:$tmp/s.snap")
size=$(stat -c %s "$tmp/s.snap")
disk=$(du -k "$tmp/s.snap" | cut -f1)
start=$(best_ms "$bin" "${guest[@]}" -loadvm "$tmp/s.snap" --max-insns $((AT + 1)))
cold=$(best_ms "$bin" "${guest[@]}" --max-insns 1)
echo "Linux guest, -m 256, snapshot at $AT instructions (best of $RUNS)"
echo "  snapshot file     $((size / 1024)) KiB ($disk KiB on disk)"
echo "  run to $AT        $plain ms"
echo "  same with save    $saving ms  (save: $((saving - plain)) ms)"
echo "  start from it     $start ms  (process start to first instruction and exit)"
echo "  start without     $cold ms  (-kernel, one instruction: the process and machine set-up)"
