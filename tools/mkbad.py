#!/usr/bin/env python3
"""tools/mkbad.py HELLO.elf OUTDIR: malformed guest images for the bad_boot cases.

Python 3 standard library only.  Most images are build/guests/hello.elf with
one header field patched; a few (ELF64, too many segments) are written from
scratch.  Each one breaks exactly one rule of kernel/vmm/elf.cc (or of the
loader's layout), so each has exactly one expected `rejected:` reason; the
comment after each name is that reason.
"""
import os, struct, sys

PT_LOAD, PT_NOTE = 1, 4


def elf32(data):
    """(header fields, [program headers]) of an ELF32 little-endian image."""
    (entry, phoff) = struct.unpack_from("<II", data, 24)
    (phentsize, phnum) = struct.unpack_from("<HH", data, 42)
    phdrs = [list(struct.unpack_from("<8I", data, phoff + i * phentsize)) for i in range(phnum)]
    return entry, phoff, phdrs


def with_phdrs(data, phdrs):
    out = bytearray(data)
    _, phoff, _ = elf32(data)
    for i, ph in enumerate(phdrs):
        struct.pack_into("<8I", out, phoff + i * 32, *ph)
    return bytes(out)


def patch(data, offset, fmt, value):
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def loads(phdrs):
    return [i for i, ph in enumerate(phdrs) if ph[0] == PT_LOAD and ph[5]]


def edit_load(data, index, **fields):
    """Changes fields of the index-th PT_LOAD (type offset vaddr paddr filesz memsz flags align)."""
    names = ["type", "offset", "vaddr", "paddr", "filesz", "memsz", "flags", "align"]
    _, _, phdrs = elf32(data)
    ph = phdrs[loads(phdrs)[index]]
    for key, value in fields.items():
        ph[names.index(key)] = value & 0xFFFFFFFF
    return with_phdrs(data, phdrs)


def elf64_exec():
    """A small but complete ELF64 x86-64 executable: `1: jmp 1b`."""
    code = b"\xeb\xfe"
    header = struct.pack("<16sHHIQQQIHHHHHH",
                         b"\x7fELF\x02\x01\x01" + bytes(9), 2, 62, 1,
                         0x400078, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", PT_LOAD, 5, 0, 0x400000, 0x400000, 0x78 + len(code),
                       0x78 + len(code), 0x1000)
    return header + phdr + code


def elf32_segments(count):
    """An ELF32 i386 executable of `count` one-page PT_LOAD segments from 1 MiB
    up, each a copy of the same code: SHUTDOWN poweroff "N segments"."""
    phoff, base, body_offset = 52, 0x100000, 0x1000
    message = b"%d segments\0" % count
    code = (b"\xb8\x02\x00\x00\x00"                         # mov $2, %eax (SHUTDOWN)
            + b"\xbb" + struct.pack("<I", base + 19)           # mov $message, %ebx
            + b"\xb9\x01\x00\x00\x00"                       # mov $1, %ecx (poweroff)
            + b"\xcd\x1f"                                     # int $0x1f
            + b"\xeb\xfe")                                    # 1: jmp 1b
    assert len(code) == 19
    body = code + message
    header = struct.pack("<16sHHIIIIIHHHHHH", b"\x7fELF\x01\x01\x01" + bytes(9), 2, 3, 1,
                         base, phoff, 0, 0, 52, 32, count, 0, 0, 0)
    phdrs = b"".join(struct.pack("<8I", PT_LOAD, body_offset, base + i * 0x1000, base + i * 0x1000,
                                 len(body), 0x1000, 5, 0x1000) for i in range(count))
    image = header + phdrs
    return image + bytes(body_offset - len(image)) + body


