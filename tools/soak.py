#!/usr/bin/env python3
"""tools/soak.py: rung under load for some minutes (`make soak MINUTES=N`).

Boots rung in QEMU TCG with 16 guests, all but the witnesses with
on_kill=restart: copies of the demo OS (build/guests/demo.elf, when it exists
and passes a short run of its own first; otherwise more fuzzers take their
places), hypercall fuzzers, timer storms, console floods and two witnesses.
Each guest is named NAME_tT: it runs until T seconds after boot (see
guest/tests/knobs.h), so the whole run lasts about MINUTES.  Then it reads the
serial log and reports:

  - guests run, lives (one per `stats:` line the host prints at each end of
    a life), kills and their reasons, restarts;
  - world switches: the guests' exits (each one a switch out of the guest
    world and back) over the run's wall-clock time;
  - hypercalls: the fuzzers' calls, made by `int` and run from the
    asynchronous ring, as the host counted them in its stats lines (exact:
    killed lives included), their total and rate;
  - the fuzzers' seeds, as ranges per guest (a life's seed is its guest's
    base plus its life number), and a command line that replays one life
    (the first killed one) on its own;
  - the console: every flood life reports the bytes it wrote ("flood life L:
    wrote B bytes in N lines, C console lines"); the text of its console
    lines since its previous report, with each backslash-x-HH escape read
    back as the one byte it stands for, must be B bytes, and there must be
    exactly C lines (the ABI's ceil(L / 256) per line of L bytes, one if
    empty).

Exit status 1 on a PANIC, a missing `all guests finished` line, a byte count
that differs, a witness or storm without SUCCESS, a guest that did not end
by powering off, or QEMU not ending in time.  Python 3 standard library only.
"""
import argparse, collections, os, re, shlex, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("RUNG_BUILD", os.path.join(ROOT, "build"))
GUESTS = os.path.join(BUILD, "guests")
QEMU = "qemu-system-i386"

GUEST_LINE = re.compile(rb"^\[([A-Za-z0-9_-]{1,15})\] (.*)$", re.S)
ESCAPE = re.compile(rb"\\x[0-9a-f]{2}")
FLOOD_REPORT = re.compile(rb"^flood life (\d+): wrote (\d+) bytes in (\d+) lines, (\d+) console lines$")
STARTED = re.compile(r"^rung: guest (\S+) started: ")
KILLED = re.compile(r"^rung: guest (\S+) killed: (.*)$")
RESTARTING = re.compile(r"^rung: guest (\S+) restarting: (.*)$")
POWERED = re.compile(r"^rung: guest (\S+) powered off: (.*)$")
REJECTED = re.compile(r"^rung: guest (\S+) rejected: (.*)$")
STATS = re.compile(r"^rung: guest (\S+) stats: (\d+) exits, (\d+) hypercalls, (\d+) async calls, (\d+) page faults, "
                   r"(\d+) interrupts$")
STARTED_MEM = re.compile(r"^rung: guest (\S+) started: mem=(\d+) KiB ")
FUZZ_SEED = re.compile(r"^fuzzer seed ([0-9a-f]{8}) life (\d+)$")
SLICE = re.compile(r"^rung: scheduler: longest slice (\d+) us \(guest (\S+)\), tick (\d+) us$")
CONSOLE_TOTALS = re.compile(r"^rung: console: (\d+) bytes accepted from guests, (\d+) printed$")
FINISHED = re.compile(r"^rung: all guests finished: (\d+) powered off, (\d+) killed, (\d+) rejected$")


def qemu_argv(log, memory, modules, cmdline=""):
    """QEMU's command line; the serial console to `log`, or to stdout if None."""
    return [QEMU, "-display", "none", "-serial", "file:" + log if log else "stdio", "-no-reboot", "-m", str(memory),
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-cpu", "qemu32", "-accel", "tcg",
            "-kernel", os.path.join(BUILD, "rung.elf"), "-append", cmdline,
            "-initrd", ",".join(os.path.join(GUESTS, m) for m in modules)]


