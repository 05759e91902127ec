#!/usr/bin/env bash
# seabios_virtio_blk.sh GHOST86: SeaBIOS boots from a virtio-blk disk (its own virtio driver).
# The disk's first sector is a boot sector that writes a marker into VGA text memory; the run
# ends when the screen shows it. Exit 77 (skipped) without nasm or Debian's SeaBIOS.
set -u
ghost=$1
command -v nasm >/dev/null || { echo "nasm is not installed: skipped"; exit 77; }
[ -f /usr/share/seabios/bios.bin ] || { echo "SeaBIOS is not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/boot.asm" <<'ASM'
bits 16
org 0x7c00
  xor ax, ax
  mov ds, ax
  mov ax, 0xb800
  mov es, ax
  mov si, msg
  xor di, di
next:
  lodsb
  test al, al
  jz done
  mov ah, 0x07
  stosw
  jmp next
done:
  hlt
  jmp done
msg: db "BOOTED-FROM-VIRTIO", 0
times 510 - ($ - $$) db 0
dw 0xaa55
ASM
nasm -f bin "$work/boot.asm" -o "$work/disk.img" || exit 1
truncate -s 1M "$work/disk.img"
"$ghost" -drive "file=$work/disk.img,if=virtio,format=raw" -display none \
  --until-screen BOOTED-FROM-VIRTIO --timeout 30 --screendump "$work/screen.txt"
status=$?
cat "$work/screen.txt"
[ $status -eq 0 ] || { echo "ghost86 exit status $status, expected 0"; exit 1; }
