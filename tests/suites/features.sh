#!/bin/sh
# ghost86 test on tests/suites/features.toml: needles (the project's FreeDOS prompt; one pixel
# changed passes with tolerance 1 and fails with 0, leaving the diff picture), Ctrl-Alt-Delete,
# qmp steps, stop and cont steps, a savevm step and two cases that start from its snapshot; the
# same JUnit bytes with -j 1, -j 4 and two merged shards; --update-needles; a bad needle is
# status 2 and one line.
# Usage: features.sh GHOST86. Exits 77 (skipped) without SeaBIOS, the FreeDOS image or python3.
set -u
ghost86=$1
here=$(cd "$(dirname "$0")" && pwd)
suite=$here/features.toml
floppy=$here/../../../shared/testdata/freedos/freedos-boot-1.44M.img
[ -r /usr/share/seabios/bios.bin ] && [ -r "$floppy" ] && command -v python3 > /dev/null || {
  echo "skipped: SeaBIOS, the FreeDOS image or python3 is missing"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The prompt needle with pixel (1,5), inside its area, inverted: 1 pixel differs.
NEEDLES=$tmp/needles
export NEEDLES
mkdir "$NEEDLES"
python3 "$here/png_pixel.py" "$here/needles/freedos-prompt.png" "$NEEDLES/one-pixel-tolerance-0.png" 1 5 || fail "png_pixel.py"
cp "$here/needles/freedos-prompt.json" "$NEEDLES/one-pixel-tolerance-0.json"
cp "$NEEDLES/one-pixel-tolerance-0.png" "$NEEDLES/one-pixel-tolerance-1.png"
sed 's/"tolerance": 0/"tolerance": 1/' "$here/needles/freedos-prompt.json" > "$NEEDLES/one-pixel-tolerance-1.json"
grep -q '"tolerance": 1' "$NEEDLES/one-pixel-tolerance-1.json" || fail "tolerance edit"

"$ghost86" test -j 1 --junit "$tmp/j1.xml" --artifacts "$tmp/a1" "$suite" > "$tmp/j1.out"
[ $? -eq 1 ] || { cat "$tmp/j1.out"; fail "-j 1: expected status 1 (needle-mismatch fails)"; }
cat "$tmp/j1.out"
grep -q '^7 passed, 1 failed, 0 skipped$' "$tmp/j1.out" || fail "summary line"
grep -q '^FAIL needle-mismatch' "$tmp/j1.out" || fail "needle-mismatch is the failure"
grep -q "<failure message=\"step 1 (needle:$NEEDLES/one-pixel-tolerance-0) did not match within 0.1 s of virtual time: area 'prompt' of needle 'one-pixel-tolerance-0' differs in 1 pixels (tolerance 0)\"" "$tmp/j1.xml" ||
  fail "JUnit failure message of needle-mismatch"
diff=$tmp/a1/needle-mismatch/needle-one-pixel-tolerance-0-diff.png
[ "$(head -c 8 "$diff" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the needle diff picture"
[ ! -e "$tmp/a1/needle-tolerance" ] || fail "a passing case left artifacts"
[ -f "$tmp/a1/snapshots/freedos-prompt.snap" ] || fail "the savevm step's snapshot"
# qmp-reset's screendump while stopped: the prompt with the key typed before the stop only.
grep -q '^A:\\>v *$' "$NEEDLES/paused.txt" || fail "the screendump while stopped: $(cat "$NEEDLES/paused.txt")"

"$ghost86" test -j 4 --junit "$tmp/j4.xml" --artifacts "$tmp/a4" "$suite" > /dev/null
"$ghost86" test --shard 1/2 --junit "$tmp/s1.xml" --artifacts "$tmp/s" "$suite" > /dev/null
"$ghost86" test --shard 2/2 --junit "$tmp/s2.xml" --artifacts "$tmp/s" "$suite" > /dev/null
"$ghost86" test --merge "$tmp/merged.xml" "$tmp/s1.xml" "$tmp/s2.xml" > /dev/null
cmp "$tmp/j1.xml" "$tmp/j4.xml" || fail "-j 1 and -j 4 differ"
cmp "$tmp/j1.xml" "$tmp/merged.xml" || fail "-j 1 and the merged shards differ"
# Cases that start from a snapshot go with the case that saves it.
[ "$("$ghost86" test --shard 1/2 --list "$suite" | tr '\n' ' ')" = "needle-prompt needle-mismatch qmp-reset " ] ||
  fail "--shard 1/2 --list"
[ "$("$ghost86" test --shard 2/2 --list "$suite" | tr '\n' ' ')" = "needle-tolerance ctrl-alt-delete boot-and-save from-snapshot-ver from-snapshot-dir " ] ||
  fail "--shard 2/2 --list"
[ "$("$ghost86" test --list "$suite" from-snapshot-dir | tr '\n' ' ')" = "boot-and-save from-snapshot-dir " ] ||
  fail "a named case brings the case it needs"

# --update-needles: the edited needle is rewritten from the screen (the same picture as the
# project's needle, written the same way: the same bytes) and keeps its areas; a needle with
# areas but no picture gets one; afterwards both match.
printf '{"areas": [{"name": "top-left", "x": 0, "y": 0, "width": 9, "height": 16}]}\n' > "$NEEDLES/fresh.json"
cat > "$tmp/update.toml" << EOF2
name = "update"
[defaults]
args = ["-accel", "jit", "-fda", "$floppy", "-snapshot", "-boot", "a"]
[[case]]
name = "edited"
steps = [{ screen = "A:.>", within = 10 }, { needle = "$NEEDLES/one-pixel-tolerance-0", within = 0.1 }]
[[case]]
name = "fresh"
steps = [{ screen = "A:.>", within = 10 }, { needle = "$NEEDLES/fresh", within = 0.1 }]
EOF2
"$ghost86" test --artifacts "$tmp/u" "$tmp/update.toml" > /dev/null 2> "$tmp/err"
[ $? -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "fresh.png': does not exist" "$tmp/err" ||
  fail "a needle without its picture: $(cat "$tmp/err")"
"$ghost86" test --update-needles --artifacts "$tmp/u" "$tmp/update.toml" > /dev/null || fail "--update-needles"
cmp "$NEEDLES/one-pixel-tolerance-0.png" "$here/needles/freedos-prompt.png" || fail "the updated needle's picture"
cmp "$NEEDLES/one-pixel-tolerance-0.json" "$here/needles/freedos-prompt.json" || fail "the updated needle's areas"
grep -q '"name": "top-left"' "$NEEDLES/fresh.json" && [ -f "$NEEDLES/fresh.png" ] || fail "the fresh needle"
"$ghost86" test --artifacts "$tmp/u" "$tmp/update.toml" > /dev/null || fail "the updated needles match"

# A bad needle: status 2, one line naming the file.
printf '{"areas": [{"x": 0, "y": 0, "width": 900, "height": 16}]}\n' > "$NEEDLES/fresh.json"
"$ghost86" test --artifacts "$tmp/u" "$tmp/update.toml" > /dev/null 2> "$tmp/err"
[ $? -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "fresh.json': area 'area1' (900x16 at 0,0) lies outside the 720x400 picture" "$tmp/err" ||
  fail "a needle area outside its picture: $(cat "$tmp/err")"
echo "features: ok"
