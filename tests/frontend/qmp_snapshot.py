#!/usr/bin/env python3
"""Snapshots through the control interfaces: ghost86's QMP savevm/loadvm ({"name": ...} or
{"file": ...}) and HMP savevm/loadvm FILE through human-monitor-command, on SeaBIOS without a
disk (it retries the boot forever) held by -S and run in bursts. A snapshot's defining property gives every expected
value: loading it brings back the instruction count and the registers of the moment it was
saved. A damaged file is refused with one line naming the file and the section, and the machine
is left exactly as it was. Usage: qmp_snapshot.py GHOST86 BIOS; exit status 77 without BIOS."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp_client import QmpClient, QmpError, end_run, temp_socket_path  # noqa: E402


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def error_of(qmp, command, arguments):
    try:
        qmp.execute(command, arguments)
    except QmpError as e:
        check(e.cls == "GenericError", f"{command} {arguments}: error class {e.cls}")
        return e.desc
    raise AssertionError(f"{command} {arguments}: no error")


def hmp(qmp, line):
    return qmp.execute("human-monitor-command", {"command-line": line})


def state(qmp):
    return qmp.execute("query-icount")["icount"], hmp(qmp, "info registers")


def run_a_little(qmp):
    qmp.execute("cont")
    time.sleep(0.3)
    qmp.execute("stop")


def main():
    ghost86, bios = sys.argv[1:3]
    if not os.path.exists(bios):
        print(f"SKIP: no {bios}")
        return 77
    tmp = tempfile.mkdtemp(prefix="ghost86-qmp-snap-")
    path = temp_socket_path("qmp-snapshot")
    proc = subprocess.Popen([ghost86, "-bios", bios, "-S", "-qmp", f"unix:{path},server,wait=off",
                             "--wall-timeout", "120"], stdout=subprocess.DEVNULL)
    try:
        qmp = QmpClient.connect(path, proc)
        qmp.negotiate()
        names = [c["name"] for c in qmp.execute("query-commands")]
        check("savevm" in names and "loadvm" in names, f"query-commands: {names}")

        run_a_little(qmp)
        a = os.path.join(tmp, "a.snap")
        check(qmp.execute("savevm", {"name": a}) == {}, "QMP savevm by name")
        saved = state(qmp)
        check(saved[0] > 0, f"the machine ran before the snapshot: {saved[0]}")
        run_a_little(qmp)
        check(state(qmp)[0] > saved[0], "the machine ran on after the snapshot")
        check(hmp(qmp, f"loadvm {a}") == "", "HMP loadvm")
        check(state(qmp) == saved, f"HMP loadvm brings back the saved state: {state(qmp)} vs {saved}")

        b = os.path.join(tmp, "b.snap")
        run_a_little(qmp)
        check(hmp(qmp, f"savevm {b}") == "", "HMP savevm")
        at_b = state(qmp)
        check(qmp.execute("loadvm", {"file": a}) == {}, "QMP loadvm by file")
        check(state(qmp) == saved, "QMP loadvm brings back the first snapshot")
        check(qmp.execute("loadvm", {"name": b}) == {}, "QMP loadvm by name")
        check(state(qmp) == at_b, "and the second")

        # A damaged snapshot: the CPU section's bytes flipped (its checksum no longer matches).
        with open(a, "rb") as f:
            data = bytearray(f.read())
        bad = os.path.join(tmp, "bad.snap")
        damaged = False
        for at in range(len(data) // 2, len(data)):
            if data[at]:
                data[at] ^= 0x40
                damaged = True
                break
        check(damaged, "a byte to damage")
        with open(bad, "wb") as f:
            f.write(data[:4096 + 512])  # truncated too: RAM is the last section
        desc = error_of(qmp, "loadvm", {"name": bad})
        check(desc.startswith(f"-loadvm: '{bad}': ") and "\n" not in desc, f"one line naming the file: {desc!r}")
        check(state(qmp) == at_b, "a refused loadvm leaves the machine as it was")
        out = hmp(qmp, f"loadvm {bad}")
        check(out.startswith(f"-loadvm: '{bad}': ") and out.count("\n") == 1, f"HMP: {out!r}")
        check(state(qmp) == at_b, "a refused HMP loadvm leaves the machine as it was")
        missing = os.path.join(tmp, "none.snap")
        check(error_of(qmp, "loadvm", {"file": missing}).startswith(f"-loadvm: '{missing}'"), "a missing file")

        # Arguments: exactly one of name and file, a string, nothing else.
        check("exactly one" in error_of(qmp, "savevm", {}), "no name")
        check("exactly one" in error_of(qmp, "loadvm", {"name": a, "file": a}), "both")
        check("expected: string" in error_of(qmp, "savevm", {"name": 5}), "a number")
        check("unexpected" in error_of(qmp, "savevm", {"name": a, "vmstate": "x"}), "an unknown member")
        check(hmp(qmp, "savevm").startswith("usage: savevm FILE"), "HMP savevm without a file")
        check(state(qmp) == at_b, "refused commands change nothing")

        qmp.execute("quit")
        proc.wait(timeout=60)
    finally:
        end_run(proc, path)
        shutil.rmtree(tmp)
    print("qmp snapshot: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
