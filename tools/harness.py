#!/usr/bin/env python3
"""rung's boot-test harness (python3 standard library only).

Runs every tests/boot/*.case under QEMU TCG, QEMU KVM (when KVM can run a
32-bit paging kernel here) and Bochs, and checks the serial console and the
status rung writes to port 0xF4.  A case file holds `key: value` lines:

  modules: hello.elf name=x mem=8M; spin.elf   guests from build/guests/ (';'-separated;
                                               bad/NAME: build/bad/NAME, from tools/mkbad.py)
  cmdline: selftest                            kernel command line
  emulators: qemu-tcg qemu-kvm bochs           default: all three
  cpus: 486 pentium qemu32                     QEMU TCG -cpu models (default qemu32)
  memory: 8 64 1024                            MiB (default 64); each size is its own run
  timeout: 30                                  seconds under QEMU (Bochs: BOCHS_FACTOR times)
  expect: REGEX                                some console line must match (re.search)
  forbid: REGEX                                no console line may match
  expect_in_order: yes                         the expects must match in the order given
  exit: success|failure                        what rung writes to 0xF4 (0 or 1)
  nmi: N                                       QEMU only: inject N NMIs through the monitor
                                               while the guests run (2 ms apart)
  bochs_log_ok: REGEX                          error lines in Bochs's own log that the case
                                               causes on purpose (its CPU reporting the
                                               exceptions a guest raises), not problems

`expect@Q:` and `forbid@Q:` apply only to runs that fit Q: a memory size in
MiB (`expect@3584:`), `mem=N`, `cpu=NAME` or `emulator=NAME`.  Every case that
runs under qemu-tcg also boots its GRUB ISO once with -cdrom (qemu32, first
memory size), so the ISO path is tested too; Bochs always boots that ISO.
"""
import argparse, concurrent.futures, fcntl, os, re, shutil, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("RUNG_BUILD", os.path.join(ROOT, "build"))  # another build tree: RUNG_BUILD=DIR
KERNEL = os.path.join(BUILD, "rung.elf")
GUESTS = os.path.join(BUILD, "guests")
OUT = os.path.join(BUILD, "boot")
LOGS = os.path.join(OUT, "logs")
CASES = os.path.join(ROOT, "tests", "boot")
QEMU = "qemu-system-i386"
EMULATORS = ("qemu-tcg", "qemu-kvm", "bochs")
# Bochs timeout = BOCHS_FACTOR x the case's.  Measured here: the kernel alone
# boots in 0.2 s under QEMU, 1.2 s under Bochs (BIOS and GRUB included); guest
# code runs 12-20 times slower than under TCG (two_spinners: 0.8 s vs 12.5 s).
# Cases' timeouts are far above their QEMU times (30 s default, < 1 s used), so
# 5 is ample, and keeps a hung Bochs run from eating the time budget.
BOCHS_FACTOR = 5
# Bochs's `megs` stops at 2048, and its BIOS reports no RAM above 3 GiB (none
# above 4 GiB) whatever the size: larger sizes run as 2048 MiB under Bochs,
# and that is the size `expect@` sees.  (3584 would work with `memory:
# guest=3584`, but takes 9 s to boot and shows only 3 GiB.)
BOCHS_MAX_MEM = 2048
KVM_PROBE_TIMEOUT = 15
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BOCHS_STATUS = re.compile(r"unmapped: \d+-bit write to 00f4 = ([0-9a-f]+)")
BOCHS_BAD = re.compile(r"^\d+[ep]\[")
BOCHS_SHUTDOWN = "Shutdown port: shutdown requested"


class CaseError(Exception):
    pass


