// tests/unit/test_memory_map.cc: the firmware memory map reduced to usable RAM
// below 4 GiB (kernel/mm/memory_map.h).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "mm/memory_map.h"

namespace {

constexpr u32 RAM = 1, RESERVED = 2, ACPI = 3, NVS = 4, BAD = 5;
constexpr u64 KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

// A Multiboot memory map as the loader lays it out: u32 size (of the rest of
// the entry), u64 base, u64 length, u32 type, then size - 20 more bytes.
struct MultibootMap {
    std::vector<u8> bytes;

    MultibootMap& entry(u64 base, u64 length, u32 type, u32 size = 20)
    {
        usize at = bytes.size();
        bytes.resize(at + 4 + (size >= 20 ? size : 20), 0xEE);
        memcpy(&bytes[at], &size, 4);
        memcpy(&bytes[at + 4], &base, 8);
        memcpy(&bytes[at + 12], &length, 8);
        memcpy(&bytes[at + 20], &type, 4);
        return *this;
    }
    u32 length() const { return static_cast<u32>(bytes.size()); }
};

// MemoryMap holds a few KiB of arrays; keep it off the test's stack frame.
std::unique_ptr<MemoryMap> parse(const MultibootMap& m)
{
    auto map = std::make_unique<MemoryMap>();
    parse_multiboot_map(*map, m.bytes.data(), m.length());
    return map;
}

std::vector<std::pair<u64, u64>> ranges(const MemoryMap& map)
{
    std::vector<std::pair<u64, u64>> r;
    for (u32 i = 0; i < map.count; i++) r.emplace_back(map.usable[i].start, map.usable[i].end);
    return r;
}

using R = std::vector<std::pair<u64, u64>>;

// The invariants every finished map has, whatever the input.
void check_invariants(const MemoryMap& map)
{
    ASSERT_LE(map.count, MemoryMap::MAX_RANGES);
    u64 total = 0;
    for (u32 i = 0; i < map.count; i++) {
        const MemoryRange& r = map.usable[i];
        EXPECT_EQ(r.start % 4096, 0u) << i;
        EXPECT_EQ(r.end % 4096, 0u) << i;
        EXPECT_LT(r.start, r.end) << i;
        EXPECT_LE(r.end, 4 * GiB) << i;
        if (i) {
            EXPECT_LT(map.usable[i - 1].end, r.start) << "ranges sorted, disjoint and not touching: " << i;
        }
        total += r.end - r.start;
    }
    EXPECT_EQ(map.usable_bytes, total);
    EXPECT_EQ(map.top(), map.count ? map.usable[map.count - 1].end : 0);
}

} // namespace

TEST(MemoryMap, Empty)
{
    MultibootMap m;
    auto map = parse(m);
    EXPECT_EQ(map->count, 0u);
    EXPECT_EQ(map->usable_bytes, 0u);
    EXPECT_EQ(map->ignored_above_4g, 0u);
    EXPECT_EQ(map->top(), 0u);
    EXPECT_EQ(map->dropped_entries, 0u);
}

TEST(MemoryMap, SingleRange)
{
    auto map = parse(MultibootMap().entry(1 * MiB, 15 * MiB, RAM));
    EXPECT_EQ(ranges(*map), (R{{1 * MiB, 16 * MiB}}));
    EXPECT_EQ(map->usable_bytes, 15 * MiB);
    EXPECT_EQ(map->top(), 16 * MiB);
    check_invariants(*map);
}

TEST(MemoryMap, OnlyTypeOneIsRam)
{
    auto map = parse(MultibootMap()
                         .entry(0, 1 * MiB, RESERVED)
                         .entry(1 * MiB, 1 * MiB, ACPI)
                         .entry(2 * MiB, 1 * MiB, NVS)
                         .entry(3 * MiB, 1 * MiB, BAD)
                         .entry(4 * MiB, 1 * MiB, 0)
                         .entry(5 * MiB, 1 * MiB, 77));
    EXPECT_EQ(map->count, 0u);
    EXPECT_EQ(map->usable_bytes, 0u);
}

