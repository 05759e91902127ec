#!/usr/bin/env python3
"""measure.py OUT_PREFIX [--until REGEX] -- COMMAND...: runs COMMAND once and prints its wall
time in seconds and its peak resident memory in KiB (the kernel's ru_maxrss of the child, the
figure /usr/bin/time -f %M reports). Standard output goes to OUT_PREFIX.out, standard error to
OUT_PREFIX.err. With --until, the command is stopped as soon as its standard output matches
REGEX (for guests that go on running after the marker being timed)."""
import os
import re
import signal
import subprocess
import sys
import time


def main() -> int:
    args = sys.argv[1:]
    if len(args) < 3 or "--" not in args:
        print("usage: measure.py OUT_PREFIX [--until REGEX] -- COMMAND...", file=sys.stderr)
        return 2
    sep = args.index("--")
    opts, cmd = args[:sep], args[sep + 1:]
    prefix, until = opts[0], None
    if len(opts) == 3 and opts[1] == "--until":
        until = re.compile(opts[2].encode())
    with open(prefix + ".out", "wb") as out, open(prefix + ".err", "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        seen = b""
        matched = False
        while True:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            out.write(chunk)
            if until and not matched:
                seen = (seen + chunk)[-4096:]
                if until.search(seen):
                    matched = True
                    proc.send_signal(signal.SIGKILL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    print(f"{wall:.3f} {usage.ru_maxrss} {0 if matched else code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
