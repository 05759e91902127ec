#!/bin/sh
# qcow2_guest.sh GHOST86 FREEDOS_IMG IDE_DISK: SeaBIOS boots FreeDOS from a qcow2 copy of the
# floppy, a file the guest writes lands in the qcow2 (qemu-img converts it back to raw and
# finds it), `qemu-img check` passes; the IDE test disk boots from qcow2 as -drive too.
# Exit 77 (skipped) without qemu-img.
set -u
bin=$1 floppy=$2 disk=$3
command -v qemu-img >/dev/null || { echo "qemu-img not found (Debian qemu-utils): skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

qemu-img convert -f raw -O qcow2 "$floppy" "$tmp/fd.qcow2" || fail "qemu-img convert"
"$bin" -bios /usr/share/seabios/bios.bin -fda "$tmp/fd.qcow2" -boot a -display none \
  --step "screen:A:.>" --step 'type:echo GHOST86QCOW2MARK> T.TXT\n' --step 'type:dir T.TXT\n' \
  --until-screen "T +TXT +18 " --timeout 60 || fail "FreeDOS did not write T.TXT (status $?)"
qemu-img check "$tmp/fd.qcow2" || fail "qemu-img check after the guest wrote"
qemu-img convert -f qcow2 -O raw "$tmp/fd.qcow2" "$tmp/fd.raw" || fail "qemu-img convert back"
grep -q GHOST86QCOW2MARK "$tmp/fd.raw" || fail "the guest's write is not in the image"
echo "ok: FreeDOS wrote to a qcow2 floppy"

qemu-img convert -f raw -O qcow2 -o compat=0.10 "$disk" "$tmp/disk.qcow2" || fail "qemu-img convert"
out=$("$bin" -bios /usr/share/seabios/bios.bin -debugcon stdio -drive "file=$tmp/disk.qcow2,format=qcow2,if=ide,index=0" \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 --max-insns 2000000000 2>&1)
rc=$?
[ $rc -eq 65 ] || fail "IDE disk from qcow2: status $rc, expected 65"
printf '%s\n' "$out" | grep -q "IDE-MBR-OK" || fail "IDE disk from qcow2: no IDE-MBR-OK"
qemu-img check "$tmp/disk.qcow2" || fail "qemu-img check of the IDE disk"
echo "ok: SeaBIOS booted the IDE disk from qcow2 (version 2)"
