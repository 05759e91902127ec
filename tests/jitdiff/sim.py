"""The generator's own model of what a generated guest computes.

Every operation the generator emits carries a Python function that applies its effect to a Sim.
Running the program tree through the model gives the final checksum the guest must print, so a
bug that both engines share (same wrong flag, same wrong division) is still caught.
Only the state the checksum covers is modelled: the seven general registers other than ESP and
the two data windows. Timer, fault counters and page-table state are left to the differential.
"""

M32 = 0xFFFFFFFF
REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
GPRS = ["eax", "ecx", "edx", "ebx", "ebp", "esi", "edi"]  # never ESP: it holds the stack
R16 = {r: r[1:] for r in REGS}
R8 = {"al": ("eax", 0), "cl": ("ecx", 0), "dl": ("edx", 0), "bl": ("ebx", 0),
      "ah": ("eax", 8), "ch": ("ecx", 8), "dh": ("edx", 8), "bh": ("ebx", 8)}

# Data windows (linear addresses): D is 4 KB pages (some demand-faulted), B lies in a 4 MB page.
D_BASE, B_BASE, WIN = 0x800000, 0xC00000, 0x10000


def lcg_fill(seed):
    """The data the runtime's fill loop writes (dword LCG), as bytes."""
    out = bytearray(WIN)
    x = seed
    for i in range(0, WIN, 4):
        x = (x * 1664525 + 1013904223) & M32
        out[i:i + 4] = x.to_bytes(4, "little")
    return out


def signed(v, bits=32):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


class Sim:
    def __init__(self, regs, fill_seed_d, fill_seed_b):
        self.r = dict(regs)
        self.mem = {D_BASE: lcg_fill(fill_seed_d), B_BASE: lcg_fill(fill_seed_b)}
        self.de_count = 0
        self.icount = 0

    # Registers by name at any width (eax, ax, al, ah).
    def get(self, name):
        if name in self.r:
            return self.r[name]
        if name in R8:
            full, sh = R8[name]
            return (self.r[full] >> sh) & 0xFF
        return self.r["e" + name] & 0xFFFF

    def set(self, name, v):
        if name in self.r:
            self.r[name] = v & M32
        elif name in R8:
            full, sh = R8[name]
            self.r[full] = (self.r[full] & ~(0xFF << sh) & M32) | ((v & 0xFF) << sh)
        else:
            full = "e" + name
            self.r[full] = (self.r[full] & 0xFFFF0000) | (v & 0xFFFF)

    def _win(self, addr, size):
        for base, buf in self.mem.items():
            if base <= addr and addr + size <= base + WIN:
                return buf, addr - base
        raise ValueError(f"model access outside the data windows: {addr:#x}")

    def load(self, addr, size):
        buf, off = self._win(addr, size)
        return int.from_bytes(buf[off:off + size], "little")

    def store(self, addr, size, v):
        buf, off = self._win(addr, size)
        buf[off:off + size] = (v & ((1 << (8 * size)) - 1)).to_bytes(size, "little")

    def checksum(self):
        """The runtime's rt_finish hash: registers, then the D window, then the B window."""
        h = 0
        words = [self.r[g] for g in GPRS]
        for base in (D_BASE, B_BASE):
            buf = self.mem[base]
            words += [int.from_bytes(buf[i:i + 4], "little") for i in range(0, WIN, 4)]
        for v in words:
            h = (((h << 5) | (h >> 27)) & M32) ^ v
            h = (h * 0x9E3779B1) & M32
        return h


def cond(cc, a, b, bits=32):
    """Outcome of jCC/setCC/cmovCC after `cmp a, b` at the given width."""
    m = (1 << bits) - 1
    a &= m
    b &= m
    d = (a - b) & m
    sa, sb, sd = signed(a, bits), signed(b, bits), signed(d, bits)
    of = sa - sb != sd
    sf = sd < 0
    return {"e": a == b, "ne": a != b, "b": a < b, "ae": a >= b, "be": a <= b, "a": a > b,
            "l": sf != of, "ge": sf == of, "le": (a == b) or (sf != of), "g": (a != b) and (sf == of),
            "s": sf, "ns": not sf}[cc]


CONDS = ["e", "ne", "b", "ae", "be", "a", "l", "ge", "le", "g", "s", "ns"]
