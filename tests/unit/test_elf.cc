// tests/unit/test_elf.cc: checking a guest image before it is loaded
// (kernel/vmm/elf.h; guest ABI, sections 1 and 2).  The images are built in
// memory here: an ELF32 header, program headers and the segments' bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "vmm/elf.h"

namespace {

constexpr u32 KiB = 1024, MiB = 1024 * KiB;
constexpr u32 PT_NULL = 0, PT_LOAD = 1, PT_NOTE = 4, PT_GNU_STACK = 0x6474E551;

struct Phdr {
    u32 type = PT_LOAD;
    u32 offset = 0, vaddr = 0, paddr = 0, filesz = 0, memsz = 0;
    u32 flags = 5, align = 0x1000;
};

// A little ELF32 writer.  Every header field can be set to a bad value; by
// default the result is a valid i386 executable header with `ph` after it.
struct Elf {
    u8 elf_class = 1, data = 1; // ELFCLASS32, ELFDATA2LSB
    u16 type = 2, machine = 3;  // ET_EXEC, EM_386
    u32 entry = 0;
    u32 phoff = 52;
    u16 phentsize = 32;
    int phnum = -1; // -1: ph.size()
    std::vector<Phdr> ph;
    u32 size = 0; // file size; at least the headers

    static void put32(std::vector<u8>& b, u32 at, u32 v) { std::memcpy(&b[at], &v, 4); }
    static void put16(std::vector<u8>& b, u32 at, u16 v) { std::memcpy(&b[at], &v, 2); }

    std::vector<u8> build() const
    {
        u32 headers_end = 52;
        if (phoff < 0x10000000) headers_end = std::max<u32>(headers_end, phoff + 32 * static_cast<u32>(ph.size()));
        std::vector<u8> b(std::max(size, headers_end), 0);
        const u8 ident[16] = {0x7F, 'E', 'L', 'F', elf_class, data, 1, 0};
        std::memcpy(&b[0], ident, 16);
        put16(b, 16, type);
        put16(b, 18, machine);
        put32(b, 20, 1); // e_version
        put32(b, 24, entry);
        put32(b, 28, phoff);
        put32(b, 32, 0); // e_shoff
        put32(b, 36, 0); // e_flags
        put16(b, 40, 52);
        put16(b, 42, phentsize);
        put16(b, 44, static_cast<u16>(phnum < 0 ? ph.size() : phnum));
        if (phoff < 0x10000000)
            for (usize i = 0; i < ph.size(); i++) {
                u32 at = phoff + 32 * static_cast<u32>(i);
                const Phdr& p = ph[i];
                const u32 fields[8] = {p.type, p.offset, p.vaddr, p.paddr, p.filesz, p.memsz, p.flags, p.align};
                for (u32 f = 0; f < 8; f++) put32(b, at + 4 * f, fields[f]);
            }
        return b;
    }
};

// One identity-linked segment of `filesz` bytes at file offset 0x1000 placed at `paddr`.
Elf simple(u32 paddr = 0x100000, u32 filesz = 0x800, u32 memsz = 0x1000)
{
    Elf e;
    e.entry = paddr;
    e.ph.push_back(Phdr{PT_LOAD, 0x1000, paddr, paddr, filesz, memsz});
    e.size = 0x1000 + filesz;
    return e;
}

struct Result {
    bool ok;
    ElfImage image;
    std::string error;
};

Result parse(const std::vector<u8>& bytes, u32 memory = 16 * MiB, u32 size = ~0u)
{
    Result r;
    char error[96] = "";
    u32 n = size == ~0u ? static_cast<u32>(bytes.size()) : size;
    r.ok = parse_elf(bytes.empty() ? nullptr : bytes.data(), n, memory, r.image, error, sizeof error);
    r.error = error;
    return r;
}

Result parse(const Elf& e, u32 memory = 16 * MiB) { return parse(e.build(), memory); }

#define EXPECT_REJECTED(result, reason)                                                                   \
    do {                                                                                                  \
        Result r_ = (result);                                                                             \
        EXPECT_FALSE(r_.ok);                                                                              \
        EXPECT_NE(r_.error.find(reason), std::string::npos) << "error: '" << r_.error << "'";              \
    } while (0)

} // namespace

TEST(Elf, BuilderMakesAValidImage)
{
    Result r = parse(simple());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.image.count, 1u);
}

