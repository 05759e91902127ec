#!/usr/bin/env bash
# linux_ide.sh GHOST86 LINUX_DIR BOOT ENGINE FORMAT [KERNEL ARGS...]: the test Linux on the IDE
# disk and CD, with its interrupts through the I/O APIC and the local APIC timer or, with
# `noapic`/`nolapic`, through the 8259s.
#   BOOT    kernel: -kernel/-initrd, the CD as secondary master beside it;
#           bios:   SeaBIOS boots an isolinux CD made here with the same kernel and initramfs
#   ENGINE  interp or jit
#   FORMAT  raw or qcow2 (made by qemu-img; `qemu-img check` must find it clean afterwards)
# The initramfs gets a second archive (Linux unpacks concatenated ones) with the ATA, SCSI disk
# and CD modules from the kernel package cached by scripts/fetch-linux.sh, and a module list
# that makes its /init load them. Linux reads a pattern from sector 0 of the disk, writes
# another at sector 8, reads the CD's primary volume descriptor ("CD001" at sector 16), and
# prints /proc/interrupts. After the run the write must be in the image.
# Exit 77 (skipped) without cpio, or qemu-img for qcow2, or xorriso/isolinux for the CD.
set -u
ghost=$1 dir=$(cd "$2" && pwd) boot=$3 engine=$4 format=$5
shift 5
args="$*"
for t in cpio dpkg-deb gzip; do command -v $t >/dev/null || { echo "$t is not installed: skipped"; exit 77; }; done
[ "$format" = raw ] || command -v qemu-img >/dev/null || { echo "qemu-img is not installed: skipped"; exit 77; }
if [ "$boot" = bios ]; then
  command -v xorriso >/dev/null && [ -f /usr/lib/ISOLINUX/isolinux.bin ] && [ -f /usr/share/seabios/bios.bin ] ||
    { echo "xorriso, isolinux or SeaBIOS is not installed: skipped"; exit 77; }
fi
deb=$(ls "$dir"/debs/linux-image-*-686_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "no kernel package in $dir/debs: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The extra archive: the modules in dependency order, after the ones the base image loads.
dpkg-deb -x "$deb" "$work/kernel"
mods=(crypto/crct10dif_common lib/crc-t10dif lib/crc64 lib/crc64-rocksoft block/t10-pi
      drivers/scsi/scsi_common drivers/scsi/scsi_mod drivers/ata/libata drivers/ata/ata_piix
      drivers/cdrom/cdrom drivers/scsi/sd_mod drivers/scsi/sr_mod)
root=$work/root
mkdir -p "$root/lib/modules"
(cd "$root" && gzip -dc "$dir/initramfs.gz" | cpio -i --quiet lib/modules/order) || exit 1
for m in "${mods[@]}"; do
  cp "$(ls "$work"/kernel/lib/modules/*/kernel/$m.ko | head -1)" "$root/lib/modules/" || exit 1
  echo "$(basename "$m").ko" >> "$root/lib/modules/order"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --owner=0:0) | gzip -9n > "$work/extra.gz"
cat "$dir/initramfs.gz" "$work/extra.gz" > "$work/initrd.gz"

# The disk: 16 MiB, "GHOST86-SECTOR0" at the start.
printf 'GHOST86-SECTOR0' > "$work/disk.raw"
truncate -s 16M "$work/disk.raw"
img=$work/disk.raw
if [ "$format" = qcow2 ]; then
  qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/disk.qcow2" || exit 1
  img=$work/disk.qcow2
fi

append="console=ttyS0,115200 quiet cryptomgr.notests ghost86.shell $args"
if [ "$boot" = kernel ]; then
  media=(-kernel "$dir/vmlinuz" -initrd "$work/initrd.gz" -append "$append" -cdrom "$dir/linux-cd.iso")