TEST(MemoryMap, OverlappingRamMerges)
{
    auto map = parse(MultibootMap()
                         .entry(0, 64 * KiB, RAM)
                         .entry(32 * KiB, 96 * KiB, RAM)    // overlaps the first: [0, 128K)
                         .entry(1 * MiB, 4 * MiB, RAM)
                         .entry(2 * MiB, 1 * MiB, RAM)      // wholly inside the previous
                         .entry(5 * MiB, 1 * MiB, RAM));    // touches it: one range
    EXPECT_EQ(ranges(*map), (R{{0, 128 * KiB}, {1 * MiB, 6 * MiB}}));
    EXPECT_EQ(map->usable_bytes, 128 * KiB + 5 * MiB); // overlaps counted once
    check_invariants(*map);
}

TEST(MemoryMap, DuplicateEntriesCountOnce)
{
    auto map = parse(MultibootMap().entry(1 * MiB, 1 * MiB, RAM).entry(1 * MiB, 1 * MiB, RAM));
    EXPECT_EQ(ranges(*map), (R{{1 * MiB, 2 * MiB}}));
    EXPECT_EQ(map->usable_bytes, 1 * MiB);
}

TEST(MemoryMap, HoleInsideRamSplitsIt)
{
    auto map = parse(MultibootMap().entry(0, 16 * MiB, RAM).entry(4 * MiB, 1 * MiB, RESERVED));
    EXPECT_EQ(ranges(*map), (R{{0, 4 * MiB}, {5 * MiB, 16 * MiB}}));
    EXPECT_EQ(map->usable_bytes, 15 * MiB);
    check_invariants(*map);
}

TEST(MemoryMap, HoleWinsWhicheverComesFirst)
{
    // The same map with the reserved entry before the RAM entry.
    auto map = parse(MultibootMap().entry(4 * MiB, 1 * MiB, RESERVED).entry(0, 16 * MiB, RAM));
    EXPECT_EQ(ranges(*map), (R{{0, 4 * MiB}, {5 * MiB, 16 * MiB}}));
}

TEST(MemoryMap, HoleAtTheEdges)
{
    auto map = parse(MultibootMap()
                         .entry(1 * MiB, 8 * MiB, RAM)
                         .entry(0, 2 * MiB, RESERVED)           // covers the start
                         .entry(8 * MiB, 4 * MiB, RESERVED));   // covers the end
    EXPECT_EQ(ranges(*map), (R{{2 * MiB, 8 * MiB}}));
    check_invariants(*map);
}

TEST(MemoryMap, HoleCoveringEverything)
{
    auto map = parse(MultibootMap().entry(1 * MiB, 8 * MiB, RAM).entry(0, 64 * MiB, RESERVED));
    EXPECT_EQ(map->count, 0u);
    EXPECT_EQ(map->usable_bytes, 0u);
    EXPECT_EQ(map->top(), 0u);
}

TEST(MemoryMap, HoleSpanningTwoRamRanges)
{
    auto map = parse(MultibootMap()
                         .entry(0, 4 * MiB, RAM)
                         .entry(8 * MiB, 4 * MiB, RAM)
                         .entry(3 * MiB, 6 * MiB, RESERVED)); // [3M, 9M)
    EXPECT_EQ(ranges(*map), (R{{0, 3 * MiB}, {9 * MiB, 12 * MiB}}));
    check_invariants(*map);
}

TEST(MemoryMap, OverlappingAndNestedHoles)
{
    auto map = parse(MultibootMap()
                         .entry(0, 32 * MiB, RAM)
                         .entry(2 * MiB, 8 * MiB, RESERVED)   // [2M, 10M)
                         .entry(3 * MiB, 1 * MiB, ACPI)       // inside it
                         .entry(9 * MiB, 3 * MiB, NVS)        // overlaps its end: to 12M
                         .entry(20 * MiB, 1 * MiB, BAD)
                         .entry(20 * MiB, 1 * MiB, RESERVED)); // the same hole twice
    EXPECT_EQ(ranges(*map), (R{{0, 2 * MiB}, {12 * MiB, 20 * MiB}, {21 * MiB, 32 * MiB}}));
    EXPECT_EQ(map->usable_bytes, 2 * MiB + 8 * MiB + 11 * MiB);
    check_invariants(*map);
}

