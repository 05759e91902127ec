#!/usr/bin/env bash
# Boot times of ghost86 and QEMU TCG (qemu-system-i386) on the same guests in the same run:
#   freedos         SeaBIOS + the FreeDOS floppy until the A:\> prompt is on the text screen
#   linux-kernel    -kernel vmlinuz + busybox initramfs until it powers off (after its marker)
#   linux-cd        the isolinux CD through SeaBIOS until it powers off
# Prints wall seconds and the ratio (QEMU time / ghost86 time: above 1 means ghost86 is faster).
# QEMU has no "wait for screen text", so a small watcher polls its text screen through the
# monitor (`xp` of B8000h) every 20 ms; ghost86 uses --until-screen. Both run headless.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
need=()
command -v qemu-system-i386 >/dev/null || need+=(qemu-system-x86)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -ne 0 ]; then
  $sudo apt-get update || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -o DPkg::Lock::Timeout=600 "${need[@]}"
fi
scripts/build.sh
b=${BUILD_DIR:-build}
bios=/usr/share/seabios/bios.bin
freedos=../shared/testdata/freedos/freedos-boot-1.44M.img
linux=.cache/linux
runs=${RUNS:-3}

now() { date +%s.%N; }
# Best of $runs wall times of a command, in seconds.
best() {
  local best="" s e t
  for _ in $(seq "$runs"); do
    s=$(now); "$@" >/dev/null 2>&1 || true; e=$(now)
    t=$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f", b - a}')
    best=$(awk -v a="$best" -v b="$t" 'BEGIN{ if (a == "" || b < a) print b; else print a }')
  done
  echo "$best"
}

# Runs QEMU until its text screen's first row starts with the given text, then kills it.
qemu_until_screen() {
  local text=$1; shift
  python3 - "$text" "$@" <<'PY'
import os, socket, subprocess, sys, tempfile, time
text, args = sys.argv[1], sys.argv[2:]
sock = os.path.join(tempfile.mkdtemp(), "mon")
qemu = subprocess.Popen(args + ["-monitor", f"unix:{sock},server,nowait"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(500):
        if os.path.exists(sock): break
        time.sleep(0.01)
    s = socket.socket(socket.AF_UNIX); s.connect(sock); s.settimeout(5)
    def cmd(c):
        s.sendall((c + "\n").encode()); out = b""
        while not out.rstrip().endswith(b"(qemu)"): out += s.recv(65536)
        return out.decode(errors="replace")
    cmd("")
    want = text.encode()
    deadline = time.time() + 120
    while time.time() < deadline:
        dump = cmd(f"xp /{2 * len(want)}bx 0xb8000")
        vals = [int(v, 16) for line in dump.splitlines() if ":" in line and line.strip().startswith("00")
                for v in line.split(":", 1)[1].split()]
        if bytes(vals[0::2]) == want: sys.exit(0)
        time.sleep(0.02)
    sys.exit(1)
finally:
    qemu.kill(); qemu.wait()
PY
}

printf "%-14s %10s %10s %8s\n" guest "ghost86 s" "qemu s" ratio
row() { printf "%-14s %10.3f %10.3f %8.2f\n" "$1" "$2" "$3" "$(awk -v q="$3" -v g="$2" 'BEGIN{printf "%.2f", q / g}')"; }

g=$(best "$b/ghost86" -bios "$bios" -fda "$freedos" -snapshot -boot a -display none --until-screen 'A:.>' --timeout 60)
q=$(best qemu_until_screen 'A:\>' qemu-system-i386 -bios "$bios" -fda "$freedos" -snapshot -boot a \
      -display none -serial none -accel tcg)
row freedos "$g" "$q"

if [ -s "$linux/vmlinuz" ] && [ -s "$linux/initramfs.gz" ]; then
  append="console=ttyS0,115200 quiet cryptomgr.notests"
  g=$(best "$b/ghost86" -m 128 -kernel "$linux/vmlinuz" -initrd "$linux/initramfs.gz" -append "$append" \
        -serial stdio -display none -no-reboot --timeout 300)
  q=$(best qemu-system-i386 -m 128 -kernel "$linux/vmlinuz" -initrd "$linux/initramfs.gz" -append "$append" \
        -serial stdio -display none -monitor none -no-reboot -accel tcg)
  row linux-kernel "$g" "$q"
fi
if [ -s "$linux/linux-cd.iso" ]; then
  g=$(best "$b/ghost86" -m 128 -bios "$bios" -cdrom "$linux/linux-cd.iso" -boot d -serial stdio -display none \
        -no-reboot --timeout 300)
  q=$(best qemu-system-i386 -m 128 -bios "$bios" -cdrom "$linux/linux-cd.iso" -boot d -serial stdio -display none \
        -monitor none -no-reboot -accel tcg)
  row linux-cd "$g" "$q"
fi
