#!/usr/bin/env python3
"""Decides which side rounded a transcendental x87 result correctly, with a 600-bit reference.

Reads the lines ghost86-fpudiff writes with --lines or --reference:
    op fcw a b  ours_st0 ours_st1 ours_c1  host_st0 host_st1 host_c1
(80-bit values as "sign_exp:significand" in hex, "-" where the host did not run). For each line it
computes the exact result with mpmath, rounds it to 64 bits in the control word's rounding mode,
and checks our result and C1 (set when the magnitude was rounded up) against that, and the host's
too where present. The trigonometric instructions reduce their operand by the x87's 66-bit pi
(SDM Vol.1 §8.3.10): the reference is f(r + q*pi/2) with r = x - q*pi66/2 exactly.

Exit status 1 if any of our results or C1 values is not the correctly rounded one.
"""
import sys

import mpmath
from mpmath import mp, mpf

mp.prec = 600
HALF_PI66 = mpf(0x3243F6A8885A308D3) / 2**65  # pi rounded to 66 bits, halved
MIN_NORMAL_EXP = -16382


def f80(text):
    """The value of an 80-bit operand (exact: mpf's exponent is unbounded)."""
    se, sig = text.split(":")
    se, sig = int(se, 16), int(sig, 16)
    sign, exp = se >> 15, se & 0x7FFF
    if exp == 0x7FFF and sig == 1 << 63:
        value = mpmath.inf
    elif exp == 0x7FFF or (exp != 0 and not sig >> 63):
        raise ValueError("not a finite number: " + text)
    else:
        value = mpmath.ldexp(mpf(sig), (exp or 1) - 16383 - 63)
    return -value if sign else value


def log2(x):
    m, e = mpmath.frexp(x)
    return mpf(e - 1) if m == 0.5 else mpmath.log(x) / mpmath.ln2


def reduced_trig(x):
    """(sin, cos, tan) of x as the x87 computes them: reduced by the 66-bit pi."""
    q = int(mpmath.nint(abs(x) / HALF_PI66))
    r = abs(x) - q * HALF_PI66  # exact: every term is a short dyadic
    s, c = mpmath.sin(r), mpmath.cos(r)
    s, c = [(s, c), (c, -s), (-s, -c), (-c, s)][q % 4]
    if x < 0:
        s = -s
    return s, c, s / c


