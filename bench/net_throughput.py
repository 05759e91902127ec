#!/usr/bin/env python3
"""net_throughput.py MIB -- COMMAND...: guest-to-host TCP throughput of one emulator run.

COMMAND boots the test Linux with its serial console on standard input and output and a card on
a user-mode network. A listener on 127.0.0.1 (an ephemeral port) takes one connection; once the
guest's shell prompt appears, the guest is told to take an address by DHCP and send MIB MiB of
zeros to 10.0.2.2:PORT (slirp's host alias) with busybox nc. The listener reads exactly that many
bytes, then closes, and the wall time from the connection's first byte to its last gives the
rate. Prints "MB/s BYTES SECONDS" (MB = 10^6 bytes) or "FAILED reason"; exit status 0 or 1."""
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

DHCP = "ip link set eth0 up && udhcpc -i eth0 -n -q -s /usr/share/udhcpc/default.script"


def main() -> int:
    args = sys.argv[1:]
    if len(args) < 3 or args[1] != "--":
        print("usage: net_throughput.py MIB -- COMMAND...", file=sys.stderr)
        return 2
    total = int(args[0]) << 20
    cmd = args[2:]
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]
    result = {}

    def listen():
        lsock.settimeout(600)
        try:
            conn, _ = lsock.accept()
        except OSError as e:
            result["error"] = f"no connection ({e})"
            return
        got, first = 0, None
        conn.settimeout(300)
        try:
            while got < total:
                b = conn.recv(min(1 << 20, total - got))
                if not b:
                    break
                if first is None:
                    first = time.monotonic()
                got += len(b)
        except OSError as e:
            result["error"] = f"receive failed after {got} bytes ({e})"
        end = time.monotonic()
        conn.close()
        result.update(bytes=got, seconds=end - first if first else 0.0)

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    out = b""
    deadline = time.monotonic() + 900

    def wait_for(marker: bytes) -> bool:
        nonlocal out
        start = len(out)
        while time.monotonic() < deadline:
            if marker in out[start:]:
                return True
            r, _, _ = select.select([proc.stdout], [], [], 1.0)
            if r:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    return False
                out += chunk
        return False

    def send(line: str) -> None:
        proc.stdin.write(line.encode() + b"\n")
        proc.stdin.flush()

    ok = wait_for(b"# ")
    if ok:
        count = total >> 16
        send(f"{DHCP} && dd if=/dev/zero bs=65536 count={count} 2>/dev/null | nc 10.0.2.2 {port}; "
             "echo SEND-DONE-$((40+2))")
        ok = wait_for(b"SEND-DONE-42")
    listener.join(timeout=max(1.0, deadline - time.monotonic()))
    if ok:
        send("poweroff")
        wait_for(b"Power down")
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    if not ok or "error" in result or result.get("bytes") != total or result["seconds"] <= 0:
        why = result.get("error") or f"{result.get('bytes', 0)} of {total} bytes"
        tail = out[-300:].decode(errors="replace").replace("\n", " | ")
        print(f"FAILED {why}; output ends: {tail}")
        return 1
    print(f"{total / result['seconds'] / 1e6:.2f} {total} {result['seconds']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
