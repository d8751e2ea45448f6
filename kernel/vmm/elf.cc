// kernel/vmm/elf.cc: every field that places bytes is checked against the
// image's size and the guest's memory, with sums that cannot overflow.
#include "vmm/elf.h"
#include "lib/format.h"
#include "lib/string.h"

namespace {

constexpr u32 PT_LOAD = 1, ET_EXEC = 2, EM_386 = 3;
constexpr u32 FOUR_MIB = 4u << 20;

u32 read32(const u8* p) { return load32(p); }
u16 read16(const u8* p) { u16 v; memcpy(&v, p, 2); return v; }

// [start, start + length) fits in [0, limit).
bool fits(u32 start, u32 length, u32 limit) { return length <= limit && start <= limit - length; }

bool fail(char* error, usize size, const char* reason)
{
    snformat(error, size, "%s", reason);
    return false;
}

} // namespace

bool parse_elf(const u8* image, u32 size, u32 memory, ElfImage& out, char* error, usize error_size)
{
    out = ElfImage{};
    if (size == 0) return fail(error, error_size, "empty image");
    if (size < 52 || image[0] != 0x7F || image[1] != 'E' || image[2] != 'L' || image[3] != 'F')
        return fail(error, error_size, "not an ELF image");
    if (image[4] != 1) return fail(error, error_size, image[4] == 2 ? "ELF64 image (need ELF32)" : "bad ELF class");
    if (image[5] != 1) return fail(error, error_size, "big-endian ELF image");
    u16 type = read16(image + 16), machine = read16(image + 18);
    if (machine != EM_386) {
        snformat(error, error_size, "ELF image for another machine (e_machine %u)", machine);
        return false;
    }
    if (type != ET_EXEC) return fail(error, error_size, "ELF image is not an executable");
    u32 entry = read32(image + 24), phoff = read32(image + 28);
    u16 phentsize = read16(image + 42), phnum = read16(image + 44);
    if (phentsize != 32 || phnum == 0 || !fits(phoff, static_cast<u32>(phnum) * 32, size))
        return fail(error, error_size, "bad ELF program headers");

    bool have_offset = false;
    for (u32 i = 0; i < phnum; i++) {
        const u8* ph = image + phoff + i * 32;
        if (read32(ph) != PT_LOAD) continue;
        u32 file_offset = read32(ph + 4), vaddr = read32(ph + 8), paddr = read32(ph + 12);
        u32 file_size = read32(ph + 16), memory_size = read32(ph + 20);
        if (memory_size == 0) continue;
        if (file_size > memory_size) return fail(error, error_size, "segment file size exceeds its memory size");
        if (!fits(file_offset, file_size, size)) return fail(error, error_size, "segment lies outside the image file");
        if (!fits(paddr, memory_size, memory)) return fail(error, error_size, "segment lies outside guest memory");
        u32 offset = vaddr - paddr;
        if (!have_offset) {
            if (offset % FOUR_MIB) return fail(error, error_size, "segment offset p_vaddr - p_paddr is not a multiple of 4 MiB");
            // Guest memory is mapped at 0 and again at the offset: the two must
            // not overlap, and neither may reach the switcher at 0xFFC00000.
            if (offset && (offset < memory || memory > 0xFFC00000u - offset))
                return fail(error, error_size, "segment offset overlaps guest memory or the switcher");
            out.offset = offset;
            have_offset = true;
        } else if (offset != out.offset) {
            return fail(error, error_size, "segments disagree on p_vaddr - p_paddr");
        }
        for (u32 j = 0; j < out.count; j++) {
            const ElfSegment& other = out.segments[j];
            if (paddr < other.address + other.memory_size && other.address < paddr + memory_size)
                return fail(error, error_size, "segments overlap");
        }
        if (out.count == ElfImage::MAX_SEGMENTS) return fail(error, error_size, "too many segments");
        out.segments[out.count++] = {file_offset, file_size, paddr, memory_size};
        if (paddr + memory_size > out.load_end) out.load_end = paddr + memory_size;
    }
    if (out.count == 0) return fail(error, error_size, "no PT_LOAD segment");
    bool entry_inside = false;
    for (u32 i = 0; i < out.count; i++) {
        u32 start = out.segments[i].address + out.offset;
        if (entry - start < out.segments[i].memory_size) entry_inside = true;
    }
    if (!entry_inside) return fail(error, error_size, "entry point outside every segment");
    out.entry = entry;
    return true;
}
