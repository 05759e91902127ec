#!/usr/bin/env bash
# linux_blk.sh GHOST86 LINUX_DIR MODE: the test Linux with a virtio-blk disk (vda).
# The disk holds 64 KiB of bytes from a fixed seed at offset 0 and zeros after, to 4 MiB. Linux
# reads the first 64 KiB and prints their SHA-256, which must be the pattern's; it prints the
# disk's size in sectors and its serial (GET_ID); then it writes 64 KiB of 'Z' at 1 MiB, reads
# them back, syncs, and powers off. MODE:
#   rw        -drive file=F,if=virtio, raw: after the run the 'Z's are in the file
#   device    -drive if=none + -device virtio-blk-pci,serial=, qcow2 (checked with qemu-img)
#   snapshot  snapshot=on: the guest reads its own write back, the file is unchanged
#   legacy    rw through the legacy interface (virtio_pci reloaded with force_legacy=1)
#   readonly  readonly=on: Linux sees a read-only disk (VIRTIO_BLK_F_RO), cannot open it for
#             writing, and the file is unchanged
# Exit 77 (skipped) without python3, or without qemu-img in device mode.
set -u
ghost=$1 dir=$2 mode=$3
command -v python3 >/dev/null || { echo "python3 is not installed: skipped"; exit 77; }
[ "$mode" != device ] || command -v qemu-img >/dev/null || { echo "qemu-img is not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/disk.raw" <<'PY'
import random, sys
r = random.Random(13)
with open(sys.argv[1], "wb") as f:
    f.write(bytes(r.getrandbits(8) for _ in range(65536)))
    f.truncate(4 << 20)
PY
pattern_hash=$(head -c 65536 "$work/disk.raw" | sha256sum | cut -d' ' -f1)
z_hash=$(python3 -c 'import sys; sys.stdout.buffer.write(b"Z" * 65536)' | sha256sum | cut -d' ' -f1)
serial=
prep=true
case $mode in
  rw) drive=(-drive "file=$work/disk.raw,if=virtio") img=$work/disk.raw ;;
  snapshot) drive=(-drive "file=$work/disk.raw,if=virtio,snapshot=on") img=$work/disk.raw ;;
  readonly) drive=(-drive "file=$work/disk.raw,if=virtio,readonly=on") img=$work/disk.raw ;;
  legacy)
    drive=(-drive "file=$work/disk.raw,if=virtio,format=raw") img=$work/disk.raw
    prep="rmmod virtio_blk && rmmod virtio_pci && insmod /lib/modules/virtio_pci.ko force_legacy=1 && insmod /lib/modules/virtio_blk.ko && sleep 1" ;;
  device)
    qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/disk.qcow2" || exit 1
    serial=GHOST86-VDA-0001
    drive=(-drive "id=d0,if=none,format=qcow2,file=$work/disk.qcow2" -device "virtio-blk-pci,drive=d0,serial=$serial")
    img=$work/disk.qcow2 ;;
  *) echo "unknown mode $mode"; exit 1 ;;
esac
before=$(sha256sum "$img" | cut -d' ' -f1)
write="awk 'BEGIN { while (n++ < 65536) printf \"Z\" }' | dd of=/dev/vda bs=4096 seek=256 conv=fsync 2>/dev/null && echo 3 > /proc/sys/vm/drop_caches && dd if=/dev/vda bs=4096 skip=256 count=16 2>/dev/null | sha256sum"
written=$z_hash ro=0
if [ "$mode" = readonly ]; then
  write="dd if=/dev/zero of=/dev/vda bs=512 count=1 || echo WRITE-REFUSED-\$((40+2))"
  written=WRITE-REFUSED-42 ro=1
fi
"$ghost" -m 128 -kernel "$dir/vmlinuz" -initrd "$dir/initramfs.gz" \
  -append "console=ttyS0,115200 quiet cryptomgr.notests ghost86.shell pci=noacpi" \
  "${drive[@]}" -serial stdio -display none -no-reboot --timeout 600 --wall-timeout 900 \
  --step "serial:# " \
  --step "send:$prep; echo PREP-DONE\n" --step "serial:PREP-DONE" \
  --step "send:echo VERSION_1=\$(cut -c33 /sys/bus/virtio/devices/virtio*/features) RO=\$(cat /sys/block/vda/ro) SIZE=\$(cat /sys/block/vda/size) SERIAL=\$(cat /sys/block/vda/serial). && dd if=/dev/vda bs=4096 count=16 2>/dev/null | sha256sum\n" \
  --step "serial:$pattern_hash" \
  --step "send:$write\n" \
  --step "serial:$written" --step "send:sync; poweroff\n" > "$work/out" 2>&1
status=$?
tail -15 "$work/out"
[ $status -eq 0 ] || { echo "ghost86 exit status $status, expected 0"; exit 1; }
grep -q "reboot: Power down" "$work/out" || { echo "no power-off"; exit 1; }
want_v1=1
[ "$mode" = legacy ] && want_v1=0
grep -q "VERSION_1=$want_v1 RO=$ro SIZE=8192 SERIAL=$serial\." "$work/out" ||
  { echo "expected VERSION_1=$want_v1 RO=$ro SIZE=8192 SERIAL=$serial."; exit 1; }
after=$(sha256sum "$img" | cut -d' ' -f1)
if [ "$mode" = snapshot ] || [ "$mode" = readonly ]; then
  [ "$before" = "$after" ] || { echo "$mode: the image file changed"; exit 1; }
  echo "PASS: read $pattern_hash, then $written, image unchanged"
  exit 0
fi
raw=$img
if [ "$mode" = device ]; then
  qemu-img check -q "$img" || { echo "qemu-img check fails on the image"; exit 1; }
  qemu-img convert -f qcow2 -O raw "$img" "$work/back.raw" || exit 1
  raw=$work/back.raw
fi
[ "$(head -c 65536 "$raw" | sha256sum | cut -d' ' -f1)" = "$pattern_hash" ] || { echo "the pattern changed"; exit 1; }
[ "$(tail -c +1048577 "$raw" | head -c 65536 | sha256sum | cut -d' ' -f1)" = "$z_hash" ] ||
  { echo "the guest's write is not in the image at 1 MiB"; exit 1; }
[ "$(stat -c %s "$raw")" = $((4 << 20)) ] || { echo "the image's size changed"; exit 1; }
echo "PASS: read $pattern_hash, wrote $z_hash at 1 MiB, in the image after power-off"
