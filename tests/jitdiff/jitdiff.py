#!/usr/bin/env python3
"""Differential test of ghost86's engines: the same guest under -accel interp and -accel jit
must print identical `icount=N hash=H` lines (--checkpoint-every and --report), identical guest
output and the same exit status.

  jitdiff.py seeds GHOST86 SEEDS [--insns N] [--every N] [--keep DIR]
      generated programs (gen.py); SEEDS like 1-20 or 3,7,9. Each must also print RESULT OK:
      the checksum the generator's model computed independently of both engines.
  jitdiff.py run GHOST86 [--every N] -- ARGS...
      any ghost86 command line (a FreeDOS or Linux boot), --report added.
  jitdiff.py compare A B
      two saved outputs (files written with --keep); exits 1 when they differ.
  jitdiff.py selfcheck GHOST86
      shows that this script catches differences: a line altered, another program, a wrong
      model checksum. Exits 0 only when all three are reported.
Prints `N passed, M failed` at the end and exits 1 on any difference.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_LIB = os.path.join(HERE, "..", "guest") + "/"
ENGINES = ("interp", "jit")


def die(msg):
    print(f"jitdiff: {msg}", file=sys.stderr)
    sys.exit(2)


def run_engine(ghost86, args, accel, every):
    """One run: (status, report lines, other output). ghost86 writes the lines on stderr."""
    cmd = [ghost86, *args, "-accel", accel, "--report"] + (["--checkpoint-every", str(every)] if every else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, errors="replace")
    reports = [ln for ln in p.stderr.splitlines() if ln.startswith("icount=")]
    other = p.stdout.splitlines() + [ln for ln in p.stderr.splitlines() if not ln.startswith("icount=")]
    return {"status": p.returncode, "reports": reports, "output": other}


def dump(res):
    return "\n".join([f"status={res['status']}"] + res["reports"] + ["--"] + res["output"]) + "\n"


def load(path):
    try:
        text = open(path).read().split("\n")
    except OSError as e:
        die(f"cannot read {path}: {e.strerror}")
    if not text or not text[0].startswith("status=") or "--" not in text:
        die(f"{path}: not an output saved by jitdiff.py --keep")
    cut = text.index("--")
    return {"status": int(text[0][7:]), "reports": text[1:cut], "output": text[cut + 1:-1]}


def differ(a, b, names=ENGINES):
    """The first difference between two runs as a message, or None."""
    ra, rb = a["reports"], b["reports"]
    for i in range(max(len(ra), len(rb))):
        la = ra[i] if i < len(ra) else "(none)"
        lb = rb[i] if i < len(rb) else "(none)"
        if la != lb:
            return f"checkpoint {i + 1}: {names[0]} {la} | {names[1]} {lb}"
    if not ra:
        return "no icount= lines at all"
    if a["output"] != b["output"]:
        for la, lb in zip(a["output"] + ["(end)"], b["output"] + ["(end)"]):
            if la != lb:
                return f"output: {names[0]} {la!r} | {names[1]} {lb!r}"
    if a["status"] != b["status"]:
        return f"exit status: {names[0]} {a['status']} | {names[1]} {b['status']}"
    return None


def build_guest(seed, insns, work):
    asm, body, img = (os.path.join(work, f"seed{seed}{x}") for x in (".asm", ".body", ".bin"))
    subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(seed), asm, "--insns", str(insns)], check=True)
    subprocess.run(["nasm", "-f", "bin", "-I" + HERE + "/", "-o", body, asm], check=True)
    subprocess.run(["nasm", "-f", "bin", "-I" + GUEST_LIB, f"-DBODY=\"{body}\"", "-o", img,
                    os.path.join(HERE, "boot.asm")], check=True)
    return img


def parse_seeds(text):
    seeds = []
    try:
        for part in text.split(","):
            lo, _, hi = part.partition("-")
            seeds += range(int(lo), int(hi or lo) + 1)
    except ValueError:
        die(f"bad seed list '{text}' (expected e.g. 1-20 or 3,7,9)")
    if not seeds:
        die(f"empty seed list '{text}'")
    return seeds


def check_binary(path):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        die(f"'{path}' is not an executable ghost86")


def cmd_seeds(a):
    check_binary(a.ghost86)
    seeds = parse_seeds(a.seeds)
    work = a.keep or tempfile.mkdtemp(prefix="jitdiff")
    os.makedirs(work, exist_ok=True)
    passed = failed = 0
    for seed in seeds:
        try:
            img = build_guest(seed, a.insns, work)
        except subprocess.CalledProcessError as e:
            failed += 1
            print(f"seed {seed}: FAIL could not build the guest ({' '.join(e.cmd[:2])}...)")
            continue
        args = ["-bios", img, "-debugcon", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                "--max-insns", str(a.insns * 4 + 2_000_000)]
        runs = [run_engine(a.ghost86, args, e, a.every) for e in ENGINES]
        for e, res in zip(ENGINES, runs):
            with open(os.path.join(work, f"seed{seed}.{e}.out"), "w") as f:
                f.write(dump(res))
        diff = differ(*runs)
        if diff is None and "RESULT OK" not in runs[0]["output"]:
            diff = "both engines agree but not with the generator's model: " + " / ".join(runs[0]["output"][-2:])
        if diff:
            failed += 1
            print(f"seed {seed}: FAIL {diff}\n  reproduce: {img} (outputs in {work})")
        else:
            passed += 1
            stats = next((ln for ln in runs[0]["output"] if ln.startswith("checksum")), "")
            print(f"seed {seed}: ok {runs[0]['reports'][-1]} {stats}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_run(a):
    check_binary(a.ghost86)
    if not a.args:
        die("no ghost86 arguments after --")
    runs = [run_engine(a.ghost86, a.args, e, a.every) for e in ENGINES]
    diff = differ(*runs)
    print(f"{' '.join(a.args)}: " + (f"FAIL {diff}" if diff else f"ok {runs[0]['reports'][-1]}"))
    print(f"{0 if diff else 1} passed, {1 if diff else 0} failed")
    return 1 if diff else 0


def cmd_compare(a):
    diff = differ(load(a.a), load(a.b), (a.a, a.b))
    print(f"FAIL {diff}" if diff else "same")
    print(f"{0 if diff else 1} passed, {1 if diff else 0} failed")
    return 1 if diff else 0


def cmd_selfcheck(a):
    check_binary(a.ghost86)
    work = tempfile.mkdtemp(prefix="jitdiff-self")
    img = build_guest(1, 300_000, work)
    args = ["-bios", img, "-debugcon", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "--max-insns", "5000000"]
    base = run_engine(a.ghost86, args, "interp", 100_000)
    problems = []
    if differ(base, base) is not None or len(base["reports"]) < 3:
        problems.append(f"a run does not compare equal to itself or has too few checkpoints: {base['reports']}")
    altered = dict(base, reports=list(base["reports"]))
    mid = len(altered["reports"]) // 2
    altered["reports"][mid] = altered["reports"][mid][:-1] + ("0" if altered["reports"][mid][-1] != "0" else "1")
    found = differ(base, altered)
    if not found or f"checkpoint {mid + 1}:" not in found:
        problems.append(f"one altered hash digit at checkpoint {mid + 1} not reported (got {found})")
    other = run_engine(a.ghost86, ["-bios", build_guest(2, 300_000, work)] + args[2:], "interp", 100_000)
    if differ(base, other) is None:
        problems.append("seeds 1 and 2 compare equal")
    # A wrong model checksum: the guest itself must say RESULT FAIL.
    asm = os.path.join(work, "seed1.asm")
    text = open(asm).read()
    bad = "\n".join(ln if not ln.startswith("%define EXPECTED") else "%define EXPECTED 0x12345678"
                     for ln in text.split("\n"))
    open(asm, "w").write(bad)
    subprocess.run(["nasm", "-f", "bin", "-I" + HERE + "/", "-o", os.path.join(work, "seed1.body"), asm], check=True)
    subprocess.run(["nasm", "-f", "bin", "-I" + GUEST_LIB, f"-DBODY=\"{os.path.join(work, 'seed1.body')}\"",
                    "-o", img, os.path.join(HERE, "boot.asm")], check=True)
    wrong = run_engine(a.ghost86, args, "interp", 0)
    if not any(ln.startswith("RESULT FAIL") for ln in wrong["output"]) or wrong["status"] != 3:
        problems.append(f"a wrong model checksum was not reported: {wrong['output'][-2:]} status {wrong['status']}")
    for p in problems:
        print(f"selfcheck: FAIL {p}")
    print(f"{4 - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seeds")
    s.add_argument("ghost86")
    s.add_argument("seeds")
    s.add_argument("--insns", type=int, default=1_500_000)
    s.add_argument("--every", type=int, default=100_000)
    s.add_argument("--keep", help="directory for the guests and outputs (default: a new temporary one)")
    r = sub.add_parser("run")
    r.add_argument("ghost86")
    r.add_argument("--every", type=int, default=0)
    r.add_argument("args", nargs="*", help="after --: the ghost86 arguments")
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    sub.add_parser("selfcheck").add_argument("ghost86")
    argv = sys.argv[1:]
    tail = argv[argv.index("--") + 1:] if "--" in argv else []
    a = ap.parse_args(argv[:len(argv) - len(tail) - (1 if tail or "--" in argv else 0)])
    if a.cmd == "run":
        a.args = tail
    if getattr(a, "every", 0) < 0 or getattr(a, "insns", 1) <= 0:
        die("--every and --insns must be positive")
    sys.exit({"seeds": cmd_seeds, "run": cmd_run, "compare": cmd_compare, "selfcheck": cmd_selfcheck}[a.cmd](a))


if __name__ == "__main__":
    main()
