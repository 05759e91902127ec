#!/usr/bin/env python3
"""Debian's stock gdb against ghost86's gdb stub (-S -gdb tcp:...), in batch mode, on the
gdb_target firmware (tests/guest/gdb_target.asm), whose behaviour gives every expected value:
reset at F000:FFF0, a jump to F000:0000 and 11 real-mode instructions, 9 in protected mode to
the loop at F0200h, whose pass N increments ECX to N, stores it at 1000h and adds 3 to the
dword at 1004h. The first arrival at F0201h is therefore instruction 22, and at F0207h in pass
N instruction 23 + 5 (N - 1).
Usage: gdb_stub.py GHOST86 GDB_TARGET_BIN ACCEL SCENARIO; exit status 77 without gdb."""

import os
import re
import shutil
import signal
import subprocess
import sys
import pty
import select
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp_protocol import free_tcp_port  # noqa: E402

GDB = "/usr/bin/gdb"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


class Run:
    """ghost86 held before its first instruction with the stub on a free port, and a gdb."""

    def __init__(self, ghost86, bios, accel, extra=(), option="-bios"):
        self.port = free_tcp_port()
        self.cmd = [ghost86, option, bios, "-accel", accel, "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                    "-S", "-gdb", f"tcp:127.0.0.1:{self.port}", "--report", "--wall-timeout", "120", *extra]
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def gdb(self, commands, before=(), interrupt=False):
        args = [GDB, "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
                "-ex", "set tcp connect-timeout 30", *sum((["-ex", c] for c in before), []),
                "-ex", f"target remote 127.0.0.1:{self.port}"]
        for c in commands:
            args += ["-ex", c]
        if not interrupt:
            return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120).stdout
        # gdb on a terminal writes each line at once: once it is about to let the machine run
        # (the echo just before `continue`), SIGINT makes it send 03h to the stub, as Ctrl-C does.
        master, slave = pty.openpty()
        g = subprocess.Popen(args + ["-ex", "set style enabled off"], stdin=subprocess.DEVNULL, stdout=slave,
                             stderr=slave)
        os.close(slave)
        out = b""
        deadline = time.monotonic() + 120
        sent = False
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the terminal closes with gdb
                    break
                if not chunk:
                    break
                out += chunk
            if not sent and b"RUNNING" in out:
                time.sleep(0.5)
                g.send_signal(signal.SIGINT)
                sent = True
        g.wait(timeout=60)
        os.close(master)
        return out.decode(errors="replace").replace("\r\n", "\n")

    def finish(self):
        _, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err.strip().splitlines()


def expect(out, pattern, what):
    check(re.search(pattern, out), f"{what}: /{pattern}/ not in gdb's output:\n{out}")


def basic(ghost86, bios, accel):
    run = Run(ghost86, bios, accel)
    snap = os.path.join(tempfile.mkdtemp(prefix="ghost86-gdb-"), "at-199999.snap")
    out = run.gdb([
        "break *0xf0201", "continue",
        'printf "A1 EIP=%x ECX=%d\\n", $eip, $ecx',
        "monitor icount",
        "stepi",
        'printf "A2 EIP=%x MEM=%d SUM=%d\\n", $eip, *(int*)0x1000, *(int*)0x1004',
        # Attached in real mode, the description says i8086; in protected mode now, 32-bit code.
        "set architecture i386", "x/i $pc",
        "set var $ecx = 199998", "set var *(int*)0x1004 = 7",
        "continue",
        'printf "A3 EIP=%x ECX=%d SUM=%d\\n", $eip, $ecx, *(int*)0x1004',
        'printf "A4 CS=%x DS=%x CR0=%x\\n", $cs, $ds, $cr0',
        "monitor hash",
        f"monitor savevm {snap}",
        "continue",
        'printf "A5 ECX=%d\\n", $ecx',
        f"monitor loadvm {snap}",
        "maintenance flush register-cache",  # gdb cannot know that a monitor command changed them
        'printf "A6 EIP=%x ECX=%d SUM=%d\\n", $eip, $ecx, *(int*)0x1004',
        "delete", "continue",
    ])
    expect(out, r"A1 EIP=f0201 ECX=1\n", "break at a linear address")
    expect(out, r"\n22\n", "monitor icount at the first arrival")
    expect(out, r"A2 EIP=f0207 MEM=1 SUM=0\n", "stepi over the store, memory read")
    expect(out, r"addl\s+\$0x3,0x1004", "32-bit disassembly once in protected mode")
    expect(out, r"A3 EIP=f0201 ECX=199999 SUM=10\n", "register and memory writes")
    expect(out, r"A4 CS=8 DS=10 CR0=11\n", "segment and control registers")
    expect(out, r"icount=\d+ hash=[0-9a-f]{16}", "monitor hash")
    expect(out, r"A5 ECX=200000\n", "the pass after the snapshot")
    expect(out, r"A6 EIP=f0201 ECX=199999 SUM=10\n", "monitor loadvm goes back to monitor savevm's state")
    expect(out, r"exited with code 01", "the guest's exit reaches gdb")
    status, err = run.finish()
    shutil.rmtree(os.path.dirname(snap))
    check(status == 1, f"ghost86 exit status {status}: {err}")