TEST(Elf, EmptyImage)
{
    EXPECT_REJECTED(parse(std::vector<u8>{}), "empty image");
    std::vector<u8> one(64, 0);
    EXPECT_REJECTED(parse(one, 16 * MiB, 0), "empty image"); // a pointer, but no bytes
}

TEST(Elf, NotAnElfImage)
{
    EXPECT_REJECTED(parse(std::vector<u8>(4096, 0)), "not an ELF image");
    EXPECT_REJECTED(parse(std::vector<u8>{'#', '!', '/', 'b'}), "not an ELF image");
    std::vector<u8> b = simple().build();
    b[0] = 0x7E;
    EXPECT_REJECTED(parse(b), "not an ELF image");
    b = simple().build();
    b[3] = 'f';
    EXPECT_REJECTED(parse(b), "not an ELF image");
    // The magic alone, or a header cut short, is not an image.
    b = simple().build();
    EXPECT_REJECTED(parse(b, 16 * MiB, 4), "not an ELF image");
    EXPECT_REJECTED(parse(b, 16 * MiB, 51), "not an ELF image");
}

TEST(Elf, WrongClassOrByteOrder)
{
    Elf e = simple();
    e.elf_class = 2;
    EXPECT_REJECTED(parse(e), "ELF64");
    e.elf_class = 0;
    EXPECT_REJECTED(parse(e), "bad ELF class");
    e.elf_class = 3;
    EXPECT_REJECTED(parse(e), "bad ELF class");
    e = simple();
    e.data = 2;
    EXPECT_REJECTED(parse(e), "big-endian");
    e.data = 0;
    EXPECT_FALSE(parse(e).ok);
}

TEST(Elf, WrongMachine)
{
    Elf e = simple();
    e.machine = 62; // EM_X86_64
    EXPECT_REJECTED(parse(e), "another machine (e_machine 62)");
    e.machine = 40; // EM_ARM
    EXPECT_REJECTED(parse(e), "e_machine 40");
    e.machine = 6; // EM_486: not what the ABI asks for
    EXPECT_REJECTED(parse(e), "e_machine 6");
}

TEST(Elf, NotAnExecutable)
{
    for (u16 type : {0, 1, 3, 4, 0xFE00}) { // none, REL, DYN, CORE, OS-specific
        Elf e = simple();
        e.type = type;
        EXPECT_REJECTED(parse(e), "not an executable");
    }
}

TEST(Elf, BadProgramHeaderTable)
{
    Elf e = simple();
    e.phentsize = 56; // Elf64_Phdr
    EXPECT_REJECTED(parse(e), "bad ELF program headers");
    e.phentsize = 0;
    EXPECT_REJECTED(parse(e), "bad ELF program headers");
    e.phentsize = 31;
    EXPECT_REJECTED(parse(e), "bad ELF program headers");

    e = simple();
    e.phnum = 0;
    EXPECT_REJECTED(parse(e), "bad ELF program headers");

    // The table must lie inside the file.
    e = simple();
    std::vector<u8> b = e.build();
    EXPECT_REJECTED(parse(b, 16 * MiB, 52 + 31), "bad ELF program headers");
    Elf::put32(b, 28, static_cast<u32>(b.size())); // phoff at the end of the file
    EXPECT_REJECTED(parse(b), "bad ELF program headers");
    Elf::put32(b, 28, static_cast<u32>(b.size()) - 31);
    EXPECT_REJECTED(parse(b), "bad ELF program headers");
    Elf::put32(b, 28, 0xFFFFFFF0); // phoff + 32 wraps around
    EXPECT_REJECTED(parse(b), "bad ELF program headers");
    Elf::put32(b, 28, 0xFFFFFFFF);
    EXPECT_REJECTED(parse(b), "bad ELF program headers");

    // phnum * 32 larger than the file (65535 * 32 = 2 MiB), and with an offset
    // that would wrap the sum.
    b = simple().build();
    Elf::put16(b, 44, 0xFFFF);
    EXPECT_REJECTED(parse(b), "bad ELF program headers");
    Elf::put32(b, 28, 0xFFFFFFFF - 0xFFFF * 32 + 2);
    EXPECT_REJECTED(parse(b), "bad ELF program headers");
}

