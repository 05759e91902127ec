#!/usr/bin/env bash
# -display sdl as QEMU's: without a display it says so and exits 1 (SDL would otherwise draw off
# screen and the run go on with no window); SIGTERM while the window is open ends ghost86 as the
# signal would (status 143), not as a closed window (status 0). The window here is SDL's offscreen
# driver, chosen with SDL_VIDEODRIVER, which needs no desktop.
# Usage: sdl_display.sh GHOST86
set -u
ghost86=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# A firmware that spins at F000:0000.
head -c 65536 /dev/zero | tr '\0' '\364' > "$dir/spin.bin"
printf '\xeb\xfe' | dd of="$dir/spin.bin" conv=notrunc status=none
printf '\xea\x00\x00\x00\xf0' | dd of="$dir/spin.bin" bs=1 seek=$((0xfff0)) conv=notrunc status=none

env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$ghost86" -bios "$dir/spin.bin" -display sdl --max-insns 100000000 \
  > "$dir/out" 2> "$dir/err"
status=$?
[ "$status" = 1 ] || fail "no display: exit status $status, expected 1"
[ "$(wc -l < "$dir/err")" = 1 ] && grep -q -- "-display sdl: no display" "$dir/err" || fail "no display: stderr $(cat "$dir/err")"

SDL_VIDEODRIVER=offscreen "$ghost86" -bios "$dir/spin.bin" -display sdl 2> "$dir/err" &
pid=$!
sleep 1
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" = 143 ] || fail "SIGTERM: exit status $status, expected 143 ($(cat "$dir/err"))"
grep -q "window was closed" "$dir/err" && fail "SIGTERM was taken for a closed window"
echo "sdl_display: all passed"