def images(hello):
    entry, phoff, phdrs = elf32(hello)
    first = phdrs[loads(phdrs)[0]]
    yield "empty.bin", b""                                              # empty image
    yield "text.bin", b"This is a text file, not a guest.\n" * 40       # not an ELF image
    yield "short.elf", hello[:40]                                       # not an ELF image (40 bytes)
    yield "elf64.elf", elf64_exec()                                     # ELF64 image (need ELF32)
    yield "class0.elf", patch(hello, 4, "<B", 0)                        # bad ELF class
    yield "bigendian.elf", patch(hello, 5, "<B", 2)                     # big-endian ELF image
    yield "x86_64.elf", patch(hello, 18, "<H", 62)                      # ... another machine (e_machine 62)
    yield "arm.elf", patch(hello, 18, "<H", 40)                         # ... another machine (e_machine 40)
    yield "dyn.elf", patch(hello, 16, "<H", 3)                          # ELF image is not an executable
    yield "phnum0.elf", patch(hello, 44, "<H", 0)                       # bad ELF program headers
    yield "phoff.elf", patch(hello, 28, "<I", len(hello) - 16)          # bad ELF program headers
    yield "phnumhuge.elf", patch(hello, 44, "<H", 0xFFFF)               # bad ELF program headers
    yield "phentsize.elf", patch(hello, 42, "<H", 56)                   # bad ELF program headers
    yield "noload.elf", with_phdrs(hello, [[PT_NOTE if p[0] == PT_LOAD else p[0]] + p[1:] for p in phdrs])
    #                                                                     no PT_LOAD segment
    yield "outside.elf", edit_load(hello, 0, vaddr=0x1FF000, paddr=0x1FF000)   # segment lies outside guest memory (mem=2M)
    yield "wrap.elf", edit_load(hello, 0, vaddr=0xFFFFF000, paddr=0xFFFFF000)  # segment lies outside guest memory
    yield "hugeseg.elf", edit_load(hello, -1, memsz=0xFFFFF000)         # segment lies outside guest memory
    yield "fileout.elf", edit_load(hello, 0, offset=0xFFFFFF00)         # segment lies outside the image file
    yield "filesz.elf", edit_load(hello, 1, filesz=first[4] + 0x10000)  # segment file size exceeds its memory size
    yield "overlap.elf", edit_load(hello, 1, vaddr=first[3] + 0x10, paddr=first[3] + 0x10)  # segments overlap
    yield "entry.elf", patch(hello, 24, "<I", 0x50000)                  # entry point outside every segment
    yield "entryend.elf", patch(hello, 24, "<I", 0xFFFFFFFF)            # entry point outside every segment
    yield "offset4k.elf", with_phdrs(hello, [p[:2] + [(p[2] + 0x1000) & 0xFFFFFFFF] + p[3:] if p[0] == PT_LOAD else p
                                             for p in phdrs])           # ... p_vaddr - p_paddr is not a multiple of 4 MiB
    yield "offsetmix.elf", edit_load(hello, 1, vaddr=0xC0000000 + elf32(hello)[2][loads(phdrs)[1]][3])
    #                                                                     segments disagree on p_vaddr - p_paddr
    yield "offsetlow.elf", with_phdrs(hello, [p[:2] + [p[2] + 0x400000] + p[3:] if p[0] == PT_LOAD else p
                                              for p in phdrs])          # offset overlaps guest memory (mem=8M)
    yield "segs17.elf", elf32_segments(17)                              # too many segments
    yield "segs16.elf", elf32_segments(16)                              # loads and runs: 16 is the limit
    last = phdrs[loads(phdrs)[-1]]
    yield "bssfull.elf", edit_load(hello, -1, memsz=0x1FF000 - last[3])   # mem=2048K is too small for ... boot data


def bzimages(bz):
    """Broken Linux bzImages, each with one rule of kernel/vmm/bzimage.cc broken."""
    setup_sects = bz[0x1F1] or 4
    payload = (setup_sects + 1) * 512
    yield "bz_proto206.bin", patch(bz, 0x206, "<H", 0x0206)       # boot protocol 2.06 is older than 2.07
    yield "bz_low.bin", patch(bz, 0x211, "<B", bz[0x211] & ~1)    # kernel is not loaded high (a zImage)
    yield "bz_setup.bin", bz[:payload - 100]                      # truncated image: setup is N bytes, the file M
    yield "bz_nopayload.bin", bz[:payload]                        # truncated image: no protected-mode payload
    yield "bz_entry.bin", patch(bz, 0x214, "<I", 0x200000)       # code32_start 0x200000 is not 0x100000
    yield "initrd_small.bin", b"\x1f\x8b" + bytes(4094)           # a 4 KiB "initrd" (never unpacked here)
    yield "initrd_big.bin", bytes(8 << 20)                        # 8 MiB: too big for a 24 MiB Linux guest


def main():
    if len(sys.argv) not in (3, 4):
        print("usage: mkbad.py HELLO.elf OUTDIR [BZIMAGE]", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        hello = f.read()
    os.makedirs(sys.argv[2], exist_ok=True)
    made = list(images(hello))
    if len(sys.argv) == 4:
        with open(sys.argv[3], "rb") as f:
            made += list(bzimages(f.read()))
    for name, data in made:
        path = os.path.join(sys.argv[2], name)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