def run(argv, timeout):
    """(QEMU's exit status or None on a timeout, seconds taken)."""
    started = time.monotonic()
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          start_new_session=True) as p:
        try:
            _, err = p.communicate(timeout=timeout)
            status = p.returncode
            if status != 1 and err.strip():  # e.g. killed by a signal: QEMU says so
                print("soak: QEMU said: " + err.decode(errors="replace").strip().replace("\n", "\n      "))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.communicate()
            status = None
    return status, time.monotonic() - started


def demo_works(out):
    """True when demo.elf exists and one copy of it powers off cleanly alone."""
    if not os.path.exists(os.path.join(GUESTS, "demo.elf")):
        print("soak: no build/guests/demo.elf: fuzzers take the demos' places")
        return False
    log = os.path.join(out, "demo-preflight.log")
    status, seconds = run(qemu_argv(log, 64, ["demo.elf name=preflight mem=8M"]), 90)
    with open(log, "rb") as f:
        text = f.read().decode(errors="replace")
    ok = status == 1 and "rung: guest preflight powered off:" in text and "PANIC" not in text
    print("soak: demo.elf preflight %s (%.1fs)%s" % ("passed" if ok else "FAILED", seconds,
                                                     "" if ok else ": fuzzers take the demos' places"))
    return ok


def guests(deadline, with_demo):
    """The 16 module strings, and the memory (MiB) QEMU needs for them."""
    t = "_t%d" % deadline
    mods = []
    if with_demo:
        mods += ["demo.elf name=demo%d mem=8M on_kill=restart" % i for i in (1, 2, 3)]
    else:
        mods += ["fuzzer.elf name=fzd%d%s mem=%s on_kill=restart" % (i, t, m) for i, m in ((1, "8M"), (2, "2M"), (3, "3M"))]
    mods += ["fuzzer.elf name=fz%d%s mem=%s on_kill=restart" % (i, t, m)
             for i, m in ((1, "2M"), (2, "2M"), (3, "3M"), (4, "4M"), (5, "8M"), (6, "16M"))]
    mods += ["storm.elf name=storm%d%s mem=2M on_kill=restart" % (i, t) for i in (1, 2)]
    mods += ["flood.elf name=flood%d%s mem=2M on_kill=restart" % (i, t) for i in (1, 2, 3)]
    mods += ["witness.elf name=wit1%s mem=2M" % t, "witness.elf name=wit2%s mem=8M" % t]
    total = sum(int(re.search(r"mem=(\d+)M", m).group(1)) for m in mods)
    return mods, total + 64  # the host, its frames and the switcher pages fit in the rest