TEST(Elf, ProgramHeaderTableExactlyAtTheEndOfTheFile)
{
    Elf e;
    e.phoff = 0x100;
    e.ph.push_back(Phdr{PT_LOAD, 0x40, 0x100000, 0x100000, 0x10, 0x10});
    e.entry = 0x100000;
    std::vector<u8> b = e.build();
    ASSERT_EQ(b.size(), 0x120u);
    Result r = parse(b);
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_FALSE(parse(b, 16 * MiB, 0x11F).ok);
}

TEST(Elf, NoLoadableSegment)
{
    Elf e = simple();
    e.ph[0].type = PT_NOTE;
    EXPECT_REJECTED(parse(e), "no PT_LOAD");
    e.ph = {Phdr{PT_NULL}, Phdr{PT_GNU_STACK, 0, 0, 0, 0, 0, 6, 16}, Phdr{PT_NOTE, 0x1000, 0, 0, 4, 4}};
    EXPECT_REJECTED(parse(e), "no PT_LOAD");
    // PT_LOAD segments with no memory do not count.
    e.ph = {Phdr{PT_LOAD, 0x1000, 0x100000, 0x100000, 0, 0}};
    EXPECT_REJECTED(parse(e), "no PT_LOAD");
}

TEST(Elf, FileSizeOverMemorySize)
{
    Elf e = simple(0x100000, 0x800, 0x7FF);
    EXPECT_REJECTED(parse(e), "file size exceeds its memory size");
    e = simple(0x100000, 0x800, 0x800); // equal is fine
    EXPECT_TRUE(parse(e).ok);
}

TEST(Elf, SegmentDataOutsideTheFile)
{
    Elf e = simple(0x100000, 0x800, 0x1000);
    e.size = 0x1000 + 0x7FF; // one byte short
    EXPECT_REJECTED(parse(e), "outside the image file");
    e = simple(0x100000, 0x800, 0x1000);
    e.ph[0].offset = 0xFFFFFF00; // offset + filesz wraps to a small number
    EXPECT_REJECTED(parse(e), "outside the image file");
    e.ph[0].offset = 0xFFFFFFFF;
    e.ph[0].filesz = 1;
    EXPECT_REJECTED(parse(e), "outside the image file");
    e.ph[0].offset = 0x1000;
    e.ph[0].filesz = 0xFFFFFFFF;
    e.ph[0].memsz = 0xFFFFFFFF;
    EXPECT_REJECTED(parse(e), "outside the image file");

    // A segment with no file bytes may start at the end of the file, not past it.
    e = simple(0x100000, 0, 0x1000);
    e.ph[0].offset = e.size;
    EXPECT_TRUE(parse(e).ok);
    e.ph[0].offset = e.size + 1;
    EXPECT_REJECTED(parse(e), "outside the image file");
}

TEST(Elf, SegmentOutsideGuestMemory)
{
    const u32 mem = 4 * MiB;
    Elf e = simple(mem - 0x1000, 0x800, 0x1000); // ends exactly at the top: fine
    EXPECT_TRUE(parse(e, mem).ok);
    e = simple(mem - 0x1000, 0x800, 0x1001);
    EXPECT_REJECTED(parse(e, mem), "outside guest memory");
    e = simple(mem, 0, 1);
    EXPECT_REJECTED(parse(e, mem), "outside guest memory");
    e = simple(0, 0x800, mem + 1);
    EXPECT_REJECTED(parse(e, mem), "outside guest memory");

    // paddr + memsz overflows 32 bits and would wrap to a small, "inside" end.
    e = simple(0xFFFFF000, 0x800, 0x2000);
    EXPECT_REJECTED(parse(e, mem), "outside guest memory");
    e = simple(0x1000, 0x800, 0xFFFFF001); // 0x1000 + 0xFFFFF001 = 1 (mod 2^32)
    EXPECT_REJECTED(parse(e, mem), "outside guest memory");
    e = simple(0xFFFFFFFF, 0, 1);
    EXPECT_REJECTED(parse(e, mem), "outside guest memory");
}

