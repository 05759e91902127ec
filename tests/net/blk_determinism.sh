#!/usr/bin/env bash
# blk_determinism.sh GHOST86 LINUX_DIR: virtio-blk requests complete at fixed instruction counts.
# Linux reads a virtio-blk disk, writes to it and reads the write back (snapshot=on, so the file
# stays as it was for the second run); two runs stop at the same instruction count with the same
# machine-state hash (--report), as runs without the disk do.
set -u
ghost=$1 dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 1048576 /dev/zero | tr '\0' 'D' > "$work/disk.raw"
run() {
  "$ghost" -m 128 -kernel "$dir/vmlinuz" -initrd "$dir/initramfs.gz" \
    -append "console=ttyS0,115200 quiet cryptomgr.notests ghost86.shell pci=noacpi" \
    -drive "file=$work/disk.raw,if=virtio,snapshot=on" \
    -serial stdio -display none -no-reboot --timeout 120 --report \
    --step "serial:# " \
    --step "send:dd if=/dev/vda bs=4096 count=64 2>/dev/null | md5sum && head -c 8192 /dev/zero | dd of=/dev/vda bs=4096 seek=8 conv=fsync 2>/dev/null && echo 3 > /proc/sys/vm/drop_caches && dd if=/dev/vda bs=4096 count=64 2>/dev/null | md5sum; echo BLK-DONE-\$((40+2))\n" \
    --until-serial "BLK-DONE-42" 2>&1 | grep -o "icount=[0-9]* hash=[0-9a-f]*" | tail -1
}
a=$(run) b=$(run)
echo "first:  $a"
echo "second: $b"
[[ $a == icount=* ]] || { echo "no --report line"; exit 1; }
[ "$a" = "$b" ] || { echo "the two runs differ"; exit 1; }
cmp -s "$work/disk.raw" <(head -c 1048576 /dev/zero | tr '\0' 'D') || { echo "snapshot=on: the file changed"; exit 1; }
echo "PASS: $a twice"
