#!/usr/bin/env python3
"""Random guest programs for the JIT/interpreter differential test, deterministic from a seed.

    gen.py SEED OUT.asm [--insns N]

writes the program (nasm source for 100000h that includes runtime.inc; boot.asm wraps it into a
-bios image). The program mixes straight-line operations (leaves.py) with loops, calls through
tables, switches, recursion, self-modifying code, ring-3 code and a 16-bit code segment, and runs
for about N guest instructions. The generator's model (sim.py) runs the same program and the
checksum it computes goes into the program, which prints RESULT OK only when it matches.
"""
import random
import sys

from leaves import Leaves, Node, seq, mem
from sim import Sim, GPRS, M32, D_BASE, WIN

RT_LOOP = 0x5400     # one dword loop counter per loop instance
RT_ACC, RT_TPL = 0x5300, 0x5310
ENC = {"eax": 0, "ecx": 1, "edx": 2, "ebx": 3, "esp": 4, "ebp": 5, "esi": 6, "edi": 7}


class Program:
    def __init__(self, seed, insns):
        self.rng = r = random.Random(seed)
        self.n = 0
        self.paging = r.random() < 0.8
        self.pit = r.randrange(4, 150) if r.random() < 0.85 else 0   # a tick every 3K..125K instructions
        self.leaves = Leaves(r, self.label, self.paging, timer=self.pit)
        self.leaves16 = Leaves(r, self.label, self.paging, in16=True, timer=self.pit)
        self.procs, self.tables, self.code16 = [], [], []
        self.private = []    # subroutines only their own call site uses (recursion)
        self.loops = 0
        self.lines = 0
        self.max_lines = 3500
        body = []
        cost = 0
        while cost < insns and self.lines < self.max_lines:
            node = self.block(0, insns - cost, "main")
            body.append(node)
            cost += node.cost
        self.main = seq(body)

    def label(self):
        self.n += 1
        return f"L{self.n}"

    # --- structure -------------------------------------------------------------------------------
    def block(self, depth, budget, ctx):
        """A few operations costing at most about `budget` instructions."""
        r = self.rng
        nodes, cost = [], 0
        for _ in range(r.randint(2, 10)):
            if self.lines > self.max_lines:
                break
            node = self.one(depth, budget - cost, ctx)
            nodes.append(node)   # kept even when over budget: it may have registered tables
            cost += node.cost
            self.lines += len(node.lines)
            if cost >= budget:
                break
        return seq(nodes)

    def one(self, depth, budget, ctx):
        r = self.rng
        lv = self.leaves16 if ctx == "seg16" else self.leaves
        kinds = [("leaf", 20)]
        if depth < 3 and budget > 50:
            kinds += [("loop", 4), ("if_", 2)]
        if ctx in ("main", "proc") and depth < 4:
            kinds += [("call", 2), ("table", 1), ("switch", 1), ("rec", 0.5), ("smc", 1.5)]
        if ctx == "main" and depth < 3:
            kinds += [("ring3", 0.7), ("seg16", 0.7)]
        kind = r.choices(*zip(*kinds))[0]
        if kind == "leaf":
            return lv.pick(ring3=(ctx == "ring3"))
        return getattr(self, kind)(depth, budget, ctx)

    def loop(self, depth, budget, ctx):
        r = self.rng
        k = r.choice([r.randint(2, 10), r.randint(10, 300), r.randint(300, 3000)])
        body = self.block(depth + 1, max(budget // k, 20), ctx)
        k = max(1, min(k, budget // max(body.cost + 3, 1)))
        if r.random() < 0.5:
            slot = RT_LOOP + 4 * self.loops
            self.loops += 1
            top = self.label()
            lines = [f"mov dword {mem(slot)}, {k}", f"{top}:"] + body.lines + [f"dec dword {mem(slot)}", f"jnz {top}"]
            def run(s):
                for _ in range(k):
                    body.run(s)
            return Node(lines, run, k * (body.cost + 2) + 1)
        top = self.label()
        step = [f"loop {top}"] if len(body.lines) < 12 else ["dec ecx", f"jnz {top}"]   # LOOP reaches 127 bytes
        lines = ["push ecx", f"mov ecx, {k}", f"{top}:", "push ecx"] + body.lines + ["pop ecx"] + step + ["pop ecx"]
        def run(s):
            saved = s.get("ecx")
            for i in range(k):
                s.set("ecx", k - i)
                body.run(s)
            s.set("ecx", saved)
        return Node(lines, run, k * (body.cost + 3) + 3)

    def branch(self):
        from sim import CONDS, cond
        r = self.rng
        a, b = self.leaves.reg(), self.leaves.reg()
        cc = r.choice(CONDS)
        return f"cmp {a}, {b}", cc, lambda s: cond(cc, s.get(a), s.get(b))

    def if_(self, depth, budget, ctx):
        head, cc, test = self.branch()
        then, other = self.block(depth + 1, budget // 2, ctx), self.block(depth + 1, budget // 2, ctx)
        le, lend = self.label(), self.label()
        lines = [head, f"j{cc} {le}"] + other.lines + [f"jmp {lend}", f"{le}:"] + then.lines + [f"{lend}:"]
        return Node(lines, lambda s: (then if test(s) else other).run(s), 3 + max(then.cost, other.cost))

    def proc(self, depth, budget):
        """A subroutine: a new one while there are few, else an existing one that fits."""
        fits = [p for p in self.procs if p[1].cost <= budget]
        if fits and (len(self.procs) > 12 or self.rng.random() < 0.6):
            return self.rng.choice(fits)
        name = self.label()
        body = self.block(depth + 1, min(budget, 5000), "proc")
        self.procs.append((name, body))
        return name, body

    def call(self, depth, budget, ctx):
        name, body = self.proc(depth, budget)
        return Node([f"call {name}"], body.run, body.cost + 2)

    def table(self, depth, budget, ctx):
        """An indirect call through a table of four subroutines indexed by a register."""
        targets = [self.proc(depth, budget) for _ in range(4)]
        tbl = self.label()
        self.tables.append(f"{tbl}: dd " + ", ".join(t[0] for t in targets))
        a, t = self.leaves.reg(), self.leaves.reg()
        def run(s):
            s.set(t, s.get(a) & 3)
            targets[s.get(t)][1].run(s)
        return Node([f"mov {t}, {a}", f"and {t}, 3", f"call [dword {tbl} + {t}*4]"], run,
                    3 + max(x[1].cost for x in targets))

    def switch(self, depth, budget, ctx):
        """An indirect jump through a table of four cases."""
        cases = [self.block(depth + 1, budget // 2, ctx) for _ in range(4)]
        tbl, end = self.label(), self.label()
        names = [self.label() for _ in cases]
        self.tables.append(f"{tbl}: dd " + ", ".join(names))
        a, t = self.leaves.reg(), self.leaves.reg()
        lines = [f"mov {t}, {a}", f"and {t}, 3", f"jmp [dword {tbl} + {t}*4]"]
        for n, c in zip(names, cases):
            lines += [f"{n}:"] + c.lines + [f"jmp {end}"]
        lines.append(f"{end}:")
        def run(s):
            s.set(t, s.get(a) & 3)
            cases[s.get(t)].run(s)
        return Node(lines, run, 4 + max(c.cost for c in cases))

    def rec(self, depth, budget, ctx):
        """A recursive subroutine: f(n) = f(n - 1), then r = 3r + n."""
        n = self.rng.randint(1, 40)
        rr = self.leaves.reg("ecx")
        name, done = self.label(), self.label()
        body = Node([f"test ecx, ecx", f"jz {done}", "push ecx", "dec ecx", f"call {name}", "pop ecx",
                     f"lea {rr}, [{rr} + {rr}*2]", f"add {rr}, ecx", f"{done}:"], None, 0)
        self.private.append((name, body))
        def run(s):
            for i in range(1, n + 1):
                s.set(rr, s.get(rr) * 3 + i)
        return Node(["push ecx", f"mov ecx, {n}", f"call {name}", "pop ecx"], run, 4 + 9 * n)

    def smc(self, depth, budget, ctx):
        """Code that rewrites itself: an immediate in its own block, in the next block, an opcode's
        ModRM byte, or a whole routine written one byte at a time in the page it runs from."""
        r = self.rng
        k = r.randint(1, 200)
        rr = self.leaves.reg("ecx")
        e = ENC[rr]
        top, ins, nxt = self.label(), self.label(), self.label()
        kind = r.choice(["own", "next", "modrm", "bytes"])
        if kind in ("own", "next"):
            jump = [f"jmp {nxt}", f"{nxt}:"] if kind == "next" else []
            lines = ["push ecx", f"mov ecx, {k}", f"{top}:", f"mov [dword {ins}e - 4], ecx"] + jump + [
                f"{ins}: db 0x81, {0xC0 | e:#x}", "dd 0", f"{ins}e:", "dec ecx", f"jnz {top}", "pop ecx"]
            return Node(lines, lambda s: s.set(rr, s.get(rr) + k * (k + 1) // 2), 5 * k + 3)
        if kind == "modrm":
            imm = r.getrandbits(32)
            a, b = self.label(), self.label()
            lines = ["push ecx", f"mov ecx, {k}", f"{top}:", "test cl, 1", f"jz {a}",
                     f"mov byte [dword {ins} + 1], {0xE8 | e:#x}", f"jmp {b}", f"{a}:",
                     f"mov byte [dword {ins} + 1], {0xC0 | e:#x}", f"{b}:",
                     f"{ins}: db 0x81, {0xC0 | e:#x}", f"dd {imm:#x}", "dec ecx", f"jnz {top}", "pop ecx"]
            def run(s):
                for c in range(k, 0, -1):
                    s.set(rr, s.get(rr) - imm if c & 1 else s.get(rr) + imm)
            return Node(lines, run, 7 * k + 3)
        tpl = [0x81, 0x05] + list(RT_ACC.to_bytes(4, "little")) + [0, 0, 0, 0, 0xC3, 0xCC]
        words = [int.from_bytes(bytes(tpl[i:i + 4]), "little") for i in range(0, 12, 4)]
        buf, wr, end = self.label(), self.label(), self.label()
        k = min(k, 60)
        lines = ["pushad", f"mov dword {mem(RT_ACC)}, 0"] + [
            f"mov dword {mem(RT_TPL + 4 * i)}, {w:#x}" for i, w in enumerate(words)] + [
            f"mov ebx, {k}", f"{top}:", f"mov {mem(RT_TPL + 6)}, ebx", f"mov esi, {RT_TPL:#x}",
            f"mov edi, {buf}", "mov ecx, 11", f"{wr}:", "mov al, [esi]", "mov [edi], al", "inc esi", "inc edi",
            "dec ecx", f"jnz {wr}", f"call {buf}", "dec ebx", f"jnz {top}", "popad",
            f"add {rr}, {mem(RT_ACC)}", f"jmp {end}", f"{buf}: times 12 db 0xCC", f"{end}:"]
        return Node(lines, lambda s: s.set(rr, s.get(rr) + k * (k + 1) // 2), k * 75 + 10)

    def ring3(self, depth, budget, ctx):
        """Code at CPL 3 (IOPL 0) ending in a privileged instruction (#GP, skipped) and INT 42h."""
        r = self.rng
        body = self.block(depth + 1, budget, "ring3")
        entry, end, p = self.label(), self.label(), self.label()
        priv = r.choice(["cli", "sti", "hlt", "out 0x80, al", "in al, 0x61", "mov eax, cr0", "lgdt [dword 0x5f00]"])
        code = [f"{entry}:", f"mov eax, {0x23}", "mov ds, ax", "mov es, ax"] + body.lines + [
            f"mov dword {mem(0x5000)}, {p}e - {p}s", f"{p}s: {priv}", f"{p}e:", "int 0x42"]
        lines = ["push eax", f"mov eax, {entry}", "call rt_ring3", "pop eax", f"jmp {end}"] + code + [f"{end}:"]
        def run(s):
            saved = s.get("eax")
            s.set("eax", 0x23)
            body.run(s)
            s.set("eax", saved)
        return Node(lines, run, body.cost + 20)

    def seg16(self, depth, budget, ctx):
        """A far call into the 16-bit code segment (base seg16_base, limit FFFFh)."""
        body = self.block(depth + 1, budget, "seg16")
        entry = self.label()
        self.code16 += [f"{entry}:"] + body.lines + ["o32 retf"]
        return Node([f"call {0x30}:({entry} - seg16_base)"], body.run, body.cost + 2)

    # --- output --------------------------------------------------------------------------------------
    def write(self, out, seed):
        r = self.rng
        regs = {g: r.getrandbits(32) for g in GPRS}
        fill_d, fill_b = r.getrandbits(32), r.getrandbits(32)
        frames = r.sample(range(0x400, 0x500), WIN // 4096)
        shadow = [(f << 12) | 7 for f in frames]
        initial = [p if r.random() < 0.6 else 0 for p in shadow]
        sim = Sim(regs, fill_d, fill_b)
        self.main.run(sim)
        p = lambda *a: print(*a, file=out)
        p(f"; generated by tests/jitdiff/gen.py, seed {seed}: do not edit")
        p(f"%define PAGING {int(self.paging)}")
        p(f"%define PIT_COUNT {self.pit}")
        p(f"%define FILL_D {fill_d:#x}")
        p(f"%define FILL_B {fill_b:#x}")
        p(f"%define EXPECTED {sim.checksum():#010x}")
        p('%include "runtime.inc"')
        p("main:")
        for g, v in regs.items():
            p(f"        mov {g}, {v:#x}")
        for ln in self.main.lines:
            p(ln if ln.endswith(":") else "        " + ln)
        p("        jmp rt_finish")
        for name, body in self.procs + self.private:
            p(f"{name}:")
            for ln in body.lines:
                p("        " + ln)
            p("        ret")
        p("        align 4")
        for t in self.tables:
            p(t)
        p("pte_shadow: dd " + ", ".join(f"{x:#x}" for x in shadow))
        p("pte_initial: dd " + ", ".join(f"{x:#x}" for x in initial))
        p("        align 16")
        p("seg16_base:")
        p("        bits 16")
        for ln in self.code16:
            p("        " + ln)
        p("        bits 32")
        return sim


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("out")
    ap.add_argument("--insns", type=int, default=1_500_000, help="approximate guest instructions")
    a = ap.parse_args(argv)
    if a.insns <= 0:
        sys.exit("gen.py: --insns must be above 0")
    prog = Program(a.seed, a.insns)
    with open(a.out, "w") as out:
        prog.write(out, a.seed)


if __name__ == "__main__":
    main(sys.argv[1:])