TEST(Elf, OverlappingSegments)
{
    Elf e = simple(0x100000, 0x800, 0x2000);
    e.ph.push_back(Phdr{PT_LOAD, 0x1000, 0x101FFF, 0x101FFF, 0x10, 0x10}); // last byte of the first
    EXPECT_REJECTED(parse(e), "segments overlap");
    e.ph[1].vaddr = e.ph[1].paddr = 0xFF000; // ends inside the first
    e.ph[1].memsz = 0x1001;
    EXPECT_REJECTED(parse(e), "segments overlap");
    e.ph[1].vaddr = e.ph[1].paddr = 0x100800; // wholly inside the first
    e.ph[1].memsz = 0x10;
    EXPECT_REJECTED(parse(e), "segments overlap");
    e.ph[1].vaddr = e.ph[1].paddr = 0xF0000; // wholly around the first
    e.ph[1].memsz = 0x100000;
    EXPECT_REJECTED(parse(e), "segments overlap");
    e.ph[1].vaddr = e.ph[1].paddr = 0x100000; // the same place
    e.ph[1].memsz = 0x2000;
    EXPECT_REJECTED(parse(e), "segments overlap");

    // Touching is not overlapping, on either side.
    e.ph[1].vaddr = e.ph[1].paddr = 0x102000;
    e.ph[1].memsz = 0x10;
    EXPECT_TRUE(parse(e).ok);
    e.ph[1].vaddr = e.ph[1].paddr = 0xFF000;
    e.ph[1].memsz = 0x1000;
    EXPECT_TRUE(parse(e).ok);

    // Overlap with any earlier segment, not only the last one.
    e.ph.push_back(Phdr{PT_LOAD, 0x1000, 0x200000, 0x200000, 0x10, 0x10});
    e.ph.push_back(Phdr{PT_LOAD, 0x1000, 0xFF800, 0xFF800, 0x10, 0x10});
    EXPECT_REJECTED(parse(e), "segments overlap");
}

TEST(Elf, SegmentsMustShareOneOffset)
{
    Elf e = simple(0x100000, 0x800, 0x1000);
    e.ph.push_back(Phdr{PT_LOAD, 0x1000, 0xC0200000, 0x200000, 0x10, 0x10});
    EXPECT_REJECTED(parse(e), "disagree on p_vaddr - p_paddr");
    // Both offset, by different multiples of 4 MiB.
    e.ph[0].vaddr = 0xC0100000;
    e.ph[1].vaddr = 0xC0600000;
    e.entry = 0xC0100000;
    EXPECT_REJECTED(parse(e), "disagree on p_vaddr - p_paddr");
    e.ph[1].vaddr = 0xC0200000;
    EXPECT_TRUE(parse(e).ok) << parse(e).error;
}

TEST(Elf, OffsetMustBeAMultipleOf4MiB)
{
    for (u32 offset : {0x1000u, 0x200000u, 0xC0001000u, 0x3FFFFFu, 0xFFFFF000u /* vaddr below paddr */}) {
        Elf e = simple(0x100000, 0x800, 0x1000);
        e.ph[0].vaddr = 0x100000 + offset;
        e.entry = e.ph[0].vaddr;
        EXPECT_REJECTED(parse(e), "not a multiple of 4 MiB");
    }
}

TEST(Elf, OffsetMustNotOverlapMemoryOrTheSwitcher)
{
    auto with_offset = [](u32 offset) {
        Elf e = simple(0x100000, 0x800, 0x1000);
        e.ph[0].vaddr = 0x100000 + offset;
        e.entry = e.ph[0].vaddr;
        return e;
    };
    // Guest memory mapped at 0 and at the offset: the two copies may touch, not overlap.
    EXPECT_REJECTED(parse(with_offset(4 * MiB), 8 * MiB), "overlaps guest memory or the switcher");
    EXPECT_REJECTED(parse(with_offset(4 * MiB), 4 * MiB + 4 * KiB), "overlaps guest memory or the switcher");
    EXPECT_TRUE(parse(with_offset(4 * MiB), 4 * MiB).ok);
    EXPECT_TRUE(parse(with_offset(8 * MiB), 8 * MiB).ok);
    // The copy at the offset must end at or below 0xFFC00000.
    EXPECT_TRUE(parse(with_offset(0xFF800000), 4 * MiB).ok);
    EXPECT_REJECTED(parse(with_offset(0xFF800000), 4 * MiB + 4 * KiB), "overlaps guest memory or the switcher");
    EXPECT_REJECTED(parse(with_offset(0xFFC00000), 1 * MiB + 0x1000), "overlaps guest memory or the switcher");
    EXPECT_TRUE(parse(with_offset(0xC0000000), 1 * MiB + 0x1000).ok);
    EXPECT_TRUE(parse(with_offset(0xC0000000), 1 * MiB * 1020).ok); // 0xC0000000 + 1020 MiB = 0xFFC00000
    EXPECT_REJECTED(parse(with_offset(0xC0000000), 1 * MiB * 1021), "overlaps guest memory or the switcher");
    EXPECT_TRUE(parse(with_offset(0x80000000), 2044u * MiB).ok); // ends at 0xFFC00000
    EXPECT_REJECTED(parse(with_offset(0x80000000), 2048u * MiB), "overlaps guest memory or the switcher");
}

