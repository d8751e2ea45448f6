#!/usr/bin/env python3
"""make bench: rung's nanobenchmarks, guest next to native, in one boot.

Under QEMU TCG with -icount shift=0 the TSC counts executed instructions, so
every figure is an exact, repeatable instruction count (guest and host code
together).  sleep=off makes an idle CPU jump straight to its next timer
instead of waiting in real time, so even the timer row is exact.  With --accel kvm on a machine with real VT-x/AMD-V the same run
prints cycles.  The console lines read:
  rung: bench: native WHAT: min N median M ...      (the host, before any guest)
  [bench] bench: begin WHAT                         (the guest, before a row's loop)
  [bench] bench: WHAT: min N median M (K samples)   (after it)
  rung: exits: bench N                              (after each guest console write)
World switches per operation come from the exit counts around each row.
"""
import argparse
import re
import subprocess
import sys

# guest row -> (native row it is set against, exits that are not the row's own)
ROWS = [
    ("null hypercall round trip", "int/iret ring 3 to 0 round trip"),
    ("syscall through a direct trap", "int/iret ring 3 to 0 round trip"),
    ("reflected divide error", "divide error caught in ring 0"),
    ("user demand fault, shadow fill only", "ring-3 demand fault mapped by ring 0"),
    ("user demand fault served by the guest", "ring-3 demand fault mapped by ring 0"),
    ("SET_PTE", "page-table entry store"),
    ("SET_PTE batched (per entry, 50 a batch)", "page-table entry store"),
    ("NEW_PGTABLE, shadow cached", "pair of CR3 reloads"),
    ("NEW_PGTABLE, not cached (with the refills it causes)", "pair of CR3 reloads"),
    ("timer interrupt delivery, deadline to handler", None),
]
RING3_ROWS = {"syscall through a direct trap", "user demand fault, shadow fill only",
              "user demand fault served by the guest"}
OPERATIONS = {"SET_PTE batched (per entry, 50 a batch)": 1000}


def run(accel, timeout):
    icount = ["-icount", "shift=0,sleep=off"] if accel == "tcg" else []
    cmd = ["qemu-system-i386", "-accel", accel, *icount, "-display", "none", "-serial", "stdio",
           "-no-reboot", "-m", "64", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-kernel", "build/rung.elf", "-initrd", "build/guests/bench.elf", "-append", "quiet bench"]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                          text=True, errors="replace").stdout


def parse(out):
    native, guest, switches = {}, {}, {}
    exits, begun = None, None
    for line in out.splitlines():
        m = re.search(r"rung: bench: native (.+?): min (\d+) median (\d+)", line)
        if m:
            native[m.group(1)] = (int(m.group(2)), int(m.group(3)))
            continue
        m = re.search(r"rung: exits: bench (\d+)", line)
        if m:
            exits = int(m.group(1))
            if begun and begun[1] is None:
                begun = (begun[0], exits)
            continue
        m = re.search(r"\[bench\] bench: begin (.+)$", line)
        if m:
            begun = (m.group(1), None)
            continue
        m = re.search(r"\[bench\] bench: (.+?): min (\d+) median (\d+) \((\d+) samples\)", line)
        if m:
            name, count = m.group(1), int(m.group(4))
            guest[name] = (int(m.group(2)), int(m.group(3)))
            if begun and begun[0] == name and begun[1] is not None:
                start = begun[1]
                switches[name] = (start, OPERATIONS.get(name, count))
                begun = (name, "ended")
            continue
        if begun and begun[1] == "ended":
            pass
    # Turn "exits at the begin line" into exits per operation, using the
    # count printed right after each result line.
    per_op = {}
    lines = out.splitlines()
    for i, line in enumerate(lines):
        m = re.search(r"\[bench\] bench: (.+?): min", line)
        if not m or m.group(1) not in switches:
            continue
        for follow in lines[i + 1:i + 4]:
            e = re.search(r"rung: exits: bench (\d+)", follow)
            if e:
                start, ops = switches[m.group(1)]
                own = int(e.group(1)) - start - 1  # less the result line's own write
                if m.group(1) in RING3_ROWS:
                    own -= 1                        # and the int $0x81 that ends a ring-3 row
                per_op[m.group(1)] = 2 * own / ops
                break
    return native, guest, per_op


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accel", default="tcg", choices=["tcg", "kvm"])
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    out = run(args.accel, args.timeout)
    native, guest, per_op = parse(out)
    unit = "instructions (QEMU TCG -icount shift=0,sleep=off)" if args.accel == "tcg" else "cycles"
    print(f"rung nanobenchmarks, unit: {unit}; minimum and median, rdtsc overhead removed")
    print(f"{'guest operation':52} {'min':>6} {'median':>7} {'switches':>8} | "
          f"{'native floor (same boot)':36} {'min':>5} {'median':>6} | {'ratio':>6}")
    missing = False
    for guest_row, native_row in ROWS:
        g = guest.get(guest_row)
        if not g:
            missing = True
            print(f"{guest_row:52} (not measured)")
            continue
        sw = per_op.get(guest_row)
        sw_text = f"{sw:8.2f}" if sw is not None else f"{'?':>8}"
        n = native.get(native_row) if native_row else None
        if n:
            ratio = f"{g[0] / n[0]:5.1f}x" if n[0] else "   inf"
            print(f"{guest_row:52} {g[0]:>6} {g[1]:>7} {sw_text} | {native_row:36} {n[0]:>5} {n[1]:>6} | {ratio:>6}")
        else:
            print(f"{guest_row:52} {g[0]:>6} {g[1]:>7} {sw_text} | {'(no native counterpart)':36} {'':>5} {'':>6} |")
    print("switches: world switches per operation (an exit and an entry are two), from the host's exit counts.")
    if missing:
        print("some rows were not measured; console output follows:\n" + out)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
