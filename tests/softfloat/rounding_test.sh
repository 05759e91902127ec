#!/bin/sh
# The transcendentals against a 600-bit reference (check_rounding.py, mpmath):
#   1. our results alone, on any host: each must be the correctly rounded value, with C1 saying
#      which way it was rounded;
#   2. on an x86-64 host, every case where the host x87 and we differ (by one ulp, or in C1):
#      ours must be the correctly rounded one; the script reports how often the host's is.
# usage: rounding_test.sh GHOST86-FPUDIFF CHECK_ROUNDING.PY WORKDIR
set -eu
fpudiff=$1 checker=$2 dir=$3
# Debian's python3-mpmath (scripts/deps.sh) belongs to /usr/bin/python3, which another python3
# earlier in PATH may not see.
python=
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import mpmath' 2>/dev/null; then python=$p && break; fi
done
if [ -z "$python" ]; then
  echo "rounding_test.sh: no python3 with mpmath (scripts/deps.sh installs python3-mpmath)" >&2
  exit 1
fi
"$fpudiff" --seed 3 --count 1000 --ops transc --reference "$dir/transc-reference.txt"
echo "our results alone:"
"$python" "$checker" < "$dir/transc-reference.txt"
rm -f "$dir/transc-host.txt"
"$fpudiff" --seed 4 --count 20000 --ops transc --lines "$dir/transc-host.txt"
if [ -f "$dir/transc-host.txt" ]; then
  echo "where the host x87 differs:"
  "$python" "$checker" < "$dir/transc-host.txt"
fi
