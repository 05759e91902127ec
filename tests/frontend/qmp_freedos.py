#!/usr/bin/env python3
"""ghost86 driven over QMP as a QEMU guest would be: FreeDOS boots, keys typed with send-key run
VER at its prompt, screendump takes pictures, stop holds the machine still, cont lets it go on,
system_reset reboots it, and quit ends the run. The screen's text is read through screendump to
a .txt file (ghost86's text format; the rest is plain QMP). Usage: qmp_freedos.py GHOST86 BIOS
FLOPPY. Exits 77 (skipped) when the BIOS or the floppy image is missing."""

import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp_client import QmpClient, end_run, send_text, temp_socket_path, wait_screen  # noqa: E402


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def main():
    ghost86, bios, floppy = sys.argv[1:4]
    if not os.path.exists(bios) or not os.path.exists(floppy):
        print("skipped: SeaBIOS or the FreeDOS image is missing")
        sys.exit(77)
    path = temp_socket_path("qmp-freedos")
    # Unused, the socket changes nothing: the same state when the prompt appears.
    boot = [ghost86, "-bios", bios, "-fda", floppy, "-snapshot", "-boot", "a", "--until-screen", "A:.>",
            "--timeout", "20", "--report"]
    runs = [subprocess.run(boot + extra, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
            for extra in ([], ["-qmp", f"unix:{path},server,wait=off"])]
    lines = [r.stderr.strip().splitlines()[-1] for r in runs]
    check(runs[0].returncode == 0 and lines[0] == lines[1], f"--report with and without -qmp: {lines}")
    txt, png, ppm = path + ".txt", path + ".png", path + ".ppm"
    proc = subprocess.Popen([ghost86, "-bios", bios, "-fda", floppy, "-snapshot", "-boot", "a", "-display", "none",
                             "-qmp", f"unix:{path},server,wait=off", "--wall-timeout", "300"],
                            stdout=subprocess.DEVNULL)
    try:
        qmp = QmpClient.connect(path, proc)
        qmp.negotiate()
        check(qmp.execute("query-status")["status"] == "running", "running from the start")

        wait_screen(qmp, txt, "A:\\>")
        send_text(qmp, "ver\n")
        wait_screen(qmp, txt, "FreeCom version")

        # The text screen in a PNG: 80x25 characters of 9x16 pixels (the VGA's 720x400 text mode).
        qmp.execute("screendump", {"filename": png, "format": "png"})
        with open(png, "rb") as f:
            head = f.read(24)
        check(head[:8] == b"\x89PNG\r\n\x1a\n", "a PNG signature")
        check(struct.unpack(">II", head[16:24]) == (720, 400), f"PNG size {struct.unpack('>II', head[16:24])}")
        qmp.execute("screendump", {"filename": ppm})
        with open(ppm, "rb") as f:
            check(f.read(15) == b"P6\n720 400\n255\n", "PPM header")

        # stop: no instruction runs until cont.
        qmp.execute("stop")
        qmp.wait_event("STOP")
        status = qmp.execute("query-status")
        check(not status["running"] and status["status"] == "paused", f"paused: {status}")
        before = qmp.execute("query-icount")["icount"]
        time.sleep(0.5)
        check(qmp.execute("query-icount")["icount"] == before, "the instruction count stands still while paused")
        out = qmp.execute("human-monitor-command", {"command-line": "info registers"})
        check("EAX=" in out and "CR0=" in out, f"info registers: {out!r}")
        qmp.execute("cont")
        qmp.wait_event("RESUME")
        check(qmp.execute("query-status")["running"], "running after cont")
        deadline = time.monotonic() + 30
        while qmp.execute("query-icount")["virtual-ns"] <= 0 or qmp.execute("query-icount")["icount"] == before:
            check(time.monotonic() < deadline, "the guest runs again after cont")
            time.sleep(0.05)

        # Keys typed while paused wait for cont: DIR runs once the machine goes on.
        qmp.execute("stop")
        send_text(qmp, "dir\n")
        qmp.execute("cont")
        wait_screen(qmp, txt, "bytes free")

        # system_reset: RESET from the host, the firmware runs again and FreeDOS comes back.
        qmp.execute("system_reset")
        ev = qmp.wait_event("RESET")
        check(ev["data"] == {"guest": False, "reason": "host-qmp-system-reset"}, f"RESET {ev}")
        wait_screen(qmp, txt, "FreeCom version", absent=True)
        wait_screen(qmp, txt, "A:\\>")

        qmp.execute("quit")
        ev = qmp.wait_event("SHUTDOWN")
        check(ev["data"]["reason"] == "host-qmp-quit", f"SHUTDOWN {ev}")
        check(proc.wait(timeout=30) == 0, f"exit status {proc.returncode}")
    finally:
        end_run(proc, txt, png, ppm)
    print("qmp freedos: ok")


if __name__ == "__main__":
    main()