TEST(MemoryMap, SmallHoleTakesItsWholePage)
{
    // 256 bytes reserved in the middle of a page: that page is not usable.
    auto map = parse(MultibootMap().entry(0, 64 * KiB, RAM).entry(0x3100, 0x100, RESERVED));
    EXPECT_EQ(ranges(*map), (R{{0, 0x3000}, {0x4000, 64 * KiB}}));
    check_invariants(*map);
}

TEST(MemoryMap, HoleOutsideRamChangesNothing)
{
    auto map = parse(MultibootMap()
                         .entry(1 * MiB, 1 * MiB, RAM)
                         .entry(0, 1 * MiB, RESERVED)         // touches the start
                         .entry(2 * MiB, 1 * MiB, RESERVED)   // touches the end
                         .entry(3 * GiB, 1 * GiB, RESERVED));
    EXPECT_EQ(ranges(*map), (R{{1 * MiB, 2 * MiB}}));
}

TEST(MemoryMap, UnsortedInputIsSorted)
{
    auto map = parse(MultibootMap()
                         .entry(32 * MiB, 1 * MiB, RAM)
                         .entry(1 * MiB, 1 * MiB, RAM)
                         .entry(16 * MiB, 1 * MiB, RAM)
                         .entry(0, 64 * KiB, RAM)
                         .entry(8 * MiB, 1 * MiB, RAM));
    EXPECT_EQ(ranges(*map), (R{{0, 64 * KiB}, {1 * MiB, 2 * MiB}, {8 * MiB, 9 * MiB}, {16 * MiB, 17 * MiB},
                               {32 * MiB, 33 * MiB}}));
    EXPECT_EQ(map->top(), 33 * MiB);
    check_invariants(*map);
}

TEST(MemoryMap, UnsortedOverlapsMerge)
{
    auto map = parse(MultibootMap()
                         .entry(6 * MiB, 4 * MiB, RAM)     // [6, 10)
                         .entry(0, 2 * MiB, RAM)           // [0, 2)
                         .entry(1 * MiB, 6 * MiB, RAM)     // [1, 7): joins both
                         .entry(12 * MiB, 1 * MiB, RAM));
    EXPECT_EQ(ranges(*map), (R{{0, 10 * MiB}, {12 * MiB, 13 * MiB}}));
}

TEST(MemoryMap, UnalignedRangesShrinkInward)
{
    auto map = parse(MultibootMap()
                         .entry(0x1001, 0x3FFF - 0x1001, RAM)    // [0x1001, 0x3FFF): only 0x2000-0x3000 whole
                         .entry(0x10800, 0x800, RAM)             // [0x10800, 0x11000): no whole page
                         .entry(0x20000, 0x1FFF, RAM)            // [0x20000, 0x21FFF): one page
                         .entry(0x30FFF, 0x2002, RAM));          // [0x30FFF, 0x33001): two pages
    EXPECT_EQ(ranges(*map), (R{{0x2000, 0x3000}, {0x20000, 0x21000}, {0x31000, 0x33000}}));
    EXPECT_EQ(map->usable_bytes, 0x1000u + 0x1000 + 0x2000);
    check_invariants(*map);
}

TEST(MemoryMap, UnalignedPiecesAroundAHole)
{
    auto map = parse(MultibootMap().entry(0, 0x10000, RAM).entry(0x4800, 0x1000, RESERVED)); // [0x4800, 0x5800)
    EXPECT_EQ(ranges(*map), (R{{0, 0x4000}, {0x6000, 0x10000}}));
}

TEST(MemoryMap, RangeSmallerThanAPage)
{
    auto map = parse(MultibootMap().entry(0x1001, 0x800, RAM));
    EXPECT_EQ(map->count, 0u);
    EXPECT_EQ(map->usable_bytes, 0u);
}

TEST(MemoryMap, ZeroLengthEntriesIgnored)
{
    auto map = parse(MultibootMap()
                         .entry(1 * MiB, 0, RAM)
                         .entry(2 * MiB, 2 * MiB, RAM)
                         .entry(3 * MiB, 0, RESERVED)); // a zero-length hole cuts nothing
    EXPECT_EQ(ranges(*map), (R{{2 * MiB, 4 * MiB}}));
    check_invariants(*map);
}

