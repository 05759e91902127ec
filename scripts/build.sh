#!/usr/bin/env bash
# Configures (Ninja, Release) and builds ghost86 into ${BUILD_DIR:-build}.
# GHOST86_SANITIZE=address,undefined builds with sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
args=(-G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release})
if [ -n "${GHOST86_SANITIZE:-}" ]; then args+=("-DGHOST86_SANITIZE=${GHOST86_SANITIZE}"); fi
cmake -S . -B "$build_dir" "${args[@]}" >/dev/null
cmake --build "$build_dir"