def exact(op, a, b, b_neg):
    """The instruction's results, as (value in ST(0), value in ST(1) or None). b_neg: the sign
    of ST(1), which mpmath does not keep for zeros."""
    if op in ("sin", "cos", "sincos", "ptan"):
        s, c, t = reduced_trig(a)
        return {"sin": (s, None), "cos": (c, None), "sincos": (c, s), "ptan": (mpf(1), t)}[op]
    if op == "patan":
        if b == 0:  # +-0 or +-pi by the signs (SDM FPATAN table)
            return (-1 if b_neg else 1) * (mpmath.pi if a < 0 else 0), None
        if mpmath.isinf(a) and mpmath.isinf(b):  # mpmath gives NaN; the x87 an odd multiple of pi/4
            return mpmath.atan2(mpmath.sign(b), mpmath.sign(a)), None
        return mpmath.atan2(b, a), None
    if op == "f2xm1":
        if a == 1:
            # Hardware-defined: the x87 delivers 2^1 - 1 as a value just below 1 (1.0 with C1 = 1
            # to nearest and up, 1 - 2^-64 toward zero and down: measured on the host x87).
            return 1 - mpmath.ldexp(1, -mp.prec // 2), None
        if a == -1:
            return mpf(-0.5), None
        return mpmath.expm1(a * mpmath.ln2), None
    if op == "fyl2x":
        return b * log2(a), None
    if op == "fyl2xp1":
        return b * mpmath.log1p(a) / mpmath.ln2, None
    raise ValueError("unknown operation " + op)


class Ambiguous(Exception):
    """The value is too close to a rounding boundary for the working precision."""


def rounded(v, fcw, limit):
    """v rounded to a 64-bit significand in the control word's rounding mode, and whether the
    magnitude was rounded up. Results beyond the exponent range are checked only when the
    overflow or underflow exception is unmasked (the x87 then delivers them with the exponent
    wrapped by 24576, SDM Vol.1 §8.5.4); otherwise None. Raises Ambiguous when v lies within
    `limit` (relative) of a rounding boundary."""
    rc = (fcw >> 10) & 3
    if v == 0:
        return None
    mag = abs(v)
    m, e = mpmath.frexp(mag)  # mag = m * 2^e, 1/2 <= m < 1
    e -= 1
    scaled = mpmath.ldexp(m, 64)
    lo = int(mpmath.floor(scaled))
    frac = scaled - lo
    if limit > 0:
        if frac < limit or abs(frac - 0.5) < limit or 1 - frac < limit:
            raise Ambiguous()
    else:  # the last resort: snap to the boundary
        snap = mpmath.ldexp(1, -mp.prec // 2)
        if frac < snap:
            frac = 0
        elif 1 - frac < snap:
            lo, frac = lo + 1, 0
        elif abs(frac - 0.5) < snap:
            frac = mpf(0.5)
    toward_inf = (rc == 1 and v < 0) or (rc == 2 and v > 0)
    if frac == 0:
        up = False
    elif rc == 0:
        up = frac > 0.5 or (frac == 0.5 and lo & 1)
    else:
        up = toward_inf
    m = lo + up
    if m == 2**64:
        m, e = 2**63, e + 1
    # Overflow, and underflow with tininess detected after rounding (as the x87 does).
    if e > 16383:
        if fcw & 0x08:
            return None
        e -= 24576
    elif e < MIN_NORMAL_EXP:
        if fcw & 0x10:
            return None
        e += 24576
    return (v < 0, e, m), up


def expected(op, a, b, b_neg, fcw):
    """[(register, (sign, exponent, significand), rounded up)] for the registers holding
    computed values, the one C1 reports first (the sine of FSINCOS, the tangent of FPTAN).
    Ziv's strategy: the precision grows until the rounding is decided; a value still on a
    boundary at 40000 bits is taken to be exactly that (e.g. 2^1 - 1)."""
    # Start with enough bits for the leading terms that decide the rounding near zero: x^3 next
    # to x for the trigonometric functions, y/x for FPATAN, x^2 next to x for F2XM1 and FYL2XP1.
    def mag_exp(v):
        return 0 if v == 0 or mpmath.isinf(v) else int(mpmath.frexp(v)[1])
    ea, eb = mag_exp(a), mag_exp(b)
    if op == "patan":
        prec = 300 + 2 * abs(eb - ea)
    elif op in ("f2xm1", "fyl2xp1"):
        prec = 300 + max(0, -ea)
    elif op == "fyl2x":
        prec = 300
    else:
        prec = 300 + 2 * max(0, -ea)
    while True:
        with mp.workprec(prec):
            v0, v1 = exact(op, a, b, b_neg)
            regs = [(1, v1), (0, v0)] if v1 is not None else [(0, v0)]
            if op == "ptan":
                regs = [(1, v1)]
            limit = mpmath.ldexp(1, 80 - prec) if prec < 40000 else 0
            try:
                want = []
                for reg, v in regs:
                    r = rounded(v, fcw, limit)
                    if r is None:
                        return None
                    want.append((reg, r[0], r[1]))
                return want
            except Ambiguous:
                prec *= 4


def parts(text):
    se, sig = text.split(":")
    se, sig = int(se, 16), int(sig, 16)
    return (bool(se >> 15), (se & 0x7FFF) - 16383, sig)


def main():
    ours_bad = host_bad = checked = host_checked = 0
    c1_bad = host_c1_bad = 0
    reports = []
    for n, line in enumerate(sys.stdin, 1):
        f = line.split()
        if not f:
            continue
        op, fcw = f[0], int(f[1], 16)
        a, b = f80(f[2]), f80(f[3])
        ours = (f[4], f[5], f[6])
        host = (f[7], f[8], f[9]) if f[7] != "-" else None
        want = expected(op, a, b, f[3].startswith(("8", "9", "a", "b", "c", "d", "e", "f")), fcw)
        if want is None:
            continue  # beyond the exponent range with the exception masked: not checked
        checked += 1
        c1_want = want[0][2]
        ok = all(parts(ours[reg]) == w for reg, w, _ in want)
        if not ok:
            ours_bad += 1
            reports.append(f"line {n}: ours not correctly rounded: {line.strip()}")
        elif (ours[2] == "1") != c1_want:
            c1_bad += 1
            reports.append(f"line {n}: our C1 is not the rounding direction: {line.strip()}")
        if host:
            host_checked += 1
            if not all(parts(host[reg]) == w for reg, w, _ in want):
                host_bad += 1
            elif (host[2] == "1") != c1_want:
                host_c1_bad += 1
    print(f"{checked} results checked: {checked - ours_bad} of ours correctly rounded, "
          f"{c1_bad} with a wrong C1")
    if host_checked:
        print(f"host: {host_checked - host_bad} of {host_checked} correctly rounded, "
              f"{host_bad} not; {host_c1_bad} correctly rounded with C1 against the rounding")
    for r in reports[:20]:
        print(r)
    return 1 if ours_bad or c1_bad else 0


if __name__ == "__main__":
    sys.exit(main())