TEST(MemoryMap, AboveFourGiBIgnoredAndCounted)
{
    auto map = parse(MultibootMap().entry(1 * MiB, 7 * MiB, RAM).entry(4 * GiB, 2 * GiB, RAM));
    EXPECT_EQ(ranges(*map), (R{{1 * MiB, 8 * MiB}}));
    EXPECT_EQ(map->usable_bytes, 7 * MiB);
    EXPECT_EQ(map->ignored_above_4g, 2 * GiB);
    EXPECT_EQ(map->top(), 8 * MiB);
}

TEST(MemoryMap, RangeStraddlingFourGiB)
{
    auto map = parse(MultibootMap().entry(3 * GiB, 2 * GiB, RAM)); // [3G, 5G)
    EXPECT_EQ(ranges(*map), (R{{3 * GiB, 4 * GiB}}));
    EXPECT_EQ(map->usable_bytes, 1 * GiB);
    EXPECT_EQ(map->ignored_above_4g, 1 * GiB);
    EXPECT_EQ(map->top(), 4 * GiB);
    check_invariants(*map);
}

TEST(MemoryMap, HoleAboveFourGiBReducesIgnored)
{
    auto map = parse(MultibootMap().entry(4 * GiB, 1 * GiB, RAM).entry(4 * GiB + 256 * MiB, 256 * MiB, RESERVED));
    EXPECT_EQ(map->count, 0u);
    EXPECT_EQ(map->ignored_above_4g, 768 * MiB);
}

TEST(MemoryMap, EntryThatWrapsPastTwoToThe64IsClamped)
{
    auto map = parse(MultibootMap()
                         .entry(1 * MiB, 1 * MiB, RAM)
                         .entry(0xFFFFFFFF00000000ull, 0x200000000ull, RAM)); // end wraps
    EXPECT_EQ(ranges(*map), (R{{1 * MiB, 2 * MiB}}));
    EXPECT_EQ(map->ignored_above_4g, 0xFFFFF000u); // up to the last whole page below 2^64
    check_invariants(*map);
}

TEST(MemoryMap, RamInTheLastPageOfTheAddressSpaceIsNotBelowFourGiB)
{
    // Rounding the start up to a page must not wrap around to 0.
    auto map = parse(MultibootMap().entry(0xFFFFFFFFFFFFF800ull, 0x1000, RAM));
    EXPECT_EQ(map->count, 0u);
    EXPECT_EQ(map->usable_bytes, 0u);
    EXPECT_EQ(map->ignored_above_4g, 0u);
    EXPECT_EQ(map->top(), 0u);
}

// QEMU (SeaBIOS) with -m 8M.
TEST(MemoryMap, QemuEightMiB)
{
    auto map = parse(MultibootMap()
                         .entry(0x0, 0x9FC00, RAM)
                         .entry(0x9FC00, 0x400, RESERVED)
                         .entry(0xF0000, 0x10000, RESERVED)
                         .entry(0x100000, 0x6E0000, RAM)
                         .entry(0x7E0000, 0x20000, RESERVED)
                         .entry(0xFEFFC000, 0x4000, RESERVED)
                         .entry(0xFFFC0000, 0x40000, RESERVED));
    EXPECT_EQ(ranges(*map), (R{{0, 0x9F000}, {0x100000, 0x7E0000}}));
    EXPECT_EQ(map->usable_bytes, 0x9F000u + 0x6E0000);
    EXPECT_EQ(map->ignored_above_4g, 0u);
    EXPECT_EQ(map->top(), 0x7E0000u);
    EXPECT_EQ(map->dropped_entries, 0u);
    check_invariants(*map);
}

// QEMU with -m 64M.
TEST(MemoryMap, QemuSixtyFourMiB)
{
    auto map = parse(MultibootMap()
                         .entry(0x0, 0x9FC00, RAM)
                         .entry(0x9FC00, 0x400, RESERVED)
                         .entry(0xF0000, 0x10000, RESERVED)
                         .entry(0x100000, 0x3EE0000, RAM)
                         .entry(0x3FE0000, 0x20000, RESERVED)
                         .entry(0xFEFFC000, 0x4000, RESERVED)
                         .entry(0xFFFC0000, 0x40000, RESERVED));
    EXPECT_EQ(ranges(*map), (R{{0, 0x9F000}, {0x100000, 0x3FE0000}}));
    EXPECT_EQ(map->usable_bytes, 0x9F000u + 0x3EE0000);
    EXPECT_EQ(map->top(), 0x3FE0000u);
    EXPECT_EQ(map->ignored_above_4g, 0u);
    check_invariants(*map);
}