class Case:
    def __init__(self, path):
        self.path, self.name = path, os.path.splitext(os.path.basename(path))[0]
        self.modules, self.cmdline, self.emulators = [], "", list(EMULATORS)
        self.cpus, self.memory, self.timeout = ["qemu32"], [64], 30.0
        self.nmis = 0
        self.inputs = []  # (compiled regex, bytes): type the bytes once a console line matches
        self.checks = []  # (kind "expect"/"forbid", qualifier or None, compiled regex)
        self.in_order, self.exit = False, "success"
        self.bochs_log_ok = []  # compiled regexes
        self.error = None
        try:
            self._parse()
        except CaseError as e:
            self.error = str(e)

    def _parse(self):
        with open(self.path) as f:
            for number, raw in enumerate(f, 1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                key, sep, value = line.partition(":")
                key, value = key.strip(), value.strip()
                where = "%s:%d" % (self.path, number)
                if not sep:
                    raise CaseError("%s: not a `key: value` line" % where)
                base, _, qualifier = key.partition("@")
                if base in ("expect", "forbid"):
                    try:
                        self.checks.append((base, qualifier or None, re.compile(value)))
                    except re.error as e:
                        raise CaseError("%s: bad regex: %s" % (where, e))
                elif qualifier:
                    raise CaseError("%s: only expect and forbid take @" % where)
                elif key == "modules":
                    self.modules = [m.strip() for m in value.split(";") if m.strip()]
                elif key == "cmdline":
                    self.cmdline = value
                elif key == "emulators":
                    self.emulators = value.split()
                    bad = set(self.emulators) - set(EMULATORS)
                    if bad:
                        raise CaseError("%s: unknown emulator %s" % (where, " ".join(sorted(bad))))
                elif key == "cpus":
                    self.cpus = value.split()
                elif key in ("memory", "timeout"):
                    try:
                        if key == "memory":
                            self.memory = [int(m) for m in value.split()]
                        else:
                            self.timeout = float(value)
                    except ValueError:
                        raise CaseError("%s: %s wants numbers" % (where, key))
                elif key == "bochs_log_ok":
                    try:
                        self.bochs_log_ok.append(re.compile(value))
                    except re.error as e:
                        raise CaseError("%s: bad regex: %s" % (where, e))
                elif key == "input":
                    # input: REGEX => TEXT   (TEXT with \n, \r, \xHH escapes)
                    m = re.match(r"^(.*?) =>(?: (.*))?$", value)
                    if not m:
                        raise CaseError("%s: input wants `REGEX => TEXT`" % where)
                    pattern, text = m.group(1), m.group(2) or ""
                    try:
                        self.inputs.append((re.compile(pattern), text.encode().decode("unicode_escape").encode("latin-1")))
                    except (re.error, UnicodeDecodeError) as e:
                        raise CaseError("%s: bad input: %s" % (where, e))
                elif key == "nmi":
                    try:
                        self.nmis = int(value)
                    except ValueError:
                        raise CaseError("%s: nmi wants a number" % where)
                elif key == "expect_in_order":
                    self.in_order = value.lower() in ("yes", "true", "1")
                elif key == "exit":
                    if value not in ("success", "failure"):
                        raise CaseError("%s: exit is success or failure" % where)
                    self.exit = value
                else:
                    raise CaseError("%s: unknown key %r" % (where, key))
        if not self.cpus or not self.memory:
            raise CaseError("%s: empty cpus or memory list" % self.path)

    def module_files(self):
        return [module_path(m.split()[0]) for m in self.modules]


class Run:
    def __init__(self, case, emulator, cpu, mem, cdrom=False):
        self.case, self.emulator, self.cpu, self.mem, self.cdrom = case, emulator, cpu, mem, cdrom
        parts = [emulator] + (["cdrom"] if cdrom else []) + (["cpu=" + cpu] if cpu else [])
        self.label = "[case file]" if case.error else "[%s mem=%d]" % (" ".join(parts), mem)
        stem = ".".join([case.name, emulator] + (["cdrom"] if cdrom else []) + ([cpu] if cpu else []) + ["m%d" % mem])
        self.log = os.path.join(LOGS, stem + ".log")

    def applies(self, qualifier):
        if qualifier is None:
            return True
        if qualifier.isdigit():
            return int(qualifier) == self.mem
        key, _, value = qualifier.partition("=")
        actual = {"mem": str(self.mem), "cpu": self.cpu or "", "emulator": self.emulator}.get(key)
        return actual == value


def module_path(spec):
    """A module's file (and options): bad/... lies in build/bad/, the rest in build/guests/."""
    return os.path.join(BUILD if spec.startswith("bad/") else GUESTS, spec)


def rel(path):
    return os.path.relpath(path, os.getcwd())


def run_process(argv, timeout, **kwargs):
    """Runs argv in its own process group; returns (status or None on timeout, stderr)."""
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=kwargs.pop("stdout", subprocess.DEVNULL),
                          stderr=subprocess.PIPE, start_new_session=True, **kwargs) as p:
        try:
            _, err = p.communicate(timeout=timeout)
            return p.returncode, err.decode(errors="replace")
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            _, err = p.communicate()
            return None, err.decode(errors="replace")


def read_lines(path):
    try:
        with open(path, "rb") as f:
            text = f.read().decode(errors="replace")
    except OSError:
        return []
    return [ANSI.sub("", line) for line in text.splitlines()]


