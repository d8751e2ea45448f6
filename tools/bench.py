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

Then, under TCG (--no-linux skips it), the Linux guest: the reference
bzImage and initramfs with rung.mode=bench, whose /init runs /bin/tsc as soon
as its console is open ("tsc N": instructions since power-on).  Three boots,
each with the RTC pinned so that it repeats exactly:
  native      a plain QEMU PC, console=ttyS0 (stopped at the tsc line:
              there poweroff -f only halts)
  rung        rung.elf with the guest, console=hvc0; rung prints the guest's
              exits by reason when it powers off
  rung quiet  the same with `quiet`: the difference between the two, over
              the bytes of the guest's console lines before the tsc line, is
              what one early-console byte costs
"""
import argparse
import re
import selectors
import subprocess
import sys
import time

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


# ---- the Linux guest ---------------------------------------------------------
ICOUNT = ["-accel", "tcg", "-icount", "shift=0,sleep=off", "-rtc", "base=2024-01-01T00:00:00,clock=vm",
          "-display", "none", "-serial", "stdio", "-no-reboot"]
NATIVE = ["qemu-system-i386", *ICOUNT, "-m", "128", "-kernel", "build/guests/bzImage",
          "-initrd", "build/guests/initramfs.gz", "-append", "console=ttyS0 rung.mode=bench"]


def under_rung(quiet):
    linux = "console=hvc0 quiet rung.mode=bench" if quiet else "console=hvc0 rung.mode=bench"
    return ["qemu-system-i386", *ICOUNT, "-m", "256", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-kernel", "build/rung.elf", "-initrd",
            f"build/guests/bzImage name=linux mem=64M -- {linux},build/guests/initramfs.gz initrd_for=linux"]


def run_until(cmd, stop, timeout):
    """Runs cmd until a line matches stop (then ends it), it exits, or timeout
    seconds pass.  Returns (lines, why): why is "stop", "exit" or "timeout"."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    lines, partial, why = [], b"", "exit"
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                why = "timeout"
                break
            if not sel.select(left):
                continue
            chunk = proc.stdout.read1(65536)
            if not chunk:
                break
            *done, partial = (partial + chunk).split(b"\n")
            lines += [line.decode(errors="replace").rstrip("\r") for line in done]
            if any(re.search(stop, line) for line in lines[-len(done):] if done):
                why = "stop"
                break
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if partial:
        lines.append(partial.decode(errors="replace").rstrip("\r"))
    return lines, why


def guest_boot(lines, prefix):
    """(tsc, console bytes before the tsc line) from a boot's lines, or None."""
    size = 0
    for line in lines:
        if not line.startswith(prefix):
            continue
        text = line[len(prefix):]
        m = re.fullmatch(r"tsc (\d+)", text)
        if m:
            return int(m.group(1)), size
        size += len(text) + 1  # the guest's text and its newline
    return None


EXITS = re.compile(r"rung: guest linux exits by reason: (\d+) hypercalls \((\d+) more from the async ring\), "
                   r"(\d+) page faults, (\d+) host interrupts, (\d+) I/O instructions, (\d+) device memory, "
                   r"(\d+) other traps")


def linux_figures(timeout):
    """The Linux guest's section; returns False if a figure is missing."""
    print()
    print("Linux guest (the reference 4.9.337 bzImage, rung.mode=bench): instructions from power-on")
    print("to /init's first line, QEMU TCG -icount shift=0,sleep=off, RTC pinned")
    runs = {}
    for name, cmd, stop, prefix in [
        ("native", NATIVE, r"^tsc \d+$", ""),
        ("rung", under_rung(False), r"^rung: all guests finished", "[linux] "),
        ("rung quiet", under_rung(True), r"^rung: all guests finished", "[linux] "),
    ]:
        lines, why = run_until(cmd, stop, timeout)
        found = guest_boot(lines, prefix)
        if found is None:
            print(f"{name}: no \"{prefix}tsc N\" line ({'timed out after %d s' % timeout if why == 'timeout' else 'QEMU exited'}); "
                  f"its last lines:")
            print("\n".join("  " + line for line in lines[-25:]))
            return False
        runs[name] = (found, lines)
    (native, _), _ = runs["native"]
    (loud, loud_bytes), loud_lines = runs["rung"]
    (quiet, quiet_bytes), _ = runs["rung quiet"]
    print(f"{'boot':44} {'instructions':>14} {'console bytes':>14} {'vs native':>10}")
    print(f"{'native (QEMU PC, console=ttyS0)':44} {native:>14,} {'':>14} {'':>10}")
    print(f"{'under rung (console=hvc0)':44} {loud:>14,} {loud_bytes:>14,} {loud / native:>9.2f}x")
    print(f"{'under rung, quiet':44} {quiet:>14,} {quiet_bytes:>14,} {quiet / native:>9.2f}x")
    if loud_bytes > quiet_bytes:
        per_byte = (loud - quiet) / (loud_bytes - quiet_bytes)
        print(f"early console: {loud - quiet:,} instructions for {loud_bytes - quiet_bytes:,} bytes, "
              f"{per_byte:,.0f} instructions per byte")
    else:
        print("early console: the quiet boot printed no fewer bytes; no cost per byte")
    exits = next((m for m in map(EXITS.search, loud_lines) if m), None)
    if exits:
        h, a, p, i, o, m, t = (int(x) for x in exits.groups())
        print(f"exits of the rung boot (its whole life, to poweroff -f): {h + p + i + o + m + t:,}: "
              f"{h:,} hypercalls (+{a:,} from the async ring), {p:,} page faults, {i:,} host interrupts, "
              f"{o:,} I/O instructions, {m:,} device memory, {t:,} other traps")
    else:
        print("exits of the rung boot: no \"exits by reason\" line (is `quiet` on rung's own command line?)")
    print("lguest, measured the same way: 745 M under lguest (4.2x native), about 39,500 instructions per byte.")
    return exits is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accel", default="tcg", choices=["tcg", "kvm"])
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--no-linux", action="store_true", help="skip the Linux guest's boots")
    ap.add_argument("--linux-only", action="store_true", help="only the Linux guest's boots")
    ap.add_argument("--linux-timeout", type=int, default=180, help="seconds for each Linux boot")
    args = ap.parse_args()
    linux = args.accel == "tcg" and not args.no_linux
    if args.linux_only:
        if not linux:
            print("the Linux figures are instruction counts: they need --accel tcg")
            return 2
        return 0 if linux_figures(args.linux_timeout) else 1
    status = nanobenchmarks(args)
    if linux and not linux_figures(args.linux_timeout):
        status = 1
    return status


def nanobenchmarks(args):
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
