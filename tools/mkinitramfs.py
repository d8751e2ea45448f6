#!/usr/bin/env python3
"""tools/mkinitramfs.py OUT.cpio.gz BUSYBOX INIT [--file PATH=SOURCE]...: the
Linux guest's initramfs.

A gzip'ed "newc" cpio archive, as the kernel unpacks it: /init (the
project's script, guest/linux/init), /bin/busybox (Debian's busybox-static
for i386), the empty directories init mounts on, and each --file: SOURCE's
bytes as the executable PATH (relative to /, in a directory listed above;
e.g. --file bin/tsc=build/linux/tsc).  Written with the Python standard
library, with fixed owners and times, so the same inputs give the same
bytes.
"""
import argparse, gzip, os, sys

MTIME = 1704067200  # 2024-01-01, as the kernel's own build
DIRS = ("bin", "dev", "proc", "sys", "tmp", "root")


def entry(name, mode, data=b"", rdev=(0, 0), ino=[100]):
    ino[0] += 1
    name_bytes = name.encode() + b"\0"
    fields = [ino[0], mode, 0, 0, 1, MTIME, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = header + name_bytes
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main():
    ap = argparse.ArgumentParser(description="the Linux guest's initramfs")
    ap.add_argument("out", metavar="OUT.cpio.gz")
    ap.add_argument("busybox", metavar="BUSYBOX")
    ap.add_argument("init", metavar="INIT")
    ap.add_argument("--file", action="append", default=[], metavar="PATH=SOURCE",
                    help="add SOURCE as the executable file PATH (e.g. bin/tsc=build/linux/tsc)")
    args = ap.parse_args()
    out, busybox, init = args.out, args.busybox, args.init
    extra = []
    for spec in args.file:
        path, sep, source = spec.partition("=")
        path = path.strip("/")
        if not sep or not path or not source or path in ("init", "bin/busybox") or os.path.dirname(path) not in DIRS + ("",):
            ap.error(f"--file {spec!r}: expected PATH=SOURCE, PATH in one of {', '.join(DIRS)} (not bin/busybox)")
        with open(source, "rb") as f:
            extra.append((path, f.read()))
    with open(busybox, "rb") as f:
        busybox_bytes = f.read()
    with open(init, "rb") as f:
        init_bytes = f.read()
    archive = b""
    for d in DIRS:
        archive += entry(d, 0o040755)
    archive += entry("dev/console", 0o020600, rdev=(5, 1))  # for the kernel's first open, before devtmpfs
    archive += entry("bin/busybox", 0o100755, busybox_bytes)
    archive += entry("init", 0o100755, init_bytes)
    for path, data in extra:
        archive += entry(path, 0o100755, data)
    archive += entry("TRAILER!!!", 0)
    archive += b"\0" * (-len(archive) % 512)
    with open(out + ".tmp", "wb") as f:
        f.write(gzip.compress(archive, compresslevel=9, mtime=MTIME))
    os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
