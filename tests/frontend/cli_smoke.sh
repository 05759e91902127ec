#!/usr/bin/env bash
# Runs the ghost86 binary on bad input: each case must exit with status 1 and print exactly one
# line on stderr naming the problem, never crash.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 1000 /dev/zero > "$tmp/short.bin"
fail=0
check() {  # check <expected stderr substring> <args...>
  local want=$1; shift
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$? lines
  lines=$(wc -l < "$tmp/err")
  if [ $rc -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err"; then
    echo "FAIL: ghost86 $* -> status $rc, stderr:"; cat "$tmp/err"; fail=1
  else
    echo "ok: ghost86 $* -> $(cat "$tmp/err")"
  fi
}
check "--bogus" --bogus
check "-m" -m abc
check "-m" -m 0
check "-bios" -bios "$tmp/missing.bin"
check "-bios" -bios "$tmp/short.bin"
check "-bios" -bios "$tmp"
check "-device" -device nosuchdevice
check "-global" -global isa-serial.timing=slow
check "-m" -m
check "--checkpoint-every" --checkpoint-every 0
check "--checkpoint-every" --checkpoint-every x
# Images cut short, and a floppy of no known geometry.
check "not a whole number of 512-byte sectors" -hda "$tmp/short.bin"
check "not a whole number of 2048-byte sectors" -cdrom "$tmp/short.bin"
check "not a floppy image size" -fda "$tmp/short.bin"

# Direct kernel boot: neither bzImage nor Multiboot, a truncated bzImage, a missing initrd,
# -initrd or -append without -kernel.
head -c 4096 /dev/zero > "$tmp/zero.bin"
check "neither a Linux bzImage nor a Multiboot kernel" -kernel "$tmp/zero.bin"
printf 'HdrS\017\002' | dd of="$tmp/short.bin" bs=1 seek=514 conv=notrunc 2>/dev/null  # protocol 2.15
check "truncated bzImage" -kernel "$tmp/short.bin"
check "-initrd" -kernel "$tmp/zero.bin" -initrd "$tmp/missing.img"
check "only allowed with -kernel" -initrd "$tmp/zero.bin"
check "only allowed with -kernel" -append "console=ttyS0"
# Files read whole are refused by their size before being read: sparse files of 4 GiB and 1 GiB
# would otherwise fill host memory first.
truncate -s 4G "$tmp/huge.bin"
truncate -s 1G "$tmp/big.img"
check "-bios: '$tmp/huge.bin': 4294967296 bytes, over the limit of 1048576 bytes" -bios "$tmp/huge.bin"
check "-kernel: '$tmp/huge.bin': 4294967296 bytes, over the limit of 134217728 bytes" -kernel "$tmp/huge.bin"
check "-initrd: '$tmp/big.img': 1073741824 bytes, over the limit of 134213632 bytes" -m 128 -kernel "$tmp/zero.bin" -initrd "$tmp/big.img"
check "-initrd: '$tmp/big.img': 1073741824 bytes, over the limit" -m 128 -kernel "$tmp/zero.bin" -initrd "$tmp/big.img modarg"
# A regular expression with nothing before its quantifier says so (libstdc++ alone reports
# mismatched parentheses); -debugcon's errors name -debugcon; --screendump's path is checked
# before the run.
check "'*' at offset 0 has nothing before it to repeat" -bios demo --until-serial '*'
check "'+' at offset 3 has nothing before it to repeat" -bios demo --step 'serial:ab(+c)'
check "-debugcon: cannot create '$tmp/missing/x'" -bios demo -debugcon "file:$tmp/missing/x"
check "--screendump: cannot create '$tmp/missing/x.png'" -bios demo --screendump "$tmp/missing/x.png" --max-insns 1000000000
"$bin" --version | grep -q "^ghost86 " || { echo "FAIL: --version"; fail=1; }
"$bin" --help | grep -q -- "-bios" || { echo "FAIL: --help"; fail=1; }
exit $fail