def watch(ghost86, bios, accel):
    run = Run(ghost86, bios, accel)
    out = run.gdb([
        "watch *(int*)0x1000", "continue",
        'printf "B1 EIP=%x ECX=%d\\n", $eip, $ecx',
        "continue",
        'printf "B2 EIP=%x MEM=%d\\n", $eip, *(int*)0x1000',
        # Stepping: the step that stores ends `stepi 9` with the watchpoint.
        "stepi 9",
        'printf "B4 EIP=%x ECX=%d\\n", $eip, $ecx',
        "delete", "rwatch *(int*)0x1008", "continue",
        'printf "B3 EIP=%x ECX=%d\\n", $eip, $ecx',
        "detach",
    ])
    # A data breakpoint reports the instruction after the access (SDM Vol.3 §17.3.1.2).
    expect(out, r"B1 EIP=f0207 ECX=1\n", "write watchpoint, first store")
    expect(out, r"Old value = 1\s+New value = 2", "the watchpoint's old and new value")
    expect(out, r"B2 EIP=f0207 MEM=2\n", "write watchpoint, second store")
    expect(out, r"Old value = 2\s+New value = 3", "a step that stores")
    expect(out, r"B4 EIP=f0207 ECX=3\n", "stepping stops at the watchpoint")
    expect(out, r"B3 EIP=f021d ECX=200000\n", "read watchpoint")
    # Detached, without its watchpoints, the machine runs on to the guest's exit.
    status, err = run.finish()
    check(status == 1, f"ghost86 exit status {status} after detach: {err}")


def ctrlc(ghost86, bios, accel):
    run = Run(ghost86, bios, accel)
    out = run.gdb(["set var *(int*)0x1008 = 1", "echo RUNNING\\n", "continue",
                   'printf "C1 EIP=%x ECX=%d\\n", $eip, $ecx', "kill"], interrupt=True)
    expect(out, r"received signal SIGINT", "Ctrl-C stops the machine")
    m = re.search(r"C1 EIP=([0-9a-f]+) ECX=(\d+)", out)
    check(m and int(m.group(1), 16) in range(0xf0200, 0xf0228), f"stopped in the loops: {out}")
    run.finish()


def realmode(ghost86, bios, accel):
    run = Run(ghost86, bios, accel)
    out = run.gdb(["break *0xf0007", "continue",
                   'printf "D1 CS=%x IP=%x AX=%x BX=%x\\n", $cs, $eip, $eax, $ebx',
                   "stepi",
                   'printf "D2 IP=%x AX=%x\\n", $eip, $eax',
                   "x/i $cs*16+$eip", "kill"], before=["set architecture i8086"])
    expect(out, r"D1 CS=f000 IP=7 AX=1234 BX=5678\n", "real-mode breakpoint at a linear address")
    expect(out, r"D2 IP=9 AX=68ac\n", "real-mode step")
    expect(out, r"xor\s+%cx,%cx", "16-bit disassembly at CS:IP")
    run.finish()