TEST(Elf, EntryMustLieInASegment)
{
    Elf e = simple(0x100000, 0x800, 0x1000);
    for (u32 entry : {0x0u, 0xFFFFFu, 0x101000u, 0xFFFFFFFFu, 0xC0100000u}) {
        e.entry = entry;
        EXPECT_REJECTED(parse(e), "entry point outside every segment");
    }
    for (u32 entry : {0x100000u, 0x1007FFu, 0x100800u /* in the zeroed tail */, 0x100FFFu}) {
        e.entry = entry;
        Result r = parse(e);
        EXPECT_TRUE(r.ok) << std::hex << entry << ": " << r.error;
        EXPECT_EQ(r.image.entry, entry);
    }
    // Any segment will do.
    e.ph.push_back(Phdr{PT_LOAD, 0x1000, 0x300000, 0x300000, 0x10, 0x20});
    e.entry = 0x30001F;
    EXPECT_TRUE(parse(e).ok);
    e.entry = 0x300020;
    EXPECT_REJECTED(parse(e), "entry point outside every segment");

    // With an offset, the entry is a virtual address: the physical one is refused.
    Elf o = simple(0x100000, 0x800, 0x1000);
    o.ph[0].vaddr = 0xC0100000;
    o.entry = 0xC0100010;
    EXPECT_TRUE(parse(o).ok);
    o.entry = 0x100010;
    EXPECT_REJECTED(parse(o), "entry point outside every segment");
    o.entry = 0xC0101000;
    EXPECT_REJECTED(parse(o), "entry point outside every segment");
}

TEST(Elf, SegmentLimit)
{
    auto many = [](u32 n) {
        Elf e;
        for (u32 i = 0; i < n; i++) e.ph.push_back(Phdr{PT_LOAD, 0x1000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000, 0x10, 0x100});
        e.entry = 0x100000;
        e.size = 0x1010;
        return e;
    };
    Result r = parse(many(ElfImage::MAX_SEGMENTS));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.image.count, ElfImage::MAX_SEGMENTS);
    EXPECT_EQ(r.image.load_end, 0x100000 + (ElfImage::MAX_SEGMENTS - 1) * 0x1000 + 0x100);
    EXPECT_REJECTED(parse(many(ElfImage::MAX_SEGMENTS + 1)), "too many segments");
    EXPECT_REJECTED(parse(many(200)), "too many segments");

    // Headers that are not PT_LOAD, or have no memory, do not count.
    Elf e = many(ElfImage::MAX_SEGMENTS);
    e.ph.insert(e.ph.begin(), Phdr{PT_NOTE, 0x1000, 0, 0, 0x10, 0x10});
    e.ph.push_back(Phdr{PT_LOAD, 0x1000, 0x900000, 0x900000, 0, 0});
    e.ph.push_back(Phdr{PT_GNU_STACK});
    r = parse(e);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.image.count, ElfImage::MAX_SEGMENTS);
}

TEST(Elf, EmptySegmentsAreSkippedWhateverTheirFields)
{
    Elf e = simple(0x100000, 0x800, 0x1000);
    // A memsz-0 PT_LOAD with every other field wrong: not checked, not placed,
    // and it does not fix the shared offset.
    e.ph.insert(e.ph.begin(), Phdr{PT_LOAD, 0xFFFFFFF0, 0x12345678, 0xFFFFFFF0, 0x100, 0});
    e.ph.push_back(Phdr{PT_LOAD, 0xFFFFFFF0, 0xC0000001, 0x100000, 0xFFFFFFFF, 0});
    Result r = parse(e);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.image.count, 1u);
    EXPECT_EQ(r.image.offset, 0u);
    EXPECT_EQ(r.image.segments[0].address, 0x100000u);
    EXPECT_EQ(r.image.load_end, 0x101000u);
    // Other program header types are never looked at either.
    e.ph.push_back(Phdr{PT_NOTE, 0xFFFFFFF0, 1, 2, 0xFFFFFFFF, 0xFFFFFFFF});
    EXPECT_TRUE(parse(e).ok);
}

