#!/usr/bin/env bash
# One command from a fresh clone: install dependencies, build, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
build_dir=${BUILD_DIR:-build}
skip=()
# Under the sanitizers the Linux boots on the interpreter alone are left out (their label says
# why, in tests/CMakeLists.txt): the interpreter still runs the Linux boot there, in
# jitdiff_linux_boot and replay_linux.
if [ -n "${GHOST86_SANITIZE:-}" ]; then
  skip=(-LE interp_linux_boot)
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" --timeout 900 "${skip[@]}"