def reverse(ghost86, bios, accel):
    run = Run(ghost86, bios, accel)
    out = run.gdb([
        "break *0xf0207", "continue", "continue", "continue",
        'printf "E1 ECX=%d MEM=%d\\n", $ecx, *(int*)0x1000',
        "monitor icount",
        "reverse-stepi",
        'printf "E2 EIP=%x ECX=%d MEM=%d\\n", $eip, $ecx, *(int*)0x1000',
        "reverse-stepi",
        'printf "E3 EIP=%x ECX=%d\\n", $eip, $ecx',
        "reverse-continue",
        'printf "E4 EIP=%x ECX=%d MEM=%d\\n", $eip, $ecx, *(int*)0x1000',
        "continue",
        'printf "E5 EIP=%x ECX=%d\\n", $eip, $ecx',
        # Back to the previous write of the watched dword: pass 2's store (the one of pass 3
        # is where the machine is).
        "delete", "watch *(int*)0x1000",
        "reverse-continue",
        'printf "E7 EIP=%x ECX=%d MEM=%d\\n", $eip, $ecx, *(int*)0x1000',
        # gdb's own write is input the history does not hold: refused, nothing moves.
        "delete", "set var *(int*)0x1004 = 99",
        "reverse-stepi",
        'printf "E8 EIP=%x ECX=%d SUM=%d\\n", $eip, $ecx, *(int*)0x1004',
        # Put back, it is the same run again: the previous hit is pass 1's, then the start.
        "set var *(int*)0x1004 = 3",
        "break *0xf0207",
        "reverse-continue",
        'printf "E9 EIP=%x ECX=%d\\n", $eip, $ecx',
        "reverse-continue",
        'printf "E6 CS=%x EIP=%x\\n", $cs, $eip',
        "kill",
    ])
    expect(out, r"E1 ECX=3 MEM=3\n", "three breakpoint hits")
    expect(out, r"\n33\n", "icount at the third hit")
    expect(out, r"E2 EIP=f0201 ECX=3 MEM=2\n", "reverse-stepi over the store: the old value")
    expect(out, r"E3 EIP=f0200 ECX=2\n", "reverse-stepi over inc")
    expect(out, r"E4 EIP=f0207 ECX=2 MEM=2\n", "reverse-continue to the previous hit")
    expect(out, r"E5 EIP=f0207 ECX=3\n", "forward again after going back")
    expect(out, r"E7 EIP=f0207 ECX=2 MEM=2\n", "reverse-continue to the previous watchpoint hit")
    expect(out, r"reverse execution refused", "a replay that cannot arrive here again is refused")
    expect(out, r"E8 EIP=f0207 ECX=2 SUM=99\n", "and leaves the machine where it was")
    expect(out, r"E9 EIP=f0207 ECX=1\n", "reverse-continue after the refusal, from a watchpoint's stop")
    expect(out, r"No more reverse-execution history", "back to the start of the history")
    expect(out, r"E6 CS=f000 EIP=fff0\n", "the start is the reset vector")
    run.finish()