// QEMU with -m 3584M: 3 GiB below the PCI hole, 512 MiB moved above 4 GiB.
TEST(MemoryMap, QemuThreeAndAHalfGiB)
{
    auto map = parse(MultibootMap()
                         .entry(0x0, 0x9FC00, RAM)
                         .entry(0x9FC00, 0x400, RESERVED)
                         .entry(0xF0000, 0x10000, RESERVED)
                         .entry(0x100000, 0xBFEE0000, RAM)
                         .entry(0xBFFE0000, 0x20000, RESERVED)
                         .entry(0xFEFFC000, 0x4000, RESERVED)
                         .entry(0xFFFC0000, 0x40000, RESERVED)
                         .entry(0x100000000, 0x20000000, RAM));
    EXPECT_EQ(ranges(*map), (R{{0, 0x9F000}, {0x100000, 0xBFFE0000}}));
    EXPECT_EQ(map->usable_bytes, 0x9F000ull + 0xBFEE0000);
    EXPECT_EQ(map->ignored_above_4g, 512 * MiB);
    EXPECT_EQ(map->top(), 0xBFFE0000u);
    check_invariants(*map);
}

TEST(MemoryMap, LargerEntrySizeIsSkippedOver)
{
    // ACPI 3.0 style entries carry 4 more bytes; the parser must follow `size`.
    auto map = parse(MultibootMap()
                         .entry(0, 0x9F000, RAM, 24)
                         .entry(1 * MiB, 3 * MiB, RAM, 24)
                         .entry(2 * MiB, 4 * KiB, RESERVED, 20));
    EXPECT_EQ(ranges(*map), (R{{0, 0x9F000}, {1 * MiB, 2 * MiB}, {2 * MiB + 4 * KiB, 4 * MiB}}));
}

TEST(MemoryMap, CorruptEntrySizeStopsParsing)
{
    MultibootMap m;
    m.entry(1 * MiB, 1 * MiB, RAM).entry(4 * MiB, 1 * MiB, RAM, 19).entry(8 * MiB, 1 * MiB, RAM);
    auto map = parse(m);
    EXPECT_EQ(ranges(*map), (R{{1 * MiB, 2 * MiB}})); // entries from the corrupt one on are not trusted

    MultibootMap zero;
    zero.entry(1 * MiB, 1 * MiB, RAM, 0);
    EXPECT_EQ(parse(zero)->count, 0u);
}

TEST(MemoryMap, HugeEntrySizeStopsParsing)
{
    // A size that would wrap the parser's offset must not send it reading
    // outside the buffer or around in circles.
    for (u32 size : {0xFFFFFFFCu, 0xFFFFFFF0u, 0xFFFFFFFFu, 0x80000000u, 1000u}) {
        MultibootMap m;
        m.entry(1 * MiB, 1 * MiB, RAM).entry(4 * MiB, 1 * MiB, RAM).entry(8 * MiB, 1 * MiB, RAM);
        memcpy(&m.bytes[24], &size, 4); // the second entry's size
        auto map = parse(m);
        check_invariants(*map);
        ASSERT_GE(map->count, 1u) << size;
        EXPECT_EQ(map->usable[0].start, 1 * MiB) << size;
        EXPECT_LE(map->top(), 5 * MiB) << size; // nothing after the corrupt entry
    }
}

TEST(MemoryMap, TrailingPartialEntryIgnored)
{
    MultibootMap m;
    m.entry(1 * MiB, 1 * MiB, RAM).entry(4 * MiB, 1 * MiB, RAM);
    // Cut the buffer inside the second entry: only the first is whole.
    MemoryMap* raw = new MemoryMap;
    parse_multiboot_map(*raw, m.bytes.data(), m.length() - 1);
    EXPECT_EQ(ranges(*raw), (R{{1 * MiB, 2 * MiB}}));
    delete raw;

    // Shorter than one entry: nothing.
    auto short_map = std::make_unique<MemoryMap>();
    parse_multiboot_map(*short_map, m.bytes.data(), 23);
    EXPECT_EQ(short_map->count, 0u);
}

