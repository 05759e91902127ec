"""Straight-line operations: integer ALU, memory, strings, x87, faults. Each returns a Node.

A Node is the assembly it emits, the effect it has on the model (sim.Sim) and how many guest
instructions one execution costs (roughly; it only bounds the program's length). Operations that
read flags always do so right after the CMP/TEST/ADD that sets them, so the model never needs
flags in general.
"""
from sim import (M32, GPRS, R16, CONDS, D_BASE, B_BASE, WIN, cond, signed)

RT_SKIP = 0x5000     # bytes the #DE/#GP handlers skip past the faulting instruction
RT_SCR = 0x5100      # scratch for x87 operands
RT_TSC = 0x5180      # timing-dependent values (RDTSC, PIT reads): in the machine hash only
PT2 = 0x22000        # page table of the D window
SEL_CODE16, SEL_DATAX = 0x30, 0x38
BYTE_REGS = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"]


class Node:
    def __init__(self, lines, run, cost):
        self.lines, self.run, self.cost = lines, run, cost


def seq(nodes):
    def run(s):
        for n in nodes:
            n.run(s)
    return Node([ln for n in nodes for ln in n.lines], run, sum(n.cost for n in nodes))


def mem(addr):
    return f"[dword {addr:#x}]"


class Leaves:
    def __init__(self, rng, labels, paging, in16=False, timer=False):
        self.rng, self.labels, self.paging, self.in16, self.timer = rng, labels, paging, in16, timer

    def reg(self, *exclude):
        return self.rng.choice([g for g in GPRS if g not in exclude])

    def imm(self):
        r = self.rng
        return r.choice([r.getrandbits(32), r.randrange(0, 16), M32 - r.randrange(4), 0x80000000,
                         0x7FFFFFFF, r.getrandbits(8), r.getrandbits(16)])

    def addr(self, size):
        """A data address; often just below a page boundary so the access crosses it."""
        r = self.rng
        base = r.choice([D_BASE, D_BASE, B_BASE])
        if r.random() < 0.3:
            off = r.randrange(1, WIN // 4096) * 4096 - r.randrange(1, size + 1)
        else:
            off = r.randrange(0, WIN - size)
        return base + off

    # --- integer ALU ---------------------------------------------------------------------------
    def alu(self):
        r = self.rng
        a, b = self.reg(), self.reg()
        op = r.choice(["add", "sub", "and", "or", "xor", "adc", "sbb", "mov"])
        fn = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "and": lambda x, y: x & y,
              "or": lambda x, y: x | y, "xor": lambda x, y: x ^ y, "mov": lambda x, y: y}
        width = r.choice([32, 32, 32, 16, 8])
        if width == 16:
            a, b = R16[a], R16[b] if r.random() < 0.7 else None
        elif width == 8:
            a, b = r.choice(BYTE_REGS), r.choice(BYTE_REGS + [None])
        m = (1 << width) - 1
        if op in ("adc", "sbb"):
            # The carry comes from the ADD/SUB just before, at full width.
            c, d = self.reg(), self.reg()
            first = "add" if op == "adc" else "sub"
            src = b if b else self.imm() & m
            def run(s, a=a, b=b, c=c, d=d, src=src):
                x, y = s.get(c), s.get(d)
                cf = (x + y > M32) if first == "add" else (x < y)
                s.set(c, fn[first](x, y))
                v = s.get(b) if b else src
                s.set(a, (s.get(a) + v + cf) if op == "adc" else (s.get(a) - v - cf))
            return Node([f"{first} {c}, {d}", f"{op} {a}, {src if not b else b}"], run, 2)
        src = b if b else (self.imm() & m)
        def run(s, a=a, b=b, src=src):
            s.set(a, fn[op](s.get(a), s.get(b) if b else src))
        return Node([f"{op} {a}, {src if not b else b}"], run, 1)

    def unary(self):
        a = self.reg()
        op = self.rng.choice(["inc", "dec", "neg", "not", "bswap"])
        fn = {"inc": lambda x: x + 1, "dec": lambda x: x - 1, "neg": lambda x: -x, "not": lambda x: ~x,
              "bswap": lambda x: int.from_bytes(x.to_bytes(4, "little"), "big")}[op]
        return Node([f"{op} {a}"], lambda s: s.set(a, fn(s.get(a))), 1)

    def shift(self):
        r = self.rng
        a = self.reg()
        op = r.choice(["shl", "shr", "sar", "rol", "ror", "shld", "shrd"])
        by_cl = r.random() < 0.3 and op not in ("shld", "shrd") and a != "ecx"
        n = r.randrange(1, 32)
        b = self.reg()
        def f(x, n, y):
            if n == 0:
                return x
            return {"shl": lambda: x << n, "shr": lambda: x >> n, "sar": lambda: signed(x) >> n,
                    "rol": lambda: (x << n) | (x >> (32 - n)), "ror": lambda: (x >> n) | (x << (32 - n)),
                    "shld": lambda: (x << n) | (y >> (32 - n)), "shrd": lambda: (x >> n) | (y << (32 - n))}[op]()
        if by_cl:
            return Node([f"{op} {a}, cl"], lambda s: s.set(a, f(s.get(a), s.get("ecx") & 31, 0)), 1)
        if op in ("shld", "shrd"):
            return Node([f"{op} {a}, {b}, {n}"], lambda s: s.set(a, f(s.get(a), n, s.get(b))), 1)
        return Node([f"{op} {a}, {n}"], lambda s: s.set(a, f(s.get(a), n, 0)), 1)

    def mul(self):
        r = self.rng
        a, b = self.reg(), self.reg()
        kind = r.choice(["imul2", "imul3", "mul", "imul1", "lea"])
        if kind == "imul2":
            return Node([f"imul {a}, {b}"], lambda s: s.set(a, s.get(a) * s.get(b)), 1)
        if kind == "imul3":
            k = signed(self.imm())
            return Node([f"imul {a}, {b}, {k}"], lambda s: s.set(a, s.get(b) * k), 1)
        if kind == "lea":
            c, sc, disp = self.reg(), r.choice([1, 2, 4, 8]), signed(self.imm())
            return Node([f"lea {a}, [{b} + {c}*{sc} + ({disp})]"],
                        lambda s: s.set(a, s.get(b) + s.get(c) * sc + disp), 1)
        def run(s, signed_=(kind == "imul1")):
            x, y = s.get("eax"), s.get(b)
            p = signed(x) * signed(y) if signed_ else x * y
            s.set("eax", p)
            s.set("edx", p >> 32)
        return Node([f"{'imul' if kind == 'imul1' else 'mul'} {b}"], run, 1)

    def div(self):
        """DIV/IDIV, faulting when the model says so: the #DE handler sets EAX and skips it."""
        r = self.rng
        b = self.reg("eax", "edx")
        sign = r.random() < 0.5
        pre = r.choice(["", "zero", "zero", "ext"])
        lines = []
        if pre == "zero":
            lines.append("xor edx, edx")
        elif pre == "ext":
            lines.append("cdq")
        small = r.random() < 0.2
        if small:
            lines.append(f"and {b}, 0xff")   # sometimes zero: #DE
        lbl = self.labels()
        lines += [f"mov dword {mem(RT_SKIP)}, {lbl}e - {lbl}s", f"{lbl}s: {'idiv' if sign else 'div'} {b}", f"{lbl}e:"]
        def run(s):
            if pre == "zero":
                s.set("edx", 0)
            elif pre == "ext":
                s.set("edx", M32 if s.get("eax") >> 31 else 0)
            if small:
                s.set(b, s.get(b) & 0xFF)
            n, d = (s.get("edx") << 32) | s.get("eax"), s.get(b)
            if sign:
                n, d = signed(n, 64), signed(d)
            q = None
            if d != 0:
                q = abs(n) // abs(d) * (1 if (n < 0) == (d < 0) else -1)
                rem = n - q * d
                if not (-(1 << 31) <= q < (1 << 31) if sign else q <= M32):
                    q = None
            if q is None:
                s.de_count += 1
                s.set("eax", 0xDEAD0000 ^ s.de_count)
            else:
                s.set("eax", q)
                s.set("edx", rem)
        return Node(lines, run, len(lines))

    def compare(self):
        """CMP or TEST followed by SETcc, CMOVcc or a short forward Jcc over one operation."""
        r = self.rng
        a, b, c = self.reg(), self.reg(), self.reg()
        cc = r.choice(CONDS)
        k = self.imm() if r.random() < 0.3 else None
        head = f"cmp {a}, {k if k is not None else b}"
        val = lambda s: (s.get(a), k if k is not None else s.get(b))
        kind = r.choice(["set", "cmov", "jcc"])
        if kind == "set":
            d = r.choice(["al", "cl", "dl", "bl"])
            return Node([head, f"set{cc} {d}"], lambda s: s.set(d, int(cond(cc, *val(s)))), 2)
        if kind == "cmov":
            return Node([head, f"cmov{cc} {c}, {b}"],
                        lambda s: cond(cc, *val(s)) and s.set(c, s.get(b)), 2)
        lbl = self.labels()
        inner = self.alu()
        def run(s):
            if not cond(cc, *val(s)):
                inner.run(s)
        return Node([head, f"j{cc} {lbl}"] + inner.lines + [f"{lbl}:"], run, 2 + inner.cost)

    def bits(self):
        r = self.rng
        a, b = self.reg(), self.reg()
        kind = r.choice(["bsf", "bsr", "bts", "btr", "movzx", "movsx", "xchg", "pushpop"])
        if kind in ("bsf", "bsr"):
            def run(s):
                v = s.get(b) | 0x10000
                s.set(a, (v & -v).bit_length() - 1 if kind == "bsf" else v.bit_length() - 1)
            return Node([f"mov {a}, {b}", f"or {a}, 0x10000", f"{kind} {a}, {a}"], run, 3)
        if kind in ("bts", "btr"):
            n = r.randrange(32)
            f = (lambda x: x | (1 << n)) if kind == "bts" else (lambda x: x & ~(1 << n))
            return Node([f"{kind} {a}, {n}"], lambda s: s.set(a, f(s.get(a))), 1)
        if kind in ("movzx", "movsx"):
            src = r.choice(["al", "cl", "dl", "bl", "ah", "bh", R16[b]])
            w = 16 if len(src) == 2 and src[1] in "xip" else 8
            f = (lambda v: v) if kind == "movzx" else (lambda v: signed(v, w))
            return Node([f"{kind} {a}, {src}"], lambda s: s.set(a, f(s.get(src))), 1)
        if kind == "xchg":
            def run(s):
                x, y = s.get(a), s.get(b)
                s.set(a, y)
                s.set(b, x)
            return Node([f"xchg {a}, {b}"], run, 1)
        return Node([f"push {a}", f"pop {b}"], lambda s: s.set(b, s.get(a)), 2)

    # --- memory ----------------------------------------------------------------------------------
    def memop(self):
        r = self.rng
        a = self.reg()
        size = r.choice([4, 4, 2, 1])
        name = {4: a, 2: R16[a], 1: None}[size]
        if size == 1:
            name = r.choice(["al", "cl", "dl", "bl", "ah", "bh"])
        ptr = {4: "dword", 2: "word", 1: "byte"}[size]
        kind = r.choice(["load", "store", "add_to", "add_from", "xor_to", "indexed"])
        if kind == "indexed":
            # An address computed from data: base register masked into the window.
            full = a if size > 1 else {"al": "eax", "ah": "eax", "cl": "ecx", "dl": "edx", "bl": "ebx", "bh": "ebx"}[name]
            t = self.reg(full)
            base = r.choice([D_BASE, B_BASE])
            def run(s):
                s.set(t, s.get(a) & 0xFFF0)
                s.set(name, s.load(base + s.get(t), size))
            return Node([f"mov {t}, {a}", f"and {t}, 0xfff0", f"mov {name}, {ptr} [{t} + {base:#x}]"], run, 3)
        ad = self.addr(size)
        m = f"{ptr} {mem(ad)}"
        if kind == "load":
            return Node([f"mov {name}, {m}"], lambda s: s.set(name, s.load(ad, size)), 1)
        if kind == "store":
            return Node([f"mov {m}, {name}"], lambda s: s.store(ad, size, s.get(name)), 1)
        if kind == "add_from":
            return Node([f"add {name}, {m}"], lambda s: s.set(name, s.get(name) + s.load(ad, size)), 1)
        op = "add" if kind == "add_to" else "xor"
        f = (lambda x, y: x + y) if op == "add" else (lambda x, y: x ^ y)
        return Node([f"{op} {m}, {name}"], lambda s: s.store(ad, size, f(s.load(ad, size), s.get(name))), 1)

    def string(self):
        """REP MOVS/STOS/CMPS/SCAS over ranges that cross pages, forwards or backwards."""
        r = self.rng
        w = r.choice([1, 2, 4])
        sfx = {1: "b", 2: "w", 4: "d"}[w]
        n = r.randrange(1, 3000 // w)
        back = r.random() < 0.25
        kind = r.choice(["movs", "movs", "stos", "cmps", "scas"])
        span = n * w
        def pick():
            base = r.choice([D_BASE, B_BASE])
            return base + r.randrange(0, WIN - span - w)
        src, dst = pick(), pick()
        if kind == "movs" and r.random() < 0.3:
            dst = min(src + r.choice([1, 2, 4, 8]), src - src % 0x10000 + WIN - span - w)   # overlapping
        step = -w if back else w
        s0 = src + span - w if back else src
        d0 = dst + span - w if back else dst
        lines = [f"mov esi, {s0:#x}", f"mov edi, {d0:#x}", f"mov ecx, {n}"] + (["std"] if back else [])
        rep = {"movs": "rep", "stos": "rep", "cmps": "repe", "scas": "repne"}[kind]
        lines.append(f"{rep} {kind}{sfx}")
        sets = None
        if kind in ("cmps", "scas"):
            sets = (r.choice(["e", "b", "a"]), r.choice(["al", "bl", "dl"]) if kind == "cmps" else r.choice(["bl", "dl"]))
            lines.append(f"set{sets[0]} {sets[1]}")
        if back:
            lines.append("cld")
        def run(s):
            si, di, cnt = s0, d0, n
            last = None
            acc = {1: "al", 2: "ax", 4: "eax"}[w]
            while cnt:
                cnt -= 1
                if kind == "movs":
                    s.store(di, w, s.load(si, w))
                elif kind == "stos":
                    s.store(di, w, s.get(acc))
                elif kind == "cmps":
                    last = (s.load(si, w), s.load(di, w))
                elif kind == "scas":
                    last = (s.get(acc), s.load(di, w))
                if kind in ("movs", "cmps"):
                    si += step
                di += step
                if kind == "cmps" and last[0] != last[1]:
                    break
                if kind == "scas" and last[0] == last[1]:
                    break
            s.set("esi", si)
            s.set("edi", di)
            s.set("ecx", cnt)
            if sets:
                s.set(sets[1], int(cond(sets[0], last[0], last[1], 8 * w)))
        return Node(lines, run, 5 + n)

    def x87(self):
        r = self.rng
        a, b, c = self.reg(), self.reg(), self.reg()
        kind = r.choice(["add", "mul", "sub", "div", "sqrt", "chs"])
        lines = [f"mov {mem(RT_SCR)}, {a}", f"mov {mem(RT_SCR + 4)}, {b}"]
        if kind in ("div", "sqrt"):
            lines.append(f"or dword {mem(RT_SCR + 4 if kind == 'div' else RT_SCR)}, 1")
        if kind == "sqrt":
            lines.append(f"and dword {mem(RT_SCR)}, 0x7fffffff")
        lines.append(f"fild dword {mem(RT_SCR)}")
        lines += {"add": [f"fiadd dword {mem(RT_SCR + 4)}"], "mul": [f"fimul dword {mem(RT_SCR + 4)}"],
                  "sub": [f"fisub dword {mem(RT_SCR + 4)}"], "div": [f"fidiv dword {mem(RT_SCR + 4)}"],
                  "sqrt": ["fsqrt"], "chs": ["fchs", "fabs", "fchs"]}[kind]
        lines += [f"fistp dword {mem(RT_SCR + 8)}", f"mov {c}, {mem(RT_SCR + 8)}"]
        def run(s):
            x, y = signed(s.get(a)), signed(s.get(b))
            if kind == "div":
                y = signed(y | 1)
            if kind == "sqrt":
                x = (x | 1) & 0x7FFFFFFF
                k = int(x ** 0.5)
                while k * k > x:
                    k -= 1
                while (k + 1) * (k + 1) <= x:
                    k += 1
                v = k + 1 if x - k * k > k else k
            elif kind == "div":
                from fractions import Fraction
                v = round(Fraction(x, y))
            else:
                v = {"add": x + y, "mul": x * y, "sub": x - y, "chs": -abs(x)}[kind]
            s.set(c, v if -(1 << 31) <= v < (1 << 31) else 0x80000000)
        return Node(lines, run, len(lines))

    # --- faults and timing -------------------------------------------------------------------------
    def bad_segment(self):
        """#GP from a segment load (a TSS selector, one beyond the GDT limit, a null descriptor)."""
        sel = self.rng.choice([0x28, 0x400, 0x40, 0x7F8 | 3])
        lbl = self.labels()
        return Node(["push eax", f"mov eax, {sel:#x}", f"mov dword {mem(RT_SKIP)}, {lbl}e - {lbl}s",
                     f"{lbl}s: mov gs, ax", f"{lbl}e:", "pop eax"], lambda s: None, 5)

    def far_segment(self):
        """A data segment with a non-zero base and a limit in FS: accesses inside, one beyond."""
        r = self.rng
        target = r.choice([D_BASE, B_BASE]) + r.randrange(0, WIN - 256)
        base = (target - r.randrange(0, 0x8000)) & ~3
        limit = target - base + r.randrange(8, 200)
        lo = ((base & 0xFFFF) << 16) | (limit & 0xFFFF)
        hi = (base & 0xFF000000) | 0x400000 | (limit & 0xF0000) | 0x9300 | ((base >> 16) & 0xFF)
        a = self.reg()
        off = target - base
        store = r.random() < 0.5
        lbl = self.labels()
        lines = [f"mov dword {mem(0x2000 + SEL_DATAX)}, {lo:#x}", f"mov dword {mem(0x2000 + SEL_DATAX + 4)}, {hi:#x}",
                 "push eax", f"mov eax, {SEL_DATAX}", "mov fs, ax", "pop eax",
                 f"mov dword [fs:dword {off:#x}], {a}" if store else f"mov {a}, dword [fs:dword {off:#x}]",
                 f"mov dword {mem(RT_SKIP)}, {lbl}e - {lbl}s",
                 f"{lbl}s: mov dword [fs:dword {limit - 1:#x}], eax", f"{lbl}e:"]
        def run(s):
            if store:
                s.store(target, 4, s.get(a))
            else:
                s.set(a, s.load(target, 4))
        return Node(lines, run, 9)

    def timing(self):
        """Values that depend on exact instruction counts: only the machine hash sees them."""
        k = self.rng.choice(["rdtsc", "pit", "hlt"])
        if k == "rdtsc":
            lines = ["push eax", "push edx", "rdtsc", f"xor {mem(RT_TSC)}, eax", "pop edx", "pop eax"]
        elif k == "pit":
            lines = ["push eax", "mov al, 0", "out 0x43, al", "in al, 0x40", f"add {mem(RT_TSC + 4)}, al",
                     "in al, 0x40", f"add {mem(RT_TSC + 5)}, al", "pop eax"]
        else:
            # Without the timer nothing would wake it; with it, the wait counts as up to a period
            # of instructions (1 ns each, a PIT tick is 838 ns).
            return Node(["hlt"] if self.timer else ["nop"], lambda s: None, self.timer * 838 + 1)
        return Node(lines, lambda s: None, len(lines))

    def unmap(self):
        """Drop a D page from the page table so the next access faults (#PF mid-REP included)."""
        if not self.paging:
            return Node(["nop"], lambda s: None, 1)
        if self.rng.random() < 0.3:
            return Node(["push eax", "mov eax, cr3", "mov cr3, eax", "pop eax"], lambda s: None, 4)
        k = self.rng.randrange(WIN // 4096)
        return Node([f"and dword {mem(PT2 + 4 * k)}, ~1", f"invlpg [dword {D_BASE + k * 4096:#x}]"], lambda s: None, 2)

    def pick(self, ring3=False):
        r = self.rng
        table = [(self.alu, 10), (self.unary, 3), (self.shift, 4), (self.mul, 4), (self.div, 2),
                 (self.compare, 5), (self.bits, 3), (self.memop, 8)]
        if not self.in16:
            table += [(self.string, 1), (self.x87, 1)]
        if not ring3:
            table += [(self.bad_segment, 0.3), (self.timing, 0.4), (self.unmap, 0.6)]
            if not self.in16:
                table += [(self.far_segment, 0.4)]
        fs, ws = zip(*table)
        return r.choices(fs, ws)[0]()