else
  iso=$work/iso
  mkdir -p "$iso/isolinux"
  cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
  cp "$dir/vmlinuz" "$iso/isolinux/vmlinuz"
  cp "$work/initrd.gz" "$iso/isolinux/initrd.gz"
  printf 'SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL /isolinux/vmlinuz\n  APPEND initrd=/isolinux/initrd.gz %s\n' \
    "$append" > "$iso/isolinux/isolinux.cfg"
  xorriso -as mkisofs -quiet -o "$work/cd.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table -J -R "$iso" || exit 1
  media=(-bios /usr/share/seabios/bios.bin -cdrom "$work/cd.iso" -boot d)
fi

# Without ACPI the kernel cannot power off (it would halt): the run ends once the disk is synced.
finish="sync; poweroff" end=()
case " $args " in *" acpi=off "*) finish="sync; echo SYNCED-\$((40+2))" end=(--until-serial SYNCED-42) ;; esac
wait_disks="n=0; while { [ ! -b /dev/sda ] || [ ! -b /dev/sr0 ]; } && [ \$n -lt 30 ]; do sleep 1; n=\$((n+1)); done"
"$ghost" -accel "$engine" -m 128 "${media[@]}" -drive "file=$img,if=ide,index=0,format=$format" \
  -serial stdio -display none -no-reboot --timeout 600 --wall-timeout 1200 \
  --step "serial:# " \
  --step "send:$wait_disks; echo DISKS-\$((20+1))\n" --step "serial:DISKS-21" \
  --step "send:echo S0=\$(dd if=/dev/sda bs=512 count=1 2>/dev/null | head -c 15).\n" --step "serial:S0=GHOST86-SECTOR0." \
  --step "send:echo GUEST-WROTE-SECTOR8 | dd of=/dev/sda bs=512 seek=8 conv=sync,fsync 2>/dev/null && echo WROTE-\$((40+2))\n" \
  --step "serial:WROTE-42" \
  --step "send:echo CD=\$(dd if=/dev/sr0 bs=2048 skip=16 count=1 2>/dev/null | head -c 6 | tr -dc A-Z0-9).\n" \
  --step "serial:CD=CD001." \
  --step "send:cat /proc/interrupts; echo IRQS-DONE\n" --step "serial:IRQS-DONE" \
  --step "send:$finish\n" "${end[@]}" > "$work/out" 2>&1
status=$?
tail -40 "$work/out"
fail() { echo "FAIL: $*"; exit 1; }
[ $status -eq 0 ] || fail "ghost86 exited with status $status"
grep -qE "reboot: Power down|^SYNCED-42" "$work/out" || fail "Linux did not power off"
interrupts=$(sed -n '/cat \/proc\/interrupts/,/IRQS-DONE/p' "$work/out")
# The timer's line: IRQ 0 through the I/O APIC, or the 8259 (XT-PIC) without it.
case " $args " in
  *" noapic "* | *" nolapic "*)
    printf '%s\n' "$interrupts" | grep -qE '^ *0: +[1-9][0-9]* +XT-PIC' || fail "IRQ 0 is not an XT-PIC interrupt" ;;
  *)
    printf '%s\n' "$interrupts" | grep -qE 'IO-APIC +[0-9]+-edge +ata_piix' || fail "the IDE interrupts are not IO-APIC ones"
    printf '%s\n' "$interrupts" | grep -qE '^ *LOC: +[1-9][0-9]*' || fail "the local APIC timer did not count" ;;
esac
check=$work/check.raw
if [ "$format" = qcow2 ]; then
  qemu-img check "$img" || fail "qemu-img check found the image damaged"
  qemu-img convert -f qcow2 -O raw "$img" "$check" || exit 1
else
  check=$img
fi
[ "$(dd if="$check" bs=512 skip=8 count=1 2>/dev/null | head -c 19)" = GUEST-WROTE-SECTOR8 ] ||
  fail "the guest's write is not in sector 8 of the image"
[ "$(head -c 15 "$check")" = GHOST86-SECTOR0 ] || fail "sector 0 changed"
echo "PASS"
