#!/usr/bin/env bash
# Fetches the Linux test guest from Debian 12 packages and builds its images, caching everything
# under .cache/linux in the repository (gitignored). Idempotent: does nothing when the images
# exist. Produces:
#   vmlinuz          the i386 non-PAE kernel (linux-image-*-686)
#   initramfs.gz     busybox (busybox-static:i386) and an /init that prints GHOST86-LINUX-OK,
#                    runs a few commands, then powers off, or starts a shell with ghost86.shell
#                    on the kernel command line; it loads the network and virtio modules
#                    (e1000, virtio_pci, virtio_net, virtio_blk) from the same kernel package
#                    and brings up lo
#   linux-cd.iso     an isolinux El Torito CD booting the two with console=ttyS0
# Exits 0 with a warning when the packages cannot be fetched (offline); tests needing the
# images are then not registered.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/linux
mkdir -p "$out"
# The images are rebuilt (the packages are not downloaded again) when this script changes.
stamp=$(sha256sum "$0" | cut -d' ' -f1)
if [ -s "$out/vmlinuz" ] && [ -s "$out/initramfs.gz" ] && [ -s "$out/linux-cd.iso" ] &&
   [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
warn() { echo "fetch-linux.sh: $*; the Linux boot tests will not be registered" >&2; exit 0; }

# Host tools for the images.
tools=(cpio gzip xorriso isolinux syslinux-common)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
need_update=0
if ! dpkg --print-foreign-architectures | grep -qx i386 && [ "$(dpkg --print-architecture)" != i386 ]; then
  $sudo dpkg --add-architecture i386
  need_update=1
fi
if [ $need_update -eq 1 ] || [ ${#missing[@]} -ne 0 ] || ! apt-cache show busybox-static:i386 >/dev/null 2>&1; then
  $sudo apt-get update || true
fi
if [ ${#missing[@]} -ne 0 ]; then
  $sudo apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}" || warn "cannot install ${missing[*]}"
fi

debs=$out/debs
mkdir -p "$debs"
if ! ls "$debs"/linux-image-*-686_*.deb >/dev/null 2>&1; then
  # The metapackage names the current ABI's image package.
  image=$(apt-cache depends linux-image-686:i386 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[0-9].*-686\)\(:i386\)\?$/\1/p' | head -1) || true
  [ -n "$image" ] || warn "no linux-image-686:i386 in the package lists"
  (cd "$debs" && apt-get download "$image:i386") || warn "cannot download $image:i386"
fi
if ! ls "$debs"/busybox-static_*_i386.deb >/dev/null 2>&1; then
  (cd "$debs" && apt-get download busybox-static:i386) || warn "cannot download busybox-static:i386"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$(ls "$debs"/linux-image-*-686_*.deb | head -1)" "$work/kernel"
cp "$(ls "$work"/kernel/boot/vmlinuz-* | head -1)" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"

dpkg-deb -x "$(ls "$debs"/busybox-static_*_i386.deb | head -1)" "$work/busybox"
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# Driver modules from the kernel package, in load order (dependencies first).
kmods=(net/core/failover drivers/net/net_failover drivers/virtio/virtio_ring drivers/virtio/virtio
       drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci
       drivers/net/virtio_net drivers/block/virtio_blk drivers/net/ethernet/intel/e1000/e1000)
mkdir -p "$root/lib/modules"
for m in "${kmods[@]}"; do
  cp "$(ls "$work"/kernel/lib/modules/*/kernel/$m.ko | head -1)" "$root/lib/modules/"
  echo "$(basename "$m").ko" >> "$root/lib/modules/order"
done
# udhcpc's script: configures the interface, the default route and the resolver from the lease.
mkdir -p "$root/usr/share/udhcpc"
cat > "$root/usr/share/udhcpc/default.script" <<'DHCP'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    ;;
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
esac
exit 0
DHCP
chmod 755 "$root/usr/share/udhcpc/default.script"
cat > "$root/init" <<'INIT'
#!/bin/sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m 2>/dev/null; done
ip link set lo up
echo GHOST86-LINUX-OK
uname -a
cat /proc/cpuinfo
ls /
dmesg | grep -E 'ACPI: (RSDP|FACP|DSDT)'
if grep -qw ghost86.shell /proc/cmdline; then
  # busybox init owns the console from here: a shell with job control on ttyS0, respawned
  # when it exits, and `poweroff` or `reboot` shut down cleanly (ACPI soft-off for poweroff).
  exec /sbin/init
fi
echo GHOST86-LINUX-POWEROFF
sleep 1  # let the serial console drain: poweroff -f does not wait for it
poweroff -f
INIT
chmod 755 "$root/init"
cat > "$root/etc/inittab" <<'INITTAB'
ttyS0::respawn:-/bin/sh
::shutdown:/bin/sync
INITTAB
# Fixed timestamps and ordering: the same packages give the same bytes (and guest state).
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --owner=0:0 --reproducible) | gzip -9n > "$out/initramfs.gz.tmp"
mv "$out/initramfs.gz.tmp" "$out/initramfs.gz"

# The isolinux CD: same kernel and initramfs, serial console, powering off at the end.
iso=$work/iso
mkdir -p "$iso/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin "$iso/isolinux/"
cp /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
cp "$out/vmlinuz" "$iso/isolinux/vmlinuz"
cp "$out/initramfs.gz" "$iso/isolinux/initrd.gz"
cat > "$iso/isolinux/isolinux.cfg" <<'CFG'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /isolinux/vmlinuz
  APPEND initrd=/isolinux/initrd.gz console=ttyS0,115200 quiet cryptomgr.notests
CFG
xorriso -as mkisofs -quiet -o "$out/linux-cd.iso.tmp" -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table -J -R "$iso"
mv "$out/linux-cd.iso.tmp" "$out/linux-cd.iso"
echo "$stamp" > "$out/stamp"
echo "fetch-linux.sh: images in $out"