def ranges(numbers):
    """'5eed0000-5eed0011 5eed0020' for a set of seeds: runs of consecutive ones."""
    out, numbers = [], sorted(numbers)
    for i, n in enumerate(numbers):
        if i and n == numbers[i - 1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return " ".join("%08x" % a if a == b else "%08x-%08x" % (a, b) for a, b in out)


def replay_argv(name, seed, kib):
    """QEMU's command line for one fuzzer life alone: _sSEED gives its first life
    that seed, _n2 makes the next life the last (it only reports and powers off)."""
    module = "fuzzer.elf name=r_s%08x_n2 mem=%dK on_kill=restart" % (seed, kib)
    return qemu_argv(None, (kib + 1023) // 1024 + 64, [module])


class Report:
    def __init__(self):
        self.started, self.lives, self.kills, self.reasons = set(), collections.Counter(), collections.Counter(), collections.Counter()
        self.restarts, self.powered, self.rejected = collections.Counter(), {}, []
        self.exits = self.hypercalls = self.async_calls = self.faults = self.interrupts = 0
        self.calls = collections.Counter()         # guest -> hypercalls, by int and from the ring
        self.mem = {}                              # guest -> KiB
        self.seeds = collections.defaultdict(set)  # fuzzer -> its lives' seeds
        self.seed_now = {}                         # fuzzer -> (seed, life) of the life under way
        self.first_kill = None                     # (fuzzer, seed, life, reason)
        self.panics, self.finished, self.verdicts = [], None, {}
        self.slice = None    # (us, guest, tick us): the longest one guest kept the others off the CPU
        self.console_totals = None
        self.guest_bytes = collections.Counter()  # every guest's console bytes, as counted from the log
        self.flood = {}                            # guest -> [bytes, console lines] since its last report
        self.flood_lives = self.flood_bytes = self.flood_seen = 0
        self.mismatches = []
        self.fuzz_lives, self.fuzz_done = collections.Counter(), {}

    def line(self, raw):
        host = raw.decode(errors="replace")
        s = SLICE.match(host)
        if s:
            self.slice = (int(s.group(1)), s.group(2), int(s.group(3)))
        c = CONSOLE_TOTALS.match(host)
        if c:
            self.console_totals = (int(c.group(1)), int(c.group(2)))
        m = GUEST_LINE.match(raw)
        if m:
            name, text = m.group(1).decode(), m.group(2)
            size = len(ESCAPE.sub(b"?", text))  # each \xHH is one byte the guest wrote
            self.guest_bytes[name] += size
            if name.startswith("flood"):
                r = FLOOD_REPORT.match(text)
                seen = self.flood.setdefault(name, [0, 0])
                if r:
                    life, wrote, lines, console = (int(x) for x in r.groups())
                    self.flood_lives += 1
                    self.flood_bytes += wrote
                    self.flood_seen += seen[0]
                    if seen[0] != wrote:
                        self.mismatches.append("%s life %d: wrote %d bytes, the console shows %d" % (name, life, wrote, seen[0]))
                    if seen[1] != console:
                        self.mismatches.append("%s life %d: %d console lines expected, %d seen" % (name, life, console, seen[1]))
                    self.flood[name] = [0, 0]
                else:
                    seen[0] += size
                    seen[1] += 1
            t = text.decode(errors="replace")
            if t.startswith("Test result: "):
                self.verdicts[name] = t[len("Test result: "):]
            elif t.startswith("fuzzer seed "):
                self.fuzz_lives[name] += 1
                s = FUZZ_SEED.match(t)
                if s:
                    self.seeds[name].add(int(s.group(1), 16))
                    self.seed_now[name] = (int(s.group(1), 16), int(s.group(2)))
            elif t.startswith("fuzzer done: "):
                self.fuzz_done[name] = t
            return
        line = raw.decode(errors="replace")
        if line.startswith("rung: PANIC") or "PANIC" in line and line.startswith("rung: "):
            self.panics.append(line)
        for regex, action in ((STATS, self._stats), (STARTED, self._started),
                              (KILLED, self._killed), (RESTARTING, lambda m: self.restarts.update([m.group(1)])),
                              (POWERED, lambda m: self.powered.__setitem__(m.group(1), m.group(2))),
                              (REJECTED, lambda m: self.rejected.append(line)),
                              (FINISHED, lambda m: setattr(self, "finished", line))):
            m = regex.match(line)
            if m:
                action(m)
                return

    def _started(self, m):
        self.started.add(m.group(1))
        mem = STARTED_MEM.match(m.string)
        if mem:
            self.mem[m.group(1)] = int(mem.group(2))

    def _stats(self, m):
        self.lives[m.group(1)] += 1
        self.exits += int(m.group(2))
        self.hypercalls += int(m.group(3))
        self.async_calls += int(m.group(4))
        self.calls[m.group(1)] += int(m.group(3)) + int(m.group(4))
        self.faults += int(m.group(5))
        self.interrupts += int(m.group(6))

    def _killed(self, m):
        self.kills[m.group(1)] += 1
        if self.first_kill is None and m.group(1) in self.seed_now:
            self.first_kill = (m.group(1),) + self.seed_now[m.group(1)] + (m.group(2),)
        reason = re.sub(r"\b(0x)?[0-9a-f]*\d[0-9a-f]*\b", "N", m.group(2))
        self.reasons[reason] += 1


def main():
    ap = argparse.ArgumentParser(description="rung soak test")
    ap.add_argument("--minutes", type=float, default=2)
    ap.add_argument("--out", default=os.path.join(BUILD, "soak"), help="directory for the logs")
    ap.add_argument("--no-demo", action="store_true", help="fuzzers instead of the demo OS copies")
    ap.add_argument("--check", metavar="LOG", help="only analyse the serial log of an earlier run")
    args = ap.parse_args()
    if args.check:
        names = sorted({m.group(1).decode() for m in re.finditer(rb"^rung: guest (\S+) started: ", open(args.check, "rb").read(), re.M)})
        return analyse(args.check, None, 0.0, 0, names)
    os.makedirs(args.out, exist_ok=True)
    for name in ("rung.elf", "guests/fuzzer.elf", "guests/storm.elf", "guests/flood.elf", "guests/witness.elf"):
        if not os.path.exists(os.path.join(BUILD, name)):
            print("soak: %s is missing (run make)" % os.path.join(BUILD, name))
            return 1

    with_demo = not args.no_demo and demo_works(args.out)
    deadline = max(5, int(args.minutes * 60))
    modules, memory = guests(deadline, with_demo)
    log = os.path.join(args.out, "soak.log")
    print("soak: %d guests, -m %d, about %d s; serial log %s" % (len(modules), memory, deadline, os.path.relpath(log)))
    for m in modules:
        print("  " + m)
    sys.stdout.flush()
    # A fuzzer or flood life under way at the deadline still ends: room for that.
    # QEMU logs the CPU's state at each reset: two at power-on, and one more
    # if the host triple-faults (with -no-reboot QEMU then ends, status 0).
    status, seconds = run(qemu_argv(log, memory, modules) + ["-d", "cpu_reset", "-D", log + ".resets"], deadline + 120)
    if status is None:
        print("soak: QEMU did not end within %d s" % (deadline + 120))
    names = [re.search(r"name=(\S+)", m).group(1) for m in modules]
    return analyse(log, status, seconds, deadline, names)


def analyse(log, status, seconds, deadline, names):
    """Reads the serial log; prints the summary; 0 if all is well, else 1."""
    report = Report()
    size = 0
    with open(log, "rb") as f:
        for raw in f:
            size += len(raw)
            report.line(raw.rstrip(b"\n").rstrip(b"\r"))

    problems = []
    if status is None and deadline:
        problems.append("QEMU did not end within %d s" % (deadline + 120))
    elif status is not None and status != 1:
        problems.append("QEMU exit status %d (rung writes 0 -> status 1 when every guest powered off)%s"
                        % (status, "; 0 after a reset (a triple fault?): the CPU's state is in %s.resets" % log
                           if status == 0 else ""))
    problems += ["PANIC: " + p for p in report.panics[:3]]
    if not report.finished:
        problems.append("no `rung: all guests finished` line")
    problems += ["rejected: " + r for r in report.rejected]
    problems += ["console lost or added bytes: " + m for m in report.mismatches[:10]]
    if report.console_totals and report.console_totals[0] != report.console_totals[1]:
        problems.append("the host accepted %d console bytes and printed %d" % report.console_totals)
    for name in names:
        if name not in report.started:
            problems.append("%s never started" % name)
        elif name not in report.powered:
            problems.append("%s did not power off (%d kills)" % (name, report.kills[name]))
        if name in report.powered and not report.lives[name]:
            problems.append("%s: no stats line (has its format changed?)" % name)
        if name.startswith(("wit", "storm")) and report.verdicts.get(name) != "SUCCESS":
            problems.append("%s: verdict %s" % (name, report.verdicts.get(name, "none")))
        if name.startswith("fz") and name in report.powered and name not in report.fuzz_done:
            problems.append("%s powered off before its last life: %s" % (name, report.powered[name]))
    for name, left in report.flood.items():
        if left[0] and name in report.powered:
            problems.append("%s: %d console bytes after its last report" % (name, left[0]))

    lives = sum(report.lives.values())
    kills = sum(report.kills.values())
    print()
    if seconds:
        print("soak summary (%.1f s of QEMU TCG, log %.1f MB)" % (seconds, size / 1e6))
    else:
        print("soak summary of %s (%.1f MB; run time unknown)" % (log, size / 1e6))
    print("  guests run:        %d started, %d rejected, %d powered off" % (len(report.started), len(report.rejected),
                                                                          len(report.powered)))
    print("  lives:             %d (fuzzers %d, floods %d)" % (lives, sum(report.fuzz_lives.values()), report.flood_lives))
    print("  kills:             %d (all restarted: %s)" % (kills, "yes" if kills <= sum(report.restarts.values()) else "no"))
    for reason, n in report.reasons.most_common(8):
        print("      %6d  %s" % (n, reason))
    if len(report.reasons) > 8:
        print("      %6d  in %d other kinds" % (sum(n for _, n in report.reasons.most_common()[8:]), len(report.reasons) - 8))
    rate = "%.0f per second" % (report.exits / seconds) if seconds else "rate unknown"
    print("  world switches:    %d exits (each a switch out of the guest and back) in %.1f s: %s"
          % (report.exits, seconds, rate))
    print("                     of them %d hypercalls, %d page faults, %d host interrupts"
          % (report.hypercalls, report.faults, report.interrupts))
    fuzzers = sorted(n for n in report.seeds)
    fuzz_calls = sum(report.calls[n] for n in fuzzers)
    rate = "in %.1f s: %.0f per second" % (seconds, fuzz_calls / seconds) if seconds else "(rate unknown)"
    print("  hypercalls:        fuzzers %d (the host's count, by int and from the ring) %s" % (fuzz_calls, rate))
    print("                     all guests %d by int, %d from the ring" % (report.hypercalls, report.async_calls))
    for i, name in enumerate(fuzzers):
        print("  %-19s%-15s %s" % ("fuzzer seeds:" if i == 0 else "", name, ranges(report.seeds[name])))
    if report.first_kill or fuzzers:  # the first killed life, else any one
        name, seed, life, reason = report.first_kill or (fuzzers[0], min(report.seeds[fuzzers[0]]), 0, "")
        print("  replay a life:     %s life %d (seed %08x%s), alone:" % (name, life, seed, reason and ", killed: " + reason))
        print("    " + " ".join(shlex.quote(a) for a in replay_argv(name, seed, report.mem.get(name, 2048))))
    print("  console:           floods wrote %d bytes in %d lives; their console lines hold %d; all guests' lines %d bytes"
          % (report.flood_bytes, report.flood_lives, report.flood_seen, sum(report.guest_bytes.values())))
    if report.slice:
        us, who, tick = report.slice
        print("  longest slice:     %.1f ms (guest %s; tick %.0f ms): the longest any guest was kept off the CPU by"
              " another's exits, beyond waiting its turn" % (us / 1000, who, tick / 1000))
    if report.console_totals:
        print("  host console:      %d bytes accepted from guests, %d printed" % report.console_totals)
    print("  end:               %s" % (report.finished or "(missing)"))
    for name in names:
        print("    %-15s lives %5d  kills %5d  calls %9d  %s" % (name, report.lives[name], report.kills[name],
                                                                  report.calls[name],
                                                                  report.verdicts.get(name) or report.fuzz_done.get(name) or
                                                                  report.powered.get(name, "(still running)")))
    if problems:
        print("soak: FAILED")
        for p in problems:
            print("  " + p)
        return 1
    print("soak: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
