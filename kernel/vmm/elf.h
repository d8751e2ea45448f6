// kernel/vmm/elf.h: checking a guest image, an ELF32 i386 executable, before
// a byte of it is copied (guest ABI, section 2).  Pure: unit-tested.
#pragma once
#include "lib/types.h"

struct ElfSegment {
    u32 file_offset, file_size; // bytes copied from the image
    u32 address, memory_size;   // guest-physical placement; the tail is zeroed
};

struct ElfImage {
    static constexpr u32 MAX_SEGMENTS = 16;
    u32 entry = 0;
    u32 offset = 0;   // p_vaddr - p_paddr, shared by every segment
    u32 load_end = 0; // first guest-physical byte after the highest segment
    u32 count = 0;
    ElfSegment segments[MAX_SEGMENTS];
};

// True when `image` is a loadable executable for a guest of `memory` bytes;
// otherwise false with a short reason in `error`.
bool parse_elf(const u8* image, u32 size, u32 memory, ElfImage& out, char* error, usize error_size);
