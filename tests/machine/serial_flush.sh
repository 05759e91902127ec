#!/usr/bin/env bash
# Bytes the guest wrote are never lost when ghost86 ends: neither those still in a UART's
# transmitter when the guest exits through isa-debug-exit, nor those in the transmitter and the
# output buffers when ghost86 is stopped by SIGTERM, SIGINT or SIGHUP (which end it as the
# signal would, after flushing). The guest is a 64 KiB firmware image written here: it turns
# the FIFOs on, writes "hello" to COM1 and "dbg" (no newline) to the debug console, then exits
# or spins.
# Usage: serial_flush.sh GHOST86
set -euo pipefail
ghost86=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# rom FILE BODY-HEX: BODY at F000:0000, a far jump to it at the reset vector, HLT elsewhere.
rom() {
  head -c 65536 /dev/zero | tr '\0' '\364' > "$1"
  printf "$(echo "$2" | sed 's/\([0-9A-Fa-f][0-9A-Fa-f]\) */\\x\1/g')" | dd of="$1" conv=notrunc status=none
  printf '\xea\x00\x00\x00\xf0' | dd of="$1" bs=1 seek=$((0xfff0)) conv=notrunc status=none
}
fifo_on="BA FA 03 B0 07 EE"                       # FCR = 07h: FIFOs on and reset
# Divisor 0 (65536): 1.76 baud, so a character takes 5.7 s of virtual time.
slowest="BA FB 03 B0 83 EE BA F8 03 B0 00 EE BA F9 03 EE BA FB 03 B0 03 EE"
hello="BA F8 03 B0 68 EE B0 65 EE B0 6C EE B0 6C EE B0 6F EE"
crlf="B0 0D EE B0 0A EE"                    # "\r\n" after it, as a guest ends its last line
dbg="B0 64 E6 E9 B0 62 E6 E9 B0 67 E6 E9"
exit_now="B0 00 E6 F4"                     # isa-debug-exit: status (0 << 1) | 1
spin="EB FE"

# isa-debug-exit right after the writes, at the reset divisor (9600 baud), in both timings: the
# output ends with the "\r\n" still in the FIFO, on a file and on stdout alike.
rom "$dir/exit.bin" "$fifo_on $hello $crlf $dbg $exit_now"
printf 'hello\r\n' > "$dir/want.txt"
for timing in fast baud; do
  status=0
  "$ghost86" -bios "$dir/exit.bin" -display none -serial "file:$dir/exit-$timing.txt" -debugcon "file:$dir/exit-dbg.txt" \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -global isa-serial.timing=$timing || status=$?
  [ "$status" = 1 ] || fail "isa-debug-exit ($timing): exit status $status, expected 1"
  cmp -s "$dir/want.txt" "$dir/exit-$timing.txt" || fail "isa-debug-exit ($timing): serial has '$(od -c "$dir/exit-$timing.txt")'"
  [ "$(cat "$dir/exit-dbg.txt")" = dbg ] || fail "isa-debug-exit ($timing): debugcon has '$(cat "$dir/exit-dbg.txt")'"
  status=0
  "$ghost86" -bios "$dir/exit.bin" -display none -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -global isa-serial.timing=$timing < /dev/null > "$dir/stdout-$timing.txt" || status=$?
  [ "$status" = 1 ] || fail "isa-debug-exit ($timing, stdio): exit status $status, expected 1"
  cmp -s "$dir/want.txt" "$dir/stdout-$timing.txt" || fail "isa-debug-exit ($timing, stdio): stdout has '$(od -c "$dir/stdout-$timing.txt")'"
done

# A signal while the characters wait in the FIFO and "dbg" in the debug console's buffer.
# Job control gives the background job SIGINT as a terminal would (otherwise it is ignored).
set -m
rom "$dir/spin.bin" "$fifo_on $slowest $hello $dbg $spin"
for sig in TERM INT HUP; do
  rm -f "$dir/sig.txt" "$dir/sig-dbg.txt"
  "$ghost86" -bios "$dir/spin.bin" -display none -serial "file:$dir/sig.txt" -debugcon "file:$dir/sig-dbg.txt" \
    -global isa-serial.timing=baud 2> "$dir/stderr.txt" &
  pid=$!
  # Until the guest has started writing (the serial file exists: the machine is built).
  for _ in $(seq 100); do [ -e "$dir/sig.txt" ] && break; sleep 0.05; done
  sleep 0.5
  kill -s "$sig" "$pid"
  status=0
  wait "$pid" || status=$?
  want=$((128 + $(kill -l "$sig")))
  [ "$status" = "$want" ] || fail "SIG$sig: exit status $status, expected $want ($(cat "$dir/stderr.txt"))"
  [ "$(cat "$dir/sig.txt")" = hello ] || fail "SIG$sig: serial has '$(cat "$dir/sig.txt")'"
  [ "$(cat "$dir/sig-dbg.txt")" = dbg ] || fail "SIG$sig: debugcon has '$(cat "$dir/sig-dbg.txt")'"
done
echo "serial_flush: all passed"
