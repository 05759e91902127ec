#!/usr/bin/env python3
"""The SDL window on a real X server (Xvfb): FreeDOS boots in -display sdl,scale=2 -name sdl-test;
with the machine held by QMP's stop, the window's title says it is paused and a screenshot of the
window taken by the X server (xwd) is QMP's screendump of the same instant with every pixel
doubled in both directions, and (given VNC_CLIENT) a VNC viewer of the same run receives the
screendump itself; running again, the title shows the guest's MIPS. Usage:
sdl_window_xvfb.py GHOST86 BIOS FLOPPY [VNC_CLIENT]. Exits 77 (skipped) without Xvfb, xwd, SeaBIOS
or the image."""

import os
import re
import shutil
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp_client import QmpClient, end_run, temp_socket_path, wait_screen  # noqa: E402

NAME = "sdl-test"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, size, maxval, pixels = data.split(b"\n", 3)
    w, h = map(int, size.split())
    check(magic == b"P6" and maxval == b"255" and len(pixels) == w * h * 3, "a binary PPM")
    return w, h, pixels


def read_xwd(path):
    """Width, height and RGB bytes of an xwd ZPixmap file (X11 XWDFile.h: a header of 25 CARD32s,
    big-endian, then the window name, the colour map and the pixels)."""
    with open(path, "rb") as f:
        data = f.read()
    h = struct.unpack(">25I", data[:100])
    header_size, version, fmt, depth, width, height = h[0:6]
    byte_order, bits_per_pixel, bytes_per_line = h[7], h[11], h[12]
    red_mask, green_mask, blue_mask, ncolors = h[14], h[15], h[16], h[19]
    check(version == 7 and fmt == 2 and bits_per_pixel == 32, f"xwd: version {version} format {fmt} bpp {bits_per_pixel}")
    start = header_size + ncolors * 12
    order = "<" if byte_order == 0 else ">"
    shifts = [(m, (m & -m).bit_length() - 1) for m in (red_mask, green_mask, blue_mask)]
    out = bytearray()
    for y in range(height):
        row = struct.unpack_from(f"{order}{width}I", data, start + y * bytes_per_line)
        for p in row:
            out += bytes(((p & m) >> s) for m, s in shifts)
    return width, height, bytes(out)


def doubled(w, h, pixels):
    """The picture with each pixel as a 2x2 block."""
    out = bytearray()
    for y in range(h):
        row = bytearray()
        for x in range(w):
            row += pixels[(y * w + x) * 3:(y * w + x) * 3 + 3] * 2
        out += row * 2
    return 2 * w, 2 * h, bytes(out)


def window_titles(display):
    r = subprocess.run(["xwininfo", "-display", display, "-root", "-tree"], capture_output=True, text=True, timeout=30)
    return re.findall(r'"([^"]*)"', r.stdout)


def main():
    ghost86, bios, floppy = sys.argv[1:4]
    client = sys.argv[4] if len(sys.argv) > 4 else None
    tools = [t for t in ("Xvfb", "xwd", "xwininfo") if shutil.which(t) is None]
    if tools or not os.path.exists(bios) or not os.path.exists(floppy):
        print(f"skipped: missing {', '.join(tools) or 'SeaBIOS or the FreeDOS image'}")
        sys.exit(77)
    # Xvfb picks a free display number and writes it to the pipe once it serves.
    rfd, wfd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(wfd), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            pass_fds=(wfd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(wfd)
    with os.fdopen(rfd) as f:
        number = f.readline().strip()
    check(number.isdigit(), f"Xvfb gave display {number!r}")
    display = ":" + number
    env = dict(os.environ, DISPLAY=display)
    env.pop("SDL_VIDEODRIVER", None)
    env.pop("WAYLAND_DISPLAY", None)
    # In a sanitizer build, the X11 and GL libraries SDL loads and unloads under Xvfb leave
    # allocations the leak checker cannot attribute ("<unknown module>"); address errors are
    # still reported. Leaks in ghost86's own code are checked by every other test.
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "detect_leaks=0"]))
    qmp_path = temp_socket_path("sdl-qmp")
    vnc_path = temp_socket_path("sdl-vnc")
    txt, ppm, xwd, ppm_vnc = qmp_path + ".txt", qmp_path + ".ppm", qmp_path + ".xwd", vnc_path + ".ppm"
    vnc = ["-vnc", f"unix:{vnc_path}"] if client else []
    proc = subprocess.Popen([ghost86, "-bios", bios, "-fda", floppy, "-snapshot", "-boot", "a", "-name", NAME,
                             "-display", "sdl,scale=2", "-qmp", f"unix:{qmp_path},server,wait=off",
                             "--wall-timeout", "300"] + vnc, env=env, stdout=subprocess.DEVNULL)
    try:
        qmp = QmpClient.connect(qmp_path, proc)
        qmp.negotiate()
        wait_screen(qmp, txt, "A:\\>")
        qmp.execute("stop")
        qmp.execute("screendump", {"filename": ppm, "format": "ppm"})
        expected = doubled(*read_ppm(ppm))
        check(expected[0:2] == (1440, 800), f"the 720x400 text mode doubled: {expected[0:2]}")
        # The window redraws about 60 times a host second: a screenshot after the stop shows it.
        title = f"{NAME} - ghost86 [Paused]"
        for _ in range(100):
            r = subprocess.run(["xwd", "-display", display, "-name", title, "-silent", "-out", xwd],
                               capture_output=True, timeout=30)
            if r.returncode == 0 and read_xwd(xwd) == expected:
                break
            time.sleep(0.1)
        else:
            got = read_xwd(xwd)[0:2] if r.returncode == 0 else r.stderr
            raise AssertionError(f"no window titled {title!r} showing the screendump doubled ({got}); "
                                 f"windows: {window_titles(display)}")

        if client:
            # The window and a VNC viewer at once: the viewer gets the screendump unscaled.
            with open(ppm, "rb") as f:
                unscaled = f.read()
            for _ in range(50):
                r = subprocess.run([client, vnc_path, "dump", ppm_vnc], capture_output=True, text=True, timeout=60)
                check(r.returncode == 0, f"vnc client: {r.stderr}")
                with open(ppm_vnc, "rb") as f:
                    if f.read() == unscaled:
                        break
                time.sleep(0.1)
            else:
                raise AssertionError("the VNC viewer's picture differs from the screendump")

        # Running again: the title gives the speed, measured once a host second.
        qmp.execute("cont")
        deadline = time.monotonic() + 30
        while not any(re.fullmatch(rf"{NAME} - ghost86 - \d+\.\d MIPS", t) for t in window_titles(display)):
            check(time.monotonic() < deadline, f"no MIPS in the title: {window_titles(display)}")
            time.sleep(0.2)
        qmp.execute("quit")
        check(proc.wait(timeout=30) == 0, f"exit status {proc.returncode}")
    finally:
        end_run(proc, txt, ppm, xwd, ppm_vnc)
        xvfb.terminate()
        xvfb.wait()
    print("sdl_window_xvfb: all passed")


if __name__ == "__main__":
    main()