# ---- QEMU -------------------------------------------------------------------
def inject_nmis(socket_path, count, stop, log):
    """Sends `nmi` to QEMU's monitor `count` times, 2 ms apart, once a guest has started."""
    import socket
    deadline = time.time() + 10
    while not stop.is_set() and time.time() < deadline:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(socket_path)
                while not any("started: mem=" in l for l in read_lines(log)):
                    if stop.is_set() or time.time() > deadline:
                        return
                    time.sleep(0.005)
                for _ in range(count):
                    if stop.is_set():
                        return
                    s.sendall(b"nmi\n")
                    time.sleep(0.002)
                return
        except OSError:
            time.sleep(0.02)


def type_inputs(socket_path, inputs, stop, log):
    """The typist: reads the serial console through QEMU's socket into `log`
    and, as each input's regex matches a line (in order), types its text."""
    import socket
    deadline = time.time() + 10
    while not stop.is_set():
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(socket_path)
            break
        except OSError:
            s.close()
            if time.time() > deadline:
                return
            time.sleep(0.02)
    with s, open(log, "wb", buffering=0) as out:
        s.settimeout(0.1)
        pending, seen, pos = list(inputs), b"", 0  # pos: where the next input's search starts
        while not stop.is_set() and pending:
            try:
                data = s.recv(65536)
                if not data:
                    return
                out.write(data)
                seen += data
            except socket.timeout:
                pass
            except OSError:
                return
            # Whole lines and the partial one (a prompt), from pos on.
            start = pos
            for line in seen[pos:].split(b"\n"):
                end = start + len(line) + 1
                if pending and pending[0][0].search(ANSI.sub("", line.decode(errors="replace")).rstrip("\r")):
                    s.sendall(pending.pop(0)[1])
                    pos = min(end, len(seen))
                start = end
        while True:  # keep reading, so QEMU never waits on us, until it closes the socket
            try:
                data = s.recv(65536)
                if not data:
                    return
                out.write(data)
            except socket.timeout:
                if stop.is_set():
                    return
            except OSError:
                return


