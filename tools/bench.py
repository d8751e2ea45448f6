#!/usr/bin/env python3
"""make bench: rung's nanobenchmarks, guest next to native, in one boot.

Under QEMU TCG with -icount shift=0 the TSC counts executed instructions, so
every figure is an exact, repeatable instruction count (guest and host code
together).  With --accel kvm on a machine with real VT-x/AMD-V the same run
prints cycles.  Lines read from the console:
  rung: bench: native WHAT: min N median M ...
  [bench] bench: WHAT: min N median M ...
  rung: guest bench stats: ...
"""
import argparse
import re
import subprocess
import sys

# (guest row, native row it is compared with)
ROWS = [
    ("null hypercall round trip", "int/iret ring 3 to 0 round trip"),
]


def run(accel, timeout):
    icount = ["-icount", "shift=0"] if accel == "tcg" else []
    cmd = ["qemu-system-i386", "-accel", accel, *icount, "-display", "none", "-serial", "stdio",
           "-no-reboot", "-m", "64", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-kernel", "build/rung.elf", "-initrd", "build/guests/bench.elf", "-append", "bench"]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                         text=True, errors="replace").stdout
    return out


def parse(out):
    figures = {}
    for line in out.splitlines():
        m = re.search(r"bench: (?:native )?(.+?): min (\d+) median (\d+)", line)
        if m:
            side = "native" if "bench: native" in line else "guest"
            figures[(side, m.group(1))] = (int(m.group(2)), int(m.group(3)))
        m = re.search(r"guest bench stats: (\d+) exits, (\d+) hypercalls", line)
        if m:
            figures["exits"] = (int(m.group(1)), int(m.group(2)))
    return figures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accel", default="tcg", choices=["tcg", "kvm"])
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    out = run(args.accel, args.timeout)
    f = parse(out)
    unit = "instructions (QEMU TCG -icount shift=0)" if args.accel == "tcg" else "cycles"
    print(f"rung nanobenchmarks, unit: {unit}; min / median of 1000 samples, rdtsc overhead removed")
    print(f"{'operation':34} {'guest min':>9} {'median':>7} | {'native floor':34} {'min':>6} {'median':>7} | {'ratio':>6}")
    missing = False
    for guest_row, native_row in ROWS:
        g = f.get(("guest", guest_row))
        n = f.get(("native", native_row))
        if not g or not n:
            missing = True
            print(f"{guest_row:34} (not measured)")
            continue
        ratio = g[0] / n[0] if n[0] else float("inf")
        print(f"{guest_row:34} {g[0]:>9} {g[1]:>7} | {native_row:34} {n[0]:>6} {n[1]:>7} | {ratio:>5.1f}x")
    cr3 = f.get(("native", "pair of CR3 reloads"))
    if cr3:
        print(f"{'':34} {'':>9} {'':>7} | {'pair of CR3 reloads':34} {cr3[0]:>6} {cr3[1]:>7} |")
    if "exits" in f:
        exits, calls = f["exits"]
        print(f"world switches: {exits} exits for {calls} hypercalls in the bench guest's life: "
              f"{2 * exits / calls:.2f} switches per hypercall (an exit and an entry each)")
    if missing:
        print("some rows were not measured; console output follows:\n" + out)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