TEST(Elf, ValidIdentityImage)
{
    // text at 1 MiB, data + bss at 1 MiB + 8 KiB, a note between them.
    Elf e;
    e.entry = 0x100010;
    e.ph.push_back(Phdr{PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1234, 0x1234, 5});
    e.ph.push_back(Phdr{PT_NOTE, 0x1000, 0x100000, 0x100000, 0x20, 0x20, 4});
    e.ph.push_back(Phdr{PT_LOAD, 0x3000, 0x103000, 0x103000, 0x100, 0x5000, 6});
    e.ph.push_back(Phdr{PT_GNU_STACK, 0, 0, 0, 0, 0, 6, 16});
    e.size = 0x3100;
    Result r = parse(e, 2 * MiB);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.image.entry, 0x100010u);
    EXPECT_EQ(r.image.offset, 0u);
    EXPECT_EQ(r.image.count, 2u);
    EXPECT_EQ(r.image.load_end, 0x108000u);
    EXPECT_EQ(r.image.segments[0].file_offset, 0x1000u);
    EXPECT_EQ(r.image.segments[0].file_size, 0x1234u);
    EXPECT_EQ(r.image.segments[0].address, 0x100000u);
    EXPECT_EQ(r.image.segments[0].memory_size, 0x1234u);
    EXPECT_EQ(r.image.segments[1].file_offset, 0x3000u);
    EXPECT_EQ(r.image.segments[1].file_size, 0x100u);
    EXPECT_EQ(r.image.segments[1].address, 0x103000u);
    EXPECT_EQ(r.image.segments[1].memory_size, 0x5000u);

    // load_end is the highest end, whatever the order of the headers.
    std::swap(e.ph[0], e.ph[2]);
    r = parse(e, 2 * MiB);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.image.load_end, 0x108000u);
    EXPECT_EQ(r.image.segments[0].address, 0x103000u);
}

TEST(Elf, ValidOffsetImage)
{
    // Linked at 0xC0100000, loaded at 1 MiB (a Linux-style PAGE_OFFSET of 0xC0000000).
    Elf e;
    e.entry = 0xC0100000;
    e.ph.push_back(Phdr{PT_LOAD, 0x1000, 0xC0100000, 0x100000, 0x2000, 0x2000, 5});
    e.ph.push_back(Phdr{PT_LOAD, 0x3000, 0xC0102000, 0x102000, 0x800, 0x3000, 6});
    e.size = 0x3800;
    Result r = parse(e, 8 * MiB);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.image.entry, 0xC0100000u);
    EXPECT_EQ(r.image.offset, 0xC0000000u);
    EXPECT_EQ(r.image.load_end, 0x105000u);
    ASSERT_EQ(r.image.count, 2u);
    EXPECT_EQ(r.image.segments[0].address, 0x100000u);
    EXPECT_EQ(r.image.segments[0].file_offset, 0x1000u);
    EXPECT_EQ(r.image.segments[0].file_size, 0x2000u);
    EXPECT_EQ(r.image.segments[0].memory_size, 0x2000u);
    EXPECT_EQ(r.image.segments[1].address, 0x102000u);
    EXPECT_EQ(r.image.segments[1].file_offset, 0x3000u);
    EXPECT_EQ(r.image.segments[1].file_size, 0x800u);
    EXPECT_EQ(r.image.segments[1].memory_size, 0x3000u);

    e.entry = 0xC0104FFF; // last byte of the bss
    EXPECT_TRUE(parse(e, 8 * MiB).ok);
}

TEST(Elf, SmallErrorBuffer)
{
    char error[8];
    std::memset(error, 'Z', sizeof error);
    ElfImage out;
    EXPECT_FALSE(parse_elf(nullptr, 0, 16 * MiB, out, error, 5));
    EXPECT_EQ(std::string(error), "empt");
    EXPECT_EQ(error[5], 'Z');
}