TEST(MemoryMap, MoreRamEntriesThanMaxRanges)
{
    MultibootMap m;
    const u32 n = MemoryMap::MAX_RANGES + 6;
    for (u32 i = 0; i < n; i++) m.entry(static_cast<u64>(i) * 2 * MiB, 1 * MiB, RAM); // separated by gaps
    auto map = parse(m);
    EXPECT_EQ(map->count, MemoryMap::MAX_RANGES);
    EXPECT_EQ(map->dropped_entries, 6u);
    EXPECT_EQ(map->usable_bytes, MemoryMap::MAX_RANGES * MiB);
    check_invariants(*map);
}

TEST(MemoryMap, MoreHoleEntriesThanMaxRanges)
{
    MultibootMap m;
    m.entry(0, 1 * GiB, RAM);
    const u32 n = MemoryMap::MAX_RANGES + 3;
    for (u32 i = 0; i < n; i++) m.entry(static_cast<u64>(i) * 2 * MiB + 1 * MiB, 1 * MiB, RESERVED);
    auto map = parse(m);
    EXPECT_EQ(map->dropped_entries, 3u);
    EXPECT_LE(map->count, MemoryMap::MAX_RANGES); // never writes past usable[]
    check_invariants(*map);
    // Whatever was kept is really RAM outside the recorded holes.
    for (u32 i = 0; i < map->count; i++)
        for (u32 h = 0; h < MemoryMap::MAX_RANGES; h++) {
            u64 hs = h * 2 * MiB + 1 * MiB, he = hs + 1 * MiB;
            EXPECT_TRUE(map->usable[i].end <= hs || map->usable[i].start >= he) << i << " " << h;
        }
}

TEST(MemoryMap, HolesCutMoreRangesThanFit)
{
    // One RAM range and MAX_RANGES holes give MAX_RANGES + 1 pieces: the
    // extra one is not written past the array.
    MultibootMap m;
    m.entry(0, 1 * GiB, RAM);
    for (u32 i = 0; i < MemoryMap::MAX_RANGES; i++) m.entry(static_cast<u64>(i) * 2 * MiB + 1 * MiB, 1 * MiB, RESERVED);
    auto map = parse(m);
    EXPECT_EQ(map->dropped_entries, 0u);
    EXPECT_EQ(map->count, MemoryMap::MAX_RANGES);
    EXPECT_EQ(map->usable[0].start, 0u);
    check_invariants(*map);
}

TEST(MemoryMap, FinishIsRepeatable)
{
    auto map = std::make_unique<MemoryMap>();
    map->add(0, 0x9FC00, RAM);
    map->add(1 * MiB, 7 * MiB, RAM);
    map->add(4 * GiB, 1 * GiB, RAM);
    map->add(0x9FC00, 0x400, RESERVED);
    map->finish();
    R first = ranges(*map);
    u64 bytes = map->usable_bytes, above = map->ignored_above_4g;
    map->finish();
    EXPECT_EQ(ranges(*map), first);
    EXPECT_EQ(map->usable_bytes, bytes); // totals are recomputed, not accumulated
    EXPECT_EQ(map->ignored_above_4g, above);
    EXPECT_EQ(first, (R{{0, 0x9F000}, {1 * MiB, 8 * MiB}}));
    EXPECT_EQ(above, 1 * GiB);
}

TEST(MemoryMap, AddAndFinishLikeAnOldLoader)
{
    // physical_memory.cc's fallback: mem_lower and mem_upper only.
    auto map = std::make_unique<MemoryMap>();
    map->add(0, 639 * KiB, RAM);
    map->add(1 * MiB, 64512 * KiB, RAM);
    map->finish();
    EXPECT_EQ(ranges(*map), (R{{0, 636 * KiB}, {1 * MiB, 64 * MiB}}));
    check_invariants(*map);
}
