// kernel/mm/memory_map.cc
#include "mm/memory_map.h"
#include "lib/string.h"

namespace {

constexpr u64 FOUR_GIB = 1ull << 32;
constexpr u64 PAGE = 4096;

void sort(MemoryRange* r, u32 n)
{
    for (u32 i = 1; i < n; i++) // insertion sort: a firmware map has a few dozen entries
        for (u32 j = i; j > 0 && r[j].start < r[j - 1].start; j--) {
            MemoryRange t = r[j];
            r[j] = r[j - 1];
            r[j - 1] = t;
        }
}

} // namespace

void MemoryMap::add(u64 base, u64 length, u32 type)
{
    if (length == 0) return;
    u64 end = base + length;
    if (end < base) end = ~0ull; // overflowing entry: clamp
    MemoryRange r{base, end};
    if (type == 1) {
        if (ram_count_ < MAX_RANGES) ram_[ram_count_++] = r;
        else dropped_entries++;
    } else {
        if (hole_count_ < MAX_RANGES) holes_[hole_count_++] = r;
        else dropped_entries++;
    }
}

void MemoryMap::finish()
{
    sort(ram_, ram_count_);
    sort(holes_, hole_count_);
    count = 0;
    usable_bytes = ignored_above_4g = 0;
    // Merge overlapping RAM ranges first, then cut out every hole.
    MemoryRange merged[MAX_RANGES];
    u32 m = 0;
    for (u32 i = 0; i < ram_count_; i++) {
        if (m && ram_[i].start <= merged[m - 1].end) {
            if (ram_[i].end > merged[m - 1].end) merged[m - 1].end = ram_[i].end;
        } else {
            merged[m++] = ram_[i];
        }
    }
    for (u32 i = 0; i < m; i++) {
        u64 start = merged[i].start;
        u64 end = merged[i].end;
        // Walk the holes in order, emitting the pieces between them.
        for (u32 h = 0; h <= hole_count_ && start < end; h++) {
            u64 piece_end = end;
            if (h < hole_count_) {
                if (holes_[h].end <= start || holes_[h].start >= end) continue;
                piece_end = holes_[h].start;
            }
            if (piece_end > start) {
                u64 s = (start + PAGE - 1) & ~(PAGE - 1);
                if (s < start) s = ~0ull; // rounding up wrapped: no whole page here
                u64 e = piece_end & ~(PAGE - 1);
                if (s < e && e > FOUR_GIB) {
                    ignored_above_4g += e - (s > FOUR_GIB ? s : FOUR_GIB);
                    e = FOUR_GIB;
                }
                if (s < e && count < MAX_RANGES) {
                    usable[count++] = {s, e};
                    usable_bytes += e - s;
                }
            }
            if (h < hole_count_) start = holes_[h].end > start ? holes_[h].end : start;
            else start = end;
        }
    }
}

void parse_multiboot_map(MemoryMap& map, const u8* buffer, u32 length)
{
    u32 offset = 0;
    // Each entry is `size` bytes after its size field; a size under 20, or one
    // reaching past the buffer (it could wrap the offset), is corrupt.
    while (offset + 24 <= length) {
        u32 size;
        u64 base, bytes;
        u32 type;
        memcpy(&size, buffer + offset, 4);
        if (size < 20 || size > length - offset - 4) break; // corrupt: too small, or past the end
        memcpy(&base, buffer + offset + 4, 8);
        memcpy(&bytes, buffer + offset + 12, 8);
        memcpy(&type, buffer + offset + 20, 4);
        map.add(base, bytes, type);
        offset += size + 4;
    }
    map.finish();
}
