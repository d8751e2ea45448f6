// kernel/mm/memory_map.h: the firmware's memory map reduced to what rung can
// use: usable RAM below 4 GiB (no PAE), page-aligned inward, sorted, merged.
// Pure: the same source is unit-tested on the build machine.
#pragma once
#include "lib/types.h"

struct MemoryRange {
    u64 start, end; // [start, end)
};

struct MemoryMap {
    static constexpr u32 MAX_RANGES = 64;
    MemoryRange usable[MAX_RANGES];
    u32 count = 0;
    u64 usable_bytes = 0;       // below 4 GiB
    u64 ignored_above_4g = 0;   // usable RAM the host cannot reach without PAE
    u32 dropped_entries = 0;    // entries beyond MAX_RANGES

    // Adds a firmware range; type 1 is RAM, anything else is a hole that also
    // wins over RAM that overlaps it.
    void add(u64 base, u64 length, u32 type);
    // Sorts, subtracts the holes, merges and page-aligns; then the totals are valid.
    void finish();
    // The end of the highest usable byte (0 when there is none).
    u64 top() const { return count ? usable[count - 1].end : 0; }

private:
    MemoryRange ram_[MAX_RANGES];
    MemoryRange holes_[MAX_RANGES];
    u32 ram_count_ = 0, hole_count_ = 0;
};

// Parses a Multiboot memory map (a byte buffer of self-sized entries).
void parse_multiboot_map(MemoryMap& map, const u8* buffer, u32 length);
