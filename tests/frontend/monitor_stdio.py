#!/usr/bin/env python3
"""-monitor stdio: the human monitor on a pipe, with a guest whose firmware this test writes
(JMP $ at the reset vector), held by -S. Checks each command's answer against facts of the
machine: the reset state of the registers, the ROM bytes at both of their addresses, the run
state. Usage: monitor_stdio.py GHOST86"""

import os
import select
import subprocess
import sys
import tempfile
import time

PROMPT = b"(qemu) "


def check(cond, what):
    if not cond:
        raise AssertionError(what)


class Monitor:
    def __init__(self, proc):
        self.proc = proc
        self.buf = b""

    def read_to_prompt(self, limit=30.0):
        deadline = time.monotonic() + limit
        while PROMPT not in self.buf:
            left = deadline - time.monotonic()
            check(left > 0, f"no prompt; got {self.buf!r}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                check(chunk, f"output ended; got {self.buf!r}")
                self.buf += chunk
        out, _, self.buf = self.buf.partition(PROMPT)
        return out.decode()

    def run(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return self.read_to_prompt()


def main():
    ghost86 = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        rom = os.path.join(tmp, "rom.bin")
        with open(rom, "wb") as f:
            f.write(b"\xf4" * 0xfff0 + b"\xeb\xfe" + b"\xf4" * 14)  # JMP $ at FFFF0h
        proc = subprocess.Popen([ghost86, "-bios", rom, "-S", "-monitor", "stdio", "--wall-timeout", "120"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            mon = Monitor(proc)
            check("monitor" in mon.read_to_prompt(), "a banner before the first prompt")
            check(mon.run("info status") == "VM status: paused\n", "-S: paused")
            regs = mon.run("info registers")
            # The processor's state after RESET (SDM Vol.3 §9.1.1, Table 9-1).
            check("EIP=0000fff0" in regs and "CS =f000 ffff0000 0000ffff" in regs, regs)
            check("EFL=00000002" in regs and "CR3=00000000" in regs, regs)
            # The ROM's last bytes sit below 4 GiB and, on a PC, just below 1 MiB as well.
            check(mon.run("xp /2xb 0xfffffff0") == "00000000fffffff0: 0xeb 0xfe\n", "ROM at the top of memory")
            check(mon.run("xp /2xb 0xffff0") == "00000000000ffff0: 0xeb 0xfe\n", "ROM below 1 MiB")
            check(mon.run("x /1xh 0xffff0") == "000ffff0: 0xfeeb\n", "x without paging reads the same")
            check(mon.run("xp /1c 0xffff2") == "00000000000ffff2: '\\xf4'\n", "a character that does not print")
            check("unknown command: 'bogus'" in mon.run("bogus"), "unknown command")
            check("invalid format" in mon.run("x /4q 0"), "bad format")
            check("cannot access memory" in mon.run("xp /4xb 0x100000000000"), "outside memory")
            check("unknown key" in mon.run("sendkey ctrl-nosuchkey"), "bad key name")
            check(mon.run("sendkey ctrl-alt-delete 10") == "", "sendkey prints nothing")
            check("cont" in mon.run("help"), "help lists commands")
            check(mon.run("cont") == "" and mon.run("info status") == "VM status: running\n", "cont")
            check(mon.run("stop") == "" and mon.run("info status") == "VM status: paused\n", "stop")
            txt = os.path.join(tmp, "screen.txt")
            check(mon.run(f"screendump {txt}") == "" and os.path.exists(txt), "screendump")
            check("cannot write" in mon.run(f"screendump {tmp}/no/such/dir.png"), "screendump to a bad path")
            check(mon.run("system_reset") == "", "system_reset")
            proc.stdin.write(b"quit\n")
            proc.stdin.flush()
            check(proc.wait(timeout=30) == 0, f"exit status {proc.returncode} after quit")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    print("monitor stdio: ok")


if __name__ == "__main__":
    main()
