#!/usr/bin/env bash
# Runs the x87 guest program on ghost86 and the same C source built for the host, and compares
# their outputs line by line. Results of the transcendental instructions may differ by one unit
# in the last place (the accuracy the SDM gives for them, §8.3.10); everything else must be
# bit-identical.
# Usage: compare.sh GHOST86 ROM HOST_BINARY ACCEL
set -u
ghost86=$1 rom=$2 host=$3 accel=$4
# The host twin is an i386 binary: a kernel without 32-bit support cannot run it (exit status
# 126, "Exec format error"). Nothing is compared then, so the test reports itself skipped.
"$host" >/dev/null 2>&1
if [ $? -eq 126 ]; then
  echo "SKIPPED: this host cannot execute i386 binaries ($host)"
  exit 0
fi
guest_out=$("$ghost86" -bios "$rom" -debugcon stdio -accel "$accel" \
  -device isa-debug-exit,iobase=0xf4,iosize=4 --max-insns 500000000)
host_out=$("$host")
if ! grep -q "x87 guest done" <<<"$guest_out"; then
  echo "FAIL: the guest did not finish"
  printf '%s\n' "$guest_out" | tail -5
  exit 1
fi
transcendental=" sin cos tan sincos-s sincos-c atan ylog2x f2xm1 yl2xp1 "
lines=0 bad=0 ulp=0
while IFS='|' read -r g h; do
  lines=$((lines + 1))
  [ "$g" = "$h" ] && continue
  name=${g%%:*}
  # "name: EEEE:SSSSSSSSSSSSSSSS decimal": the same exponent word, significands one apart.
  if [[ $transcendental == *" $name "* && $g =~ ^[^:]*:\ ([0-9a-f]{4}):([0-9a-f]{16}) ]]; then
    ge=${BASH_REMATCH[1]} gs=${BASH_REMATCH[2]}
    if [[ $h =~ ^[^:]*:\ ([0-9a-f]{4}):([0-9a-f]{16}) ]] && [ "$ge" = "${BASH_REMATCH[1]}" ]; then
      d=$(( 16#$gs - 16#${BASH_REMATCH[2]} ))
      if [ "$d" -eq 1 ] || [ "$d" -eq -1 ]; then
        ulp=$((ulp + 1))
        echo "1 ulp: guest '$g' host '$h'"
        continue
      fi
    fi
  fi
  bad=$((bad + 1))
  echo "DIFF: guest '$g'"
  echo "       host '$h'"
done < <(paste -d '|' <(printf '%s\n' "$guest_out") <(printf '%s\n' "$host_out"))
echo "$lines lines compared, $bad different, $ulp transcendental results 1 ulp apart"
[ "$bad" -eq 0 ] && echo "x87 guest matches the host"
[ "$bad" -eq 0 ]
