#!/bin/sh
# expect_exit.sh STATUS REGEX COMMAND...: runs COMMAND, passes when it exits with STATUS and its
# output matches REGEX.
want=$1 pattern=$2
shift 2
out=$("$@" 2>&1)
got=$?
printf '%s\n' "$out" | tail -20
if [ "$got" -ne "$want" ]; then echo "exit status $got, expected $want"; exit 1; fi
printf '%s\n' "$out" | grep -q -- "$pattern" || { echo "no '$pattern' in the output"; exit 1; }
