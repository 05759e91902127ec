#!/bin/sh
# check_guest.sh GHOST86 KERNEL APPEND HOST_PROGRAM HOST_ARGS...: boots a benchmark guest on
# ghost86's interpreter with -append APPEND and compares its "NAME checksum=X" line with what
# the same workload computed natively on the host prints.
ghost86=$1 kernel=$2 append=$3 host=$4
shift 4
want=$("$host" "$@") || { echo "the host program failed"; exit 1; }
got=$("$ghost86" -accel interp -kernel "$kernel" -append "$append" -debugcon stdio -display none \
      -device isa-debug-exit,iobase=0xf4,iosize=0x04 --max-insns 5000000000 2>&1)
status=$?
echo "ghost86: $got"
echo "host:    $want"
# The guest exits by writing 0 to isa-debug-exit: status (0 << 1) | 1.
[ "$status" -eq 1 ] || { echo "ghost86 exit status $status, expected 1"; exit 1; }
[ "$(printf '%s\n' "$got" | grep checksum=)" = "$want" ] || { echo "checksum differs"; exit 1; }
echo "checksum matches"
