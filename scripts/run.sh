#!/usr/bin/env bash
# One command from a fresh clone: install dependencies, build, and boot the default guest with
# its output on this terminal. Extra arguments go to ghost86.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
exec "${BUILD_DIR:-build}/ghost86" "$@"