def qemu(log, mem, cpu, accel, timeout, cmdline="", modules=(), iso=None, nmis=0, inputs=()):
    """Boots rung in QEMU; returns (status rung wrote or None, problem or None)."""
    serial = ["-serial", "file:" + log]
    if inputs:  # a socket the typist reads and writes; QEMU still logs everything to `log`
        sock = log + ".serial"
        if os.path.exists(sock):
            os.remove(sock)
        serial = ["-chardev", "socket,id=con,path=%s,server=on,wait=on" % sock, "-serial", "chardev:con"]
    argv = [QEMU, "-display", "none"] + serial + ["-no-reboot", "-m", str(mem),
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-cpu", cpu, "-accel", accel]
    injector, stop = None, threading.Event()
    typist = None
    if inputs:
        typist = threading.Thread(target=type_inputs, args=(sock, inputs, stop, log), daemon=True)
    if nmis:
        monitor = log + ".monitor"
        if os.path.exists(monitor):
            os.remove(monitor)
        argv += ["-monitor", "unix:%s,server=on,wait=off" % monitor]
        injector = threading.Thread(target=inject_nmis, args=(monitor, nmis, stop, log), daemon=True)
    if iso:
        argv += ["-cdrom", iso]
    else:
        argv += ["-kernel", KERNEL, "-append", cmdline]
        if modules:
            argv += ["-initrd", ",".join(module_path(m) for m in modules)]
    if os.path.exists(log):
        os.remove(log)
    if injector:
        injector.start()
    if typist:
        typist.start()
    status, err = run_process(argv, timeout)
    stop.set()
    if typist:
        typist.join(5)  # it writes the log: let it take the last bytes
    errors = [l for l in err.splitlines() if l.strip() and "warning:" not in l and "info: QEMU waiting" not in l]
    if status is None:
        return None, "crash/no verdict: timed out after %gs" % timeout
    if errors:  # QEMU's own failures also exit with status 1
        return None, "QEMU failed (status %d): %s" % (status, " / ".join(errors[:3]))
    if status % 2 == 1:
        return status >> 1, None
    return None, "crash/no verdict: QEMU exited with status %d (reset or triple fault?)" % status


# ---- ISOs and Bochs ---------------------------------------------------------
iso_locks, iso_done, iso_lock = {}, {}, threading.Lock()


def case_iso(case):
    """The case's GRUB ISO under build/boot/iso/, rebuilt when an input is newer."""
    with iso_lock:
        lock = iso_locks.setdefault(case.name, threading.Lock())
    with lock:
        if case.name in iso_done:
            return iso_done[case.name]
        iso = os.path.join(OUT, "iso", case.name + ".iso")
        inputs = [KERNEL, case.path, os.path.join(ROOT, "tools", "mkiso.sh")] + case.module_files()
        try:
            fresh = os.path.getmtime(iso) >= max(os.path.getmtime(p) for p in inputs)
        except OSError:
            fresh = False
        result = (iso, None)
        if not fresh:
            os.makedirs(os.path.dirname(iso), exist_ok=True)
            p = subprocess.run(["bash", os.path.join(ROOT, "tools", "mkiso.sh"), iso, case.cmdline,
                                ";".join(case.modules)], cwd=ROOT, capture_output=True, text=True,
                               env=dict(os.environ, RUNG_BUILD=BUILD))
            if p.returncode:
                result = (None, "mkiso.sh failed: " + " / ".join(p.stderr.strip().splitlines()[-3:]))
        iso_done[case.name] = result
        return result


def bochs(iso, mem, serial, timeout, log_ok=()):
    """Boots an ISO in Bochs; returns (status or None, [problems], path of Bochs's log).
    Error lines of Bochs's log that match a regex of log_ok are not problems."""
    base = os.path.splitext(serial)[0]
    rc, log, cmds, out = (base + ext for ext in (".bochsrc", ".bochs.log", ".bochs.cmds", ".bochs.out"))
    with open(os.path.join(ROOT, "tools", "bochsrc.in")) as f:
        text = f.read()
    for key, value in (("MEGS", mem), ("ISO", os.path.abspath(iso)), ("SERIAL", os.path.abspath(serial)),
                       ("LOG", os.path.abspath(log))):
        text = text.replace("@%s@" % key, str(value))
    with open(rc, "w") as f:
        f.write(text)
    with open(cmds, "w") as f:
        f.write("c\nquit\n")
    for path in (serial, log):
        if os.path.exists(path):
            os.remove(path)
    with open(out, "wb") as f:
        # Its own network namespace: the rfb display listens on every interface.
        status, err = run_process(["unshare", "--net", "bochs", "-q", "-f", rc, "-rc", cmds], timeout,
                                  stdout=f, cwd=OUT)
        f.write(err.encode())
    problems, verdict = [], None
    for line in read_lines(log):
        m = BOCHS_STATUS.search(line)
        if m:
            verdict = int(m.group(1), 16)
        elif BOCHS_BAD.match(line) and BOCHS_SHUTDOWN not in line and not any(r.search(line) for r in log_ok):
            problems.append("Bochs: " + line.strip())
    if status is None:
        problems.insert(0, "crash/no verdict: timed out after %gs" % timeout)
    elif verdict is None:
        said = read_lines(out)  # Bochs's last words, e.g. a bochsrc error
        said = [said[i + 1].strip() for i, l in enumerate(said[:-1]) if "exiting with the following" in l]
        problems.insert(0, "crash/no verdict: no write to port 0xF4 in %s (Bochs status %d%s)"
                        % (rel(log), status, ": " + said[0] if said else ""))
    return verdict, problems, log


# ---- KVM probe --------------------------------------------------------------
def probe_kvm():
    """None if KVM runs rung here, else a short reason."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "no usable /dev/kvm"
    log = os.path.join(LOGS, "kvm-probe.log")
    _, problem = qemu(log, 64, "host", "kvm", KVM_PROBE_TIMEOUT)
    lines = read_lines(log)
    if any("rung: all guests finished" in l for l in lines):
        return None
    panic = [l.split("PANIC: ")[1].split(", error")[0] for l in lines if "PANIC: " in l]
    return "probe: " + (panic[0] if panic else problem or "no `all guests finished` line")[:80]


# ---- one run ----------------------------------------------------------------
def check(run, lines, verdict):
    case, problems = run.case, []
    want = 0 if case.exit == "success" else 1
    if verdict is not None and verdict != want:
        problems.append("rung wrote %d to port 0xF4, expected %d (%s)" % (verdict, want, case.exit))
    start = 0
    for kind, qualifier, regex in case.checks:
        if not run.applies(qualifier):
            continue
        if kind == "forbid":
            bad = [l for l in lines if regex.search(l)]
            if bad:
                problems.append("forbidden /%s/ matched: %s" % (regex.pattern, bad[0].strip()))
            continue
        hits = [i for i, l in enumerate(lines) if regex.search(l)]
        later = [i for i in hits if i >= start] if case.in_order else hits
        if later:
            start = later[0] + 1
        else:
            problems.append("expected /%s/ not found%s" % (regex.pattern, " in order" if hits else ""))
    return problems


def execute(run, kvm_future):
    case = run.case
    if case.error:
        return "FAIL", case.error
    missing = [p for p in case.module_files() if not os.path.exists(p)]
    if missing:
        return "FAIL", "missing guest image %s" % ", ".join(rel(p) for p in missing)
    if run.emulator == "qemu-kvm":
        reason = kvm_future.result()
        if reason:
            return "SKIP", "KVM cannot run a 32-bit paging kernel here (%s)" % reason
    started = time.monotonic()
    problems = []
    if run.emulator == "bochs" or run.cdrom:
        iso, problem = case_iso(case)
        if problem:
            return "FAIL", problem
    if run.emulator == "bochs":
        verdict, problems, _ = bochs(iso, run.mem, run.log, case.timeout * BOCHS_FACTOR, case.bochs_log_ok)
    else:
        accel = "kvm" if run.emulator == "qemu-kvm" else "tcg"
        verdict, problem = qemu(run.log, run.mem, run.cpu, accel, case.timeout, case.cmdline,
                                case.modules, iso if run.cdrom else None, 0 if run.cdrom else case.nmis,
                                case.inputs)
        problems = [problem] if problem else []
    lines = read_lines(run.log)
    problems += check(run, lines, verdict) if lines else ["no console output"]
    run.seconds = time.monotonic() - started
    if not problems:
        return "PASS", None
    tail = "".join("\n    | " + l for l in lines[-12:]) or "\n    | (empty log)"
    return "FAIL", "%s (log %s)%s" % ("; ".join(problems), rel(run.log), tail)


def plan(cases, emulators):
    runs = []
    for case in cases:
        if case.error:  # one failing run stands for the whole case
            runs.append(Run(case, "qemu-tcg", None, 64))
            continue
        wanted = [e for e in case.emulators if e in emulators]
        if "qemu-tcg" in wanted:
            runs += [Run(case, "qemu-tcg", cpu, mem) for cpu in case.cpus for mem in case.memory]
            if not case.nmis:  # NMIs are injected once the kernel runs: not through GRUB
                runs.append(Run(case, "qemu-tcg", "qemu32", case.memory[0], cdrom=True))
        if "qemu-kvm" in wanted:
            runs += [Run(case, "qemu-kvm", "host", mem) for mem in case.memory]
        if "bochs" in wanted:
            sizes = []
            for mem in case.memory:
                if min(mem, BOCHS_MAX_MEM) not in sizes:
                    sizes.append(min(mem, BOCHS_MAX_MEM))
            runs += [Run(case, "bochs", None, mem) for mem in sizes]
    return runs


# ---- GoogleTest -------------------------------------------------------------
def unit_tests(path, counts):
    """Runs a GoogleTest binary; each test counts as one pass or fail."""
    if not os.path.exists(path):
        print("FAIL: unit: %s does not exist" % path)
        counts["FAIL"] += 1
        return
    log = os.path.join(LOGS, "unit.log")
    # Unbuffered, so a test that crashes the binary still leaves its RUN line.
    argv = (["stdbuf", "-o0"] if shutil.which("stdbuf") else []) + [os.path.abspath(path)]
    with open(log, "wb") as f:
        status, err = run_process(argv, 600, stdout=f)
        f.write(err.encode())
    lines = read_lines(log)
    ran = [l[12:].strip() for l in lines if l.startswith("[ RUN      ]")]
    done = re.compile(r"^\[ +(OK|FAILED|SKIPPED) +\] (.*?)(, where .*)? \(\d+ ms\)$")
    results = {m.group(2): m.group(1) for m in map(done.match, lines) if m}
    passed = sum(1 for t in ran if results.get(t) == "OK")
    skipped = [t for t in ran if results.get(t) == "SKIPPED"]
    for test in ran:
        if results.get(test) not in ("OK", "SKIPPED"):
            print("FAIL: unit %s%s" % (test, "" if test in results else ": crashed"))
    for test in skipped:  # GTEST_SKIP's reason is the line before its SKIPPED line
        i = lines.index(next(l for l in lines if l.startswith("[  SKIPPED ] " + test)))
        print("SKIP: unit %s: %s" % (test, lines[i - 1].strip() if i else "skipped"))
    failed = len(ran) - passed - len(skipped)
    if not ran or (status != 0 and not failed):
        print("FAIL: unit: %s exited with status %s after %d tests" % (path, status, len(ran)))
        failed += 1
    print("unit: %d passed, %d failed, %d skipped (log %s)" % (passed, len(ran) - passed - len(skipped),
                                                             len(skipped), rel(log)))
    counts["PASS"] += passed
    counts["FAIL"] += failed
    counts["SKIP"] += len(skipped)


# ---- Bochs, by hand ---------------------------------------------------------
def bochs_interactive(iso, mem, timeout):
    """`make bochs`: boots an ISO in Bochs, printing the console as it grows."""
    if not os.path.exists(iso):
        print("%s does not exist" % iso)
        return 1
    serial = os.path.join(BUILD, "bochs-run.log")
    os.makedirs(OUT, exist_ok=True)
    if os.path.exists(serial):  # before the loop below can show the old one
        os.remove(serial)
    result = {}
    worker = threading.Thread(target=lambda: result.update(r=bochs(iso, mem, serial, timeout)))
    worker.start()
    shown = 0
    while True:
        alive = worker.is_alive()
        try:
            with open(serial, "rb") as f:
                f.seek(shown)
                data = f.read()
            shown += len(data)
            sys.stdout.write(data.decode(errors="replace"))
            sys.stdout.flush()
        except OSError:
            pass
        if not alive:
            break
        time.sleep(0.2)
    verdict, problems, log = result["r"]
    for p in problems:
        print(p)
    print("rung wrote %s to port 0xF4; Bochs's log: %s" % (verdict, rel(log)))
    return 0 if verdict == 0 and not problems else 1


def main():
    ap = argparse.ArgumentParser(description="rung's boot tests")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1, help="runs in parallel")
    ap.add_argument("--filter", help="only cases whose name matches this regex")
    ap.add_argument("--emulators", help="only these emulators (comma or space separated)")
    ap.add_argument("--times", action="store_true", help="show each run's time")
    ap.add_argument("--unit", metavar="PATH", help="first run this GoogleTest binary")
    ap.add_argument("--bochs-iso", metavar="ISO", help="just boot ISO in Bochs and show its console")
    ap.add_argument("--mem", type=int, default=64, help="memory (MiB) for --bochs-iso")
    ap.add_argument("--timeout", type=float, default=600, help="seconds for --bochs-iso")
    args = ap.parse_args()
    if args.bochs_iso:
        return bochs_interactive(args.bochs_iso, args.mem, args.timeout)

    os.makedirs(LOGS, exist_ok=True)
    # One harness at a time per build tree: runs share logs and ISOs.
    lock = open(os.path.join(OUT, ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("waiting for another harness run on %s to finish" % rel(BUILD), flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    if args.unit:
        unit_tests(args.unit, counts)
    emulators = re.split(r"[\s,]+", args.emulators.strip()) if args.emulators else list(EMULATORS)
    cases = [Case(os.path.join(CASES, f)) for f in sorted(os.listdir(CASES)) if f.endswith(".case")]
    cases = [c for c in cases if not args.filter or re.search(args.filter, c.name)]
    runs = plan(cases, emulators)
    if not os.path.exists(KERNEL):
        print("FAIL: %s does not exist (run make)" % rel(KERNEL))
        runs, counts["FAIL"] = [], counts["FAIL"] + 1
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max(1, args.j)) as pool:
        kvm = concurrent.futures.Future()
        if any(r.emulator == "qemu-kvm" and not r.case.error for r in runs):
            kvm = pool.submit(probe_kvm)  # first, so the KVM runs wait the least
        # KVM runs go last, so their wait for the probe holds no worker early.
        order = sorted(runs, key=lambda r: r.emulator == "qemu-kvm")
        futures = {pool.submit(execute, r, kvm): r for r in order}
        for future in concurrent.futures.as_completed(futures):
            run = futures[future]
            try:
                verdict, detail = future.result()
            except Exception as e:  # a harness bug must not hide the other runs
                verdict, detail = "FAIL", "harness error: %r" % e
            seconds = " (%.1fs)" % run.seconds if args.times and hasattr(run, "seconds") else ""
            print("%s: %s %s%s%s" % (verdict, run.case.name, run.label, seconds, ": " + detail if detail else ""),
                  flush=True)
            counts[verdict] += 1
    print("boot tests took %.1fs" % (time.monotonic() - started))
    print("%d passed, %d failed, %d skipped" % (counts["PASS"], counts["FAIL"], counts["SKIP"]))
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
