#!/usr/bin/env python3
"""The SDL window on a real X server (Xvfb): FreeDOS boots in -display sdl,scale=2 -name sdl-test;
with the machine held by QMP's stop, the window's title says it is paused and a screenshot of the
window taken by the X server (xwd) is QMP's screendump of the same instant with every pixel
doubled in both directions, and (given VNC_CLIENT) a VNC viewer of the same run receives the
screendump itself; running again, the title shows the guest's MIPS. Then -display sdl,scale=fit
(SeaBIOS's screen, stopped): the window moved and resized from outside (XMoveResizeWindow, there
being no window manager) to 1080x800 and 1200x500 shows the picture scaled by 1.5 with black
bars above and below and by 1.25 with bars left and right: the bars exactly, the picture within
one guest pixel of the nearest-pixel mapping (how the renderer rounds pixel centres is its own).
Usage:
sdl_window_xvfb.py GHOST86 BIOS FLOPPY [VNC_CLIENT]. Exits 77 (skipped) without Xvfb, xwd, SeaBIOS
or the image."""

import ctypes
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


def window_id(display, title):
    r = subprocess.run(["xwininfo", "-display", display, "-name", title], capture_output=True, text=True, timeout=30)
    m = re.search(r"Window id: (0x[0-9a-f]+)", r.stdout)
    check(m is not None, f"no window {title!r}: {r.stderr.strip()}")
    return int(m.group(1), 16)


def move_resize_window(display, wid, width, height):
    """XMoveResizeWindow to the screen's corner through libX11: without a window manager the X
    server applies it at once, and the whole window is on the screen for xwd."""
    x11 = ctypes.CDLL("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XMoveResizeWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                                      ctypes.c_uint, ctypes.c_uint]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    check(dpy, f"cannot open X display {display}")
    x11.XMoveResizeWindow(dpy, wid, 0, 0, width, height)
    x11.XSync(dpy, 0)
    x11.XCloseDisplay(dpy)


def fit_mismatch(shot, picture):
    """Why the window (`shot`) is not `picture` fitted to it keeping its shape, centred with black
    bars (SDL's logical size without integer scaling), or None. The bars must be exact; a pixel
    of the picture may be either guest pixel nearest its centre in each direction."""
    ww, wh, got = shot
    pw, ph, pixels = picture
    scale = min(ww / pw, wh / ph)
    vw, vh = round(pw * scale), round(ph * scale)
    vx, vy = (ww - vw) // 2, (wh - vh) // 2
    for y in range(wh):
        for x in range(ww):
            p = got[(y * ww + x) * 3:(y * ww + x) * 3 + 3]
            if not (vx <= x < vx + vw and vy <= y < vy + vh):
                if p != b"\0\0\0":
                    return f"{ww}x{wh}: bar pixel ({x},{y}) is {p.hex()}, not black"
                continue
            u, v = (x - vx + 0.5) / scale, (y - vy + 0.5) / scale
            xs = {min(max(int(u + d), 0), pw - 1) for d in (-0.5, 0.5)}
            ys = {min(max(int(v + d), 0), ph - 1) for d in (-0.5, 0.5)}
            if not any(pixels[(sy * pw + sx) * 3:(sy * pw + sx) * 3 + 3] == p for sx in xs for sy in ys):
                return f"{ww}x{wh}: pixel ({x},{y}) {p.hex()} is no guest pixel near ({u:.2f},{v:.2f})"
    return None


def start(command, env, qmp_path):
    """ghost86 with a QMP socket at `qmp_path`."""
    return subprocess.Popen(command + ["-qmp", f"unix:{qmp_path},server,wait=off", "--wall-timeout", "300"],
                            env=env, stdout=subprocess.DEVNULL)


def stopped_at(proc, qmp_path, txt, ppm, screen):
    """Once the screen shows `screen`: the machine stopped and its screendump in `ppm`."""
    qmp = QmpClient.connect(qmp_path, proc)
    qmp.negotiate()
    wait_screen(qmp, txt, screen)
    qmp.execute("stop")
    qmp.execute("screendump", {"filename": ppm, "format": "ppm"})
    return qmp


def check_fit(ghost86, bios, env, display):
    """-display sdl,scale=fit: the window resized from outside shows the screendump fitted."""
    qmp_path = temp_socket_path("sdl-fit-qmp")
    txt, ppm, xwd = qmp_path + ".txt", qmp_path + ".ppm", qmp_path + ".xwd"
    proc = start([ghost86, "-bios", bios, "-name", "sdl-fit", "-display", "sdl,scale=fit"], env, qmp_path)
    try:
        qmp = stopped_at(proc, qmp_path, txt, ppm, "SeaBIOS")
        picture = read_ppm(ppm)
        check(picture[0:2] == (720, 400), f"SeaBIOS's 720x400 text mode: {picture[0:2]}")
        title = "sdl-fit - ghost86 [Paused]"
        deadline = time.monotonic() + 30
        while title not in window_titles(display):
            check(time.monotonic() < deadline, f"no window {title!r}: {window_titles(display)}")
            time.sleep(0.1)
        wid = window_id(display, title)
        # 1080x800: 1.5 times, 1080x600 at y 100; 1200x500: 1.25 times, 900x500 at x 150.
        for width, height in ((1080, 800), (1200, 500)):
            move_resize_window(display, wid, width, height)
            why = "no screenshot"
            for _ in range(100):
                r = subprocess.run(["xwd", "-display", display, "-id", hex(wid), "-silent", "-out", xwd],
                                   capture_output=True, timeout=30)
                if r.returncode == 0:
                    shot = read_xwd(xwd)
                    why = f"window {shot[0]}x{shot[1]}" if shot[0:2] != (width, height) else fit_mismatch(shot, picture)
                    if why is None:
                        break
                time.sleep(0.1)
            else:
                raise AssertionError(f"scale=fit at {width}x{height}: {why}")
        qmp.execute("quit")
        check(proc.wait(timeout=30) == 0, f"exit status {proc.returncode}")
    finally:
        end_run(proc, txt, ppm, xwd)


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
    proc = start([ghost86, "-bios", bios, "-fda", floppy, "-snapshot", "-boot", "a", "-name", NAME,
                  "-display", "sdl,scale=2"] + vnc, env, qmp_path)
    try:
        qmp = stopped_at(proc, qmp_path, txt, ppm, "A:\\>")
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
        check_fit(ghost86, bios, env, display)
    finally:
        end_run(proc, txt, ppm, xwd, ppm_vnc)
        xvfb.terminate()
        xvfb.wait()
    print("sdl_window_xvfb: all passed")


if __name__ == "__main__":
    main()
