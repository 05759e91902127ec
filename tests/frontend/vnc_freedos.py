#!/usr/bin/env python3
"""-vnc as a viewer sees it, through libvncclient (tests/frontend/vnc_client.cpp): FreeDOS boots
with its screen on a VNC Unix socket; with the machine held by QMP's stop, the picture the viewer
receives is QMP's screendump of the same instant, byte for byte; keys the viewer types run VER,
and the viewer's next picture is again the screendump, now with FreeCOM's banner. A TCP display (:N, a port free at run
time) greets a viewer with the -name; with password=on, a viewer gets in only with the password
set by QMP change-vnc-password or HMP set_password / change vnc password; bad -vnc values and
a port in use end ghost86 with one line naming -vnc and status 1; an unused VNC server changes
nothing the guest does. Usage: vnc_freedos.py GHOST86 VNC_CLIENT BIOS FLOPPY. Exits 77 (skipped) when the
BIOS or the floppy image is missing."""

import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp_client import QmpClient, QmpError, end_run, temp_socket_path, wait_screen  # noqa: E402

VNC_BASE_PORT = 5900  # RFC 6143: display N is TCP port 5900 + N


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def viewer(client, address, *commands):
    r = subprocess.run([client, address, *commands], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"vnc client {commands}: status {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def viewer_refused(client, address, password):
    r = subprocess.run([client, "--password", password, address, "info"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 1 and "cannot connect" in r.stderr, f"password {password!r}: status {r.returncode}, {r.stderr!r}")


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def same_picture(qmp, client, vnc, ppm_qmp, ppm_vnc):
    """The viewer's picture equals the screendump (the machine is stopped). The viewer may first
    get a frame drawn just before the stop; a later one must match."""
    qmp.execute("screendump", {"filename": ppm_qmp, "format": "ppm"})
    expected = read_file(ppm_qmp)
    for _ in range(50):
        viewer(client, vnc, "dump", ppm_vnc)
        got = read_file(ppm_vnc)
        if got == expected:
            return expected
        time.sleep(0.1)
    raise AssertionError(f"the viewer's picture ({got[:15]!r}...) differs from the screendump ({expected[:15]!r}...)")


def free_display():
    """A VNC display number whose port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1] - VNC_BASE_PORT


def refused(ghost86, bios, vnc_value):
    r = subprocess.run([ghost86, "-bios", bios, "-display", "none", "-vnc", vnc_value, "--timeout", "1"],
                       capture_output=True, text=True, timeout=60)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 1 and len(lines) == 1 and "-vnc" in lines[0],
          f"-vnc {vnc_value!r}: status {r.returncode}, stderr {r.stderr!r}")


def main():
    ghost86, client, bios, floppy = sys.argv[1:5]
    if not os.path.exists(bios) or not os.path.exists(floppy):
        print("skipped: SeaBIOS or the FreeDOS image is missing")
        sys.exit(77)

    for bad in ["5900", ":", ":x", ":-1", ":70000", "unix:", ":1,password=yes", "tcp:localhost:5900"]:
        refused(ghost86, bios, bad)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        refused(ghost86, bios, f"127.0.0.1:{busy.getsockname()[1] - VNC_BASE_PORT}")

    # A TCP display greets the viewer with the machine's name and the screen's size.
    display = free_display()
    proc = subprocess.Popen([ghost86, "-bios", bios, "-display", "none", "-name", "vnc-test", "-vnc",
                             f"127.0.0.1:{display}", "--wall-timeout", "120"], stdout=subprocess.DEVNULL)
    try:
        address = f"127.0.0.1:{VNC_BASE_PORT + display}"
        deadline = time.monotonic() + 30
        while True:
            r = subprocess.run([client, address, "info"], capture_output=True, text=True, timeout=60)
            if r.returncode == 0:
                break
            check(proc.poll() is None and time.monotonic() < deadline, f"no VNC server at {address}: {r.stderr}")
            time.sleep(0.1)
        size, name = r.stdout.split()
        check(name == "vnc-test", f"desktop name {name!r}")
        check(size in ("720x400", "640x480"), f"screen size {size}")
    finally:
        proc.kill()
        proc.wait()

    qmp_path, vnc_path = temp_socket_path("vnc-qmp"), temp_socket_path("vnc")
    # password=on: nobody until a password is set, then only a viewer that has it (the first 8
    # characters count, as VNC authentication's DES key).
    proc = subprocess.Popen([ghost86, "-bios", bios, "-display", "none", "-vnc", f"unix:{vnc_path},password=on",
                             "-qmp", f"unix:{qmp_path},server,wait=off", "--wall-timeout", "120"],
                            stdout=subprocess.DEVNULL)
    try:
        qmp = QmpClient.connect(qmp_path, proc)
        qmp.negotiate()
        viewer_refused(client, vnc_path, "")
        qmp.execute("change-vnc-password", {"password": "secret"})
        viewer_refused(client, vnc_path, "wrong")
        check(viewer(client, "--password", "secret", vnc_path, "info").split()[1] == "ghost86", "logged in")
        out = qmp.execute("human-monitor-command", {"command-line": "set_password vnc other"})
        check(out == "", f"set_password: {out!r}")
        viewer_refused(client, vnc_path, "secret")
        viewer(client, "--password", "other", vnc_path, "info")
        qmp.execute("human-monitor-command", {"command-line": "change vnc password longer123"})
        viewer(client, "--password", "longer12x", vnc_path, "info")
        qmp.execute("set_password", {"protocol": "vnc", "password": "third"})
        viewer(client, "--password", "third", vnc_path, "info")
        qmp.execute("quit")
        check(proc.wait(timeout=30) == 0, f"exit status {proc.returncode}")
    finally:
        end_run(proc)
    # Unused, the VNC server changes nothing: the same state when the prompt appears.
    boot = [ghost86, "-bios", bios, "-fda", floppy, "-snapshot", "-boot", "a", "-display", "none",
            "--until-screen", "A:.>", "--timeout", "20", "--report"]
    runs = [subprocess.run(boot + extra, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300)
            for extra in ([], ["-vnc", f"unix:{vnc_path}"])]
    lines = [r.stderr.strip().splitlines()[-1] for r in runs]
    check(runs[0].returncode == 0 and lines[0] == lines[1], f"--report with and without -vnc: {lines}")

    txt, ppm_qmp, ppm_vnc = qmp_path + ".txt", qmp_path + ".ppm", vnc_path + ".ppm"
    proc = subprocess.Popen([ghost86, "-bios", bios, "-fda", floppy, "-snapshot", "-boot", "a", "-display", "none",
                             "-vnc", f"unix:{vnc_path}", "-qmp", f"unix:{qmp_path},server,wait=off",
                             "--wall-timeout", "300"], stdout=subprocess.DEVNULL)
    try:
        qmp = QmpClient.connect(qmp_path, proc)
        qmp.negotiate()
        wait_screen(qmp, txt, "A:\\>")
        qmp.execute("stop")
        prompt = same_picture(qmp, client, vnc_path, ppm_qmp, ppm_vnc)
        check(prompt.startswith(b"P6\n720 400\n255\n"), "the 720x400 text mode")
        check(any(prompt[15:]), "something on the screen")

        qmp.execute("cont")
        viewer(client, vnc_path, "type", "ver\n")
        wait_screen(qmp, txt, "FreeCom version")
        qmp.execute("stop")
        banner = same_picture(qmp, client, vnc_path, ppm_qmp, ppm_vnc)
        check(banner != prompt, "the picture changed after VER")

        # Without password=on there is no password to set (QEMU's error).
        try:
            qmp.execute("change-vnc-password", {"password": "secret"})
            check(False, "change-vnc-password without password=on")
        except QmpError as e:
            check(e.cls == "GenericError" and e.desc == "Could not set password", f"change-vnc-password: {e}")

        qmp.execute("quit")
        check(proc.wait(timeout=30) == 0, f"exit status {proc.returncode}")
    finally:
        end_run(proc, txt, ppm_qmp, ppm_vnc)
    print("vnc_freedos: all passed")


if __name__ == "__main__":
    main()
