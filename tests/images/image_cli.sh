#!/bin/sh
# image_cli.sh GHOST86: the binary on images it must not use: another format, a damaged qcow2,
# an image a QEMU tool holds. Each ends with status 1 and one line on stderr naming the file.
# While ghost86 holds an image, qemu-img (without -U) and qemu-system-i386 (when installed)
# cannot open it, and ghost86 cannot open one qemu-system-i386 holds. Exit 77 without qemu-img.
set -u
bin=$1
command -v qemu-img >/dev/null && command -v qemu-io >/dev/null ||
  { echo "qemu-img or qemu-io not found (Debian qemu-utils): skipped"; exit 77; }
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
status=0
check() {  # check <expected stderr substring> <args...>
  want=$1; shift
  # --timeout: a run that is not refused ends (and fails the check) instead of hanging.
  "$bin" -bios /usr/share/seabios/bios.bin -display none --timeout 30 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$? lines=$(wc -l < "$tmp/err")
  if [ $rc -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err"; then
    echo "FAIL: ghost86 $* -> status $rc, stderr:"; cat "$tmp/err"; status=1
  else
    echo "ok: ghost86 $* -> $(cat "$tmp/err")"
  fi
}
qemu-img create -q -f vmdk "$tmp/d.vmdk" 8M
check "-hda: '$tmp/d.vmdk' is a vmdk image, which is not supported" -hda "$tmp/d.vmdk"
qemu-img create -q -f qcow2 "$tmp/q.qcow2" 8M
cp "$tmp/q.qcow2" "$tmp/bad.qcow2"
printf '\377\377\377\377' | dd of="$tmp/bad.qcow2" bs=1 seek=40 conv=notrunc 2>/dev/null  # L1 offset
check "-hda: qcow2 image '$tmp/bad.qcow2' has the L1 table" -hda "$tmp/bad.qcow2"
check "-drive: '$tmp/d.vmdk' is not a qcow2 image" -drive "file=$tmp/d.vmdk,format=qcow2"

# wait_for FILE TEXT: until FILE shows TEXT (a QEMU tool answered, so its image is open).
wait_for() {
  i=0
  until grep -qF -- "$2" "$1" 2>/dev/null || [ $i -ge 3000 ]; do sleep 0.02; i=$((i + 1)); done
  grep -qF -- "$2" "$1" || { echo "FAIL: no '$2' from the QEMU tool"; cat "$1"; exit 1; }
}

# qemu-io holds q.qcow2 for writing until its input ends; its answer to a read shows it is open.
mkfifo "$tmp/fifo"
qemu-io -f qcow2 "$tmp/q.qcow2" <"$tmp/fifo" >"$tmp/io" 2>&1 &
pid=$!
exec 3>"$tmp/fifo"
echo "read 0 512" >&3
wait_for "$tmp/io" "read 512/512 bytes"
check "-hda: '$tmp/q.qcow2' is in use by another process" -hda "$tmp/q.qcow2"
check "is in use by another process" -hda "$tmp/q.qcow2" -snapshot
exec 3>&-
wait $pid
pid=

# ghost86 holds it (the image is locked before the guest starts): qemu-img info fails without -U.
"$bin" -bios /usr/share/seabios/bios.bin -hda "$tmp/q.qcow2" -display none --until-screen NEVER-MATCHES \
  --timeout 100000 --wall-timeout 300 >/dev/null 2>&1 &
pid=$!
# Wait for its lock in /proc/locks: polling with qemu-img would itself lock the image briefly.
ino=$(stat -c %i "$tmp/q.qcow2")
i=0
until grep -qE ":$ino 201 201\$" /proc/locks || [ $i -ge 3000 ]; do sleep 0.02; i=$((i + 1)); done
if qemu-img info "$tmp/q.qcow2" >"$tmp/info" 2>&1; then echo "FAIL: qemu-img info opened an image ghost86 holds"; status=1
elif grep -q 'Failed to get shared "write" lock' "$tmp/info"; then echo "ok: qemu-img info: $(head -1 "$tmp/info")"
else echo "FAIL: qemu-img info: $(cat "$tmp/info")"; status=1; fi
qemu-img info -U "$tmp/q.qcow2" >/dev/null 2>&1 || { echo "FAIL: qemu-img info -U"; status=1; }
if command -v qemu-system-i386 >/dev/null; then
  if timeout 60 qemu-system-i386 -display none -hda "$tmp/q.qcow2" -S >"$tmp/qemu" 2>&1; then
    echo "FAIL: qemu-system-i386 opened an image ghost86 holds"; status=1
  elif grep -q 'Failed to get "write" lock' "$tmp/qemu"; then echo "ok: qemu-system-i386: $(head -1 "$tmp/qemu")"
  else echo "FAIL: qemu-system-i386: $(cat "$tmp/qemu")"; status=1; fi
fi
kill $pid
wait $pid
pid=
qemu-img check -q "$tmp/q.qcow2" || { echo "FAIL: qemu-img check after ghost86 ended"; status=1; }

# qemu-system-i386 (stopped with -S) holds it: ghost86 refuses. Its monitor lists the drive
# once the machine, disks included, is set up.
if command -v qemu-system-i386 >/dev/null; then
  rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
  qemu-system-i386 -display none -S -monitor stdio -hda "$tmp/q.qcow2" <"$tmp/fifo" >"$tmp/mon" 2>&1 &
  pid=$!
  exec 3>"$tmp/fifo"
  echo "info block" >&3
  wait_for "$tmp/mon" "q.qcow2 (qcow2)"
  check "-hda: '$tmp/q.qcow2' is in use by another process" -hda "$tmp/q.qcow2"
  echo "quit" >&3
  exec 3>&-
  wait $pid
  pid=
fi
exit $status
