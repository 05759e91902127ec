#!/usr/bin/env bash
# -savevm, --savevm-at and -loadvm from the command line, with the built-in demo firmware: a
# resumed run ends on the same --report line as the uninterrupted one, and damaged or
# mismatched snapshots, writable disks and bad option values end with status 1 and exactly one
# line on stderr naming the file (and the section).
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check <exact stderr line> <args...>
  local want=$1; shift
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  if [ $rc -ne 1 ] || [ "$(cat "$tmp/err")" != "$want" ]; then
    echo "FAIL: ghost86 $* -> status $rc, stderr:"; cat "$tmp/err"; echo "expected: $want"; fail=1
  else
    echo "ok: ghost86 $* -> $want"
  fi
}
report() { "$bin" -bios demo "$@" --report 2>&1 >/dev/null | tail -1; }

whole=$(report --max-insns 3000000)
saving=$(report --max-insns 3000000 --savevm-at 1000000:"$tmp/a.snap" --savevm-at 500000:"$tmp/b.snap")
resumed_a=$(report --max-insns 3000000 -loadvm "$tmp/a.snap")
resumed_b=$(report --max-insns 3000000 -loadvm "$tmp/b.snap")
report --max-insns 1500000 -savevm "$tmp/exit.snap" >/dev/null
resumed_exit=$(report --max-insns 3000000 -loadvm "$tmp/exit.snap")
for line in "$saving" "$resumed_a" "$resumed_b" "$resumed_exit"; do
  if [ "$line" != "$whole" ]; then echo "FAIL: '$line' differs from the uninterrupted run's '$whole'"; fail=1; fi
done
echo "uninterrupted and resumed runs end on: $whole"

# Damage: cut short, another format version, another machine's RAM size, not a snapshot.
head -c 1000 "$tmp/a.snap" > "$tmp/cut.snap"
check "ghost86: -loadvm: '$tmp/cut.snap': section 'header': truncated: the file has 1000 bytes, the section table ends at $((24 + 56 * $(od -An -tu4 -j12 -N4 "$tmp/a.snap")))" \
  -bios demo -loadvm "$tmp/cut.snap"
cp "$tmp/a.snap" "$tmp/v9.snap"
printf '\x09' | dd of="$tmp/v9.snap" bs=1 seek=8 conv=notrunc status=none
check "ghost86: -loadvm: '$tmp/v9.snap': section 'header': version 9, this ghost86 reads version 1" \
  -bios demo -loadvm "$tmp/v9.snap"
check "ghost86: -loadvm: '$tmp/a.snap': section 'config': ram is '128 MiB' in the snapshot, '64 MiB' here" \
  -bios demo -m 64 -loadvm "$tmp/a.snap"
echo "not a snapshot" > "$tmp/text.snap"
check "ghost86: -loadvm: '$tmp/text.snap': section 'header': not a ghost86 snapshot" -bios demo -loadvm "$tmp/text.snap"
check "ghost86: -loadvm: '$tmp/missing.snap': section 'header': cannot open: No such file or directory" \
  -bios demo -loadvm "$tmp/missing.snap"
# A disk the guest writes in place would change under the snapshot. (The demo firmware boots
# no disk: a ROM of HLT instructions carries the drive.)
head -c 1474560 /dev/zero > "$tmp/floppy.img"
head -c 65536 /dev/zero | tr '\0' '\364' > "$tmp/hlt.rom"
check "ghost86: -savevm: drive fd0 ('$tmp/floppy.img') is writable; snapshots need its writes in an overlay (-snapshot or snapshot=on) or a read-only drive" \
  -bios "$tmp/hlt.rom" -fda "$tmp/floppy.img" -savevm "$tmp/x.snap"
"$bin" -bios "$tmp/hlt.rom" --max-insns 1000 -fda "$tmp/floppy.img" -snapshot -savevm "$tmp/fd.snap" 2>/dev/null
[ -s "$tmp/fd.snap" ] || { echo "FAIL: no snapshot with an overlay drive"; fail=1; }
check "ghost86: -loadvm: '$tmp/fd.snap': section 'config': drive fd0 ('$tmp/floppy.img') is writable; snapshots need its writes in an overlay (-snapshot or snapshot=on) or a read-only drive" \
  -bios "$tmp/hlt.rom" -fda "$tmp/floppy.img" -loadvm "$tmp/fd.snap"
# Option values.
check "ghost86: --savevm-at: 'abc': expected ICOUNT:FILE (a whole number of instructions, a file name)" \
  -bios demo --savevm-at abc
check "ghost86: --savevm-at: '100:': expected ICOUNT:FILE (a whole number of instructions, a file name)" \
  -bios demo --savevm-at 100:
exit $fail