def record(ghost86, bios, accel):
    # gdb's register and memory writes and a monitor loadvm while -record is on are logged; the
    # replay, with no gdb, makes them again: the same --report line and exit status. The writes
    # shorten the loop (ECX) and change the sum the guest leaves at 1004h, so the run differs
    # from a plain one.
    tmp = tempfile.mkdtemp(prefix="ghost86-gdb-")
    log, snap = os.path.join(tmp, "run.log"), os.path.join(tmp, "pass1.snap")
    run = Run(ghost86, bios, accel, extra=["-record", log])
    out = run.gdb([
        "break *0xf0201", "continue", "continue",
        f"monitor savevm {snap}",
        "continue", "continue",
        f"monitor loadvm {snap}",
        "maintenance flush register-cache",
        'printf "R1 ECX=%d\\n", $ecx',
        "set var $ecx = 199990", "set var *(int*)0x1004 = 1000",
        "delete", "continue",
    ])
    expect(out, r"R1 ECX=2\n", "loadvm while recording goes back to the snapshot")
    expect(out, r"exited with code 01", "the guest's exit reaches gdb")
    status, err = run.finish()
    check(status == 1 and err and err[-1].startswith("icount="), f"recording: status {status}: {err}")
    recorded = err[-1]
    plain = subprocess.run([ghost86, "-bios", bios, "-accel", accel, "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                            "--report"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
    check(plain.stderr.strip().splitlines()[-1] != recorded, f"the writes change the run: {recorded}")
    dump = subprocess.run([ghost86, "--replay-dump", log], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=60).stdout
    # ECX is register 1; 199990 = 30d36h, little-endian. 1000 = 3e8h at 1004h.
    expect(dump, r"\n\d+ register-write 1 360d0300\n", "the register write in the log")
    expect(dump, r"\n\d+ memory-write 0x1004 e8030000\n", "the memory write in the log")
    expect(dump, r"\n\d+ loadvm \S+pass1.snap hash=[0-9a-f]{16} icount=27\n", "the loadvm in the log")
    replay = subprocess.run([ghost86, "-bios", bios, "-accel", accel, "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                             "-replay", log, "--report"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            timeout=120)
    lines = replay.stderr.strip().splitlines()
    check(replay.returncode == 1 and lines and lines[-1] == recorded,
          f"replay: status {replay.returncode}, {lines} vs {recorded}")
    # The log refuses a replay whose snapshot is another file.
    with open(snap, "r+b") as f:
        f.seek(100)
        b = f.read(1)
        f.seek(100)
        f.write(bytes([b[0] ^ 1]))
    bad = subprocess.run([ghost86, "-bios", bios, "-accel", accel, "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                          "-replay", log], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
    expect(bad.stderr, r"replay diverged at icount=\d+ .*the snapshot '.*pass1.snap' the log loads at instruction \d+ "
           r"is missing or not the one recorded", "a changed snapshot file")
    check(bad.returncode == 1, f"replay with another snapshot: status {bad.returncode}")
    shutil.rmtree(tmp)


def listing_address(listing, text):
    """The address of the instruction `text` in the assembler's listing: its offset in .text
    plus 100000h, where the kernel is linked."""
    for line in open(listing):
        m = re.match(r"\s*\d+ ([0-9A-F]{8}) [0-9A-F]+\s+(.*)$", line)
        if m and m.group(2).split(";")[0].strip() == text:
            return 0x100000 + int(m.group(1), 16)
    raise AssertionError(f"{text!r} is not in {listing}")


def reverse_step(ghost86, elf, accel):
    # gdb_calls.elf (tests/guest/gdb_calls.asm), with its line information as gdb's symbol file:
    # stopped after the second call of add_five (EBX = 10), reverse-step goes back into it, to
    # its last line (ret); reverse-finish then goes back to the call, before it ran (EBX = 5).
    listing = os.path.splitext(elf)[0] + ".lst"
    call, ret, after = (listing_address(listing, t) for t in ("call add_five", "ret", "dec ecx"))
    run = Run(ghost86, elf, accel, option="-kernel")
    out = run.gdb([
        f"break *{after:#x}", "continue", "continue",
        'printf "G1 PC=%x EBX=%d\\n", $pc, $ebx',
        "reverse-step",
        'printf "G2 PC=%x EBX=%d\\n", $pc, $ebx',
        "reverse-finish",
        'printf "G3 PC=%x EBX=%d\\n", $pc, $ebx',
        "reverse-step",
        'printf "G4 PC=%x EBX=%d\\n", $pc, $ebx',
        "delete", "continue",
    ], before=[f"file {elf}"])
    expect(out, rf"G1 PC={after:x} EBX=10\n", "the second return from add_five")
    expect(out, rf"G2 PC={ret:x} EBX=10\n", "reverse-step into add_five's last line")
    expect(out, rf"G3 PC={call:x} EBX=5\n", "reverse-finish to the call")
    expect(out, r"G4 PC=[0-9a-f]+ EBX=5\n", "reverse-step before the call")
    expect(out, r"exited with code 01", "the guest's exit reaches gdb")
    status, err = run.finish()
    check(status == 1, f"ghost86 exit status {status}: {err}")


def replay_reverse(ghost86, bios, accel):
    # Reverse execution in a replayed run (-replay -S -gdb): going back restores a snapshot and
    # replays the log's input again, so it crosses input events. `bios` here is serial_echo.bin
    # (tests/guest/serial_echo.asm; its listing: F000:0016h `.send: mov ah, al`, AL holding the
    # upper-cased byte), recorded while a script sends "abc" then "xyz" to COM1.
    tmp = tempfile.mkdtemp(prefix="ghost86-gdb-")
    log = os.path.join(tmp, "echo.log")
    base = [ghost86, "-bios", bios, "-accel", accel, "-display", "none", "--report"]
    serial = lambda name: ["-serial", "file:" + os.path.join(tmp, name)]  # noqa: E731
    rec = subprocess.run(base + serial("rec.out") + ["--step", "send:abc", "--step", "serial:ABC", "--step", "send:xyz",
                                 "--until-serial", "XYZ", "-record", log],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
    recorded = rec.stderr.strip().splitlines()[-1]
    check(rec.returncode == 0 and recorded.startswith("icount="), f"recording: {rec.returncode} {rec.stderr}")
    dump = subprocess.run([ghost86, "--replay-dump", log], stdout=subprocess.PIPE, text=True, timeout=60).stdout
    check(len(re.findall(r" serial 0 ", dump)) == 6, f"six serial input events in the log:\n{dump}")
    plain = subprocess.run(base + serial("plain.out") + ["-replay", log], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=120)
    check(plain.stderr.strip().splitlines()[-1] == recorded, f"plain replay: {plain.stderr} vs {recorded}")

    run = Run(ghost86, bios, accel, extra=["-display", "none", *serial("gdb.out"), "-replay", log])
    out = run.gdb([
        "break *0xf0016", "continue", "continue", "continue", "continue", "continue",
        'printf "F1 AL=%x\\n", $eax & 0xff',
        "reverse-continue",
        'printf "F2 AL=%x\\n", $eax & 0xff',
        "reverse-continue",
        'printf "F3 AL=%x\\n", $eax & 0xff',
        "reverse-stepi",
        'printf "F4 IP=%x\\n", $eip',
        "continue",
        'printf "F5 AL=%x\\n", $eax & 0xff',
        "delete", "continue",
    ], before=["set architecture i8086"])
    expect(out, r"F1 AL=59\n", "the fifth echo is Y")
    expect(out, r"F2 AL=58\n", "reverse-continue back over the input of y: X")
    expect(out, r"F3 AL=43\n", "and back over the input of x: C")
    expect(out, r"F4 IP=14\n", "reverse-stepi before C's hit: the sub that upper-cased it")
    expect(out, r"F5 AL=43\n", "forward again: the same hit of C")
    expect(out, r"exited normally", "the replay completes")
    status, err = run.finish()
    check(status == 0 and err and err[-1] == recorded, f"replay under gdb: status {status}, {err} vs {recorded}")
    outputs = [open(os.path.join(tmp, n), "rb").read() for n in ("rec.out", "plain.out", "gdb.out")]
    # Under gdb: ABCX up to the fifth hit (Y not sent yet); the replays of reverse execution send
    # nothing; forward again from C's hit, the guest sends C, X, Y and Z once more.
    check(outputs[0] == b"ABCXYZ" and outputs[1] == outputs[0] and outputs[2] == b"ABCXCXYZ",
          f"the serial output of each run: {outputs}")
    shutil.rmtree(tmp)


def deterministic(ghost86, bios, accel):
    # An idle stub, and a gdb that only continues, change nothing: the same --report line.
    plain = [ghost86, "-bios", bios, "-accel", accel, "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "--report"]
    alone = subprocess.run(plain, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
    line = alone.stderr.strip().splitlines()[-1]
    check(line.startswith("icount="), f"--report: {line}")
    idle = subprocess.run(plain + ["-gdb", f"tcp:127.0.0.1:{free_tcp_port()}"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    check(idle.stderr.strip().splitlines()[-1] == line, f"idle stub: {idle.stderr} vs {line}")
    run = Run(ghost86, bios, accel)
    run.gdb(["continue"])
    status, err = run.finish()
    check(status == 1 and err[-1] == line, f"with gdb attached: {err} vs {line}")


def main():
    ghost86, bios, accel, scenario = sys.argv[1:5]
    if not os.access(GDB, os.X_OK) or not shutil.which("gdb"):
        print("SKIP: Debian's gdb is not installed")
        return 77
    globals()[scenario](ghost86, bios, accel)
    print(f"gdb {scenario} on {accel}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
