// tests/unit/test_frame_allocator.cc: the physical frame bitmap allocator
// (kernel/mm/frame_allocator.h).
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>
#include <vector>

#include "mm/frame_allocator.h"
#include "mm/memory_map.h"

namespace {

constexpr u64 KiB = 1024, MiB = 1024 * KiB;
constexpr u32 CANARY = 0xC0FFEE11;

// An allocator over its own bitmap, with guard words after the bitmap to
// catch writes past the (frames + 31) / 32 words the header promises to use.
struct Fixture {
    static constexpr u32 GUARD = 4;
    std::vector<u32> words;
    FrameAllocator fa;
    u32 frames;

    explicit Fixture(u32 n) : frames(n)
    {
        words.assign((n + 31) / 32 + GUARD, CANARY);
        fa.init(words.data(), n);
    }
    bool guard_intact() const
    {
        for (usize i = (frames + 31) / 32; i < words.size(); i++)
            if (words[i] != CANARY) return false;
        return true;
    }
    // Frees every frame in [first, first + count) through a memory map.
    void usable(std::initializer_list<std::pair<u64, u64>> ranges)
    {
        auto map = std::make_unique<MemoryMap>();
        for (auto [s, e] : ranges) map->add(s, e - s, 1);
        map->finish();
        fa.add_usable(*map);
    }
    void all_usable() { usable({{0, static_cast<u64>(frames) * FRAME_SIZE}}); }
};

u64 F(u32 frame) { return static_cast<u64>(frame) * FRAME_SIZE; }

} // namespace

TEST(FrameAllocator, InitMarksEverythingUsed)
{
    Fixture f(256);
    EXPECT_EQ(f.fa.total_frames(), 256u);
    EXPECT_EQ(f.fa.free_frames(), 0u);
    for (u32 i = 0; i < 256; i++) EXPECT_TRUE(f.fa.is_used(i)) << i;
    EXPECT_EQ(f.fa.alloc(), NO_FRAME);
    EXPECT_EQ(f.fa.alloc_contiguous(1), NO_FRAME);
    EXPECT_TRUE(f.guard_intact());
}

TEST(FrameAllocator, InitResetsAPreviouslyUsedBitmap)
{
    Fixture f(64);
    f.all_usable();
    EXPECT_EQ(f.fa.free_frames(), 64u);
    f.fa.init(f.words.data(), 64);
    EXPECT_EQ(f.fa.free_frames(), 0u);
    EXPECT_EQ(f.fa.alloc(), NO_FRAME);
}

TEST(FrameAllocator, AddUsableFreesOnlyMapRanges)
{
    Fixture f(128);
    f.usable({{F(2), F(5)}, {F(40), F(41)}, {F(100), F(128)}});
    EXPECT_EQ(f.fa.free_frames(), 3u + 1 + 28);
    for (u32 i = 0; i < 128; i++) {
        bool expect_free = (i >= 2 && i < 5) || i == 40 || i >= 100;
        EXPECT_EQ(f.fa.is_used(i), !expect_free) << i;
    }
}

TEST(FrameAllocator, AddUsableTwiceDoesNotDoubleCount)
{
    Fixture f(64);
    f.usable({{F(0), F(10)}});
    f.usable({{F(5), F(20)}});
    EXPECT_EQ(f.fa.free_frames(), 20u);
}

TEST(FrameAllocator, AddUsableClipsToFrameCount)
{
    Fixture f(64);
    f.usable({{F(60), F(1000)}});
    EXPECT_EQ(f.fa.free_frames(), 4u);
    EXPECT_TRUE(f.guard_intact());
}

TEST(FrameAllocator, FrameCountNotAMultipleOf32)
{
    // 40 frames: the second bitmap word holds 8 frames and 24 bits past the end.
    Fixture f(40);
    EXPECT_EQ(f.fa.total_frames(), 40u);
    f.usable({{0, F(64)}}); // the map reaches further than the allocator covers
    EXPECT_TRUE(f.guard_intact());
    EXPECT_EQ(f.fa.free_frames(), 40u);
    std::set<u32> got;
    for (u32 i = 0; i < 40; i++) {
        u32 frame = f.fa.alloc();
        ASSERT_NE(frame, NO_FRAME) << i;
        EXPECT_LT(frame, 40u);
        got.insert(frame);
    }
    EXPECT_EQ(got.size(), 40u);
    EXPECT_EQ(f.fa.alloc(), NO_FRAME);
    EXPECT_EQ(f.fa.free_frames(), 0u);
    f.fa.free(45); // beyond the end: ignored
    EXPECT_EQ(f.fa.free_frames(), 0u);
    EXPECT_EQ(f.fa.alloc(), NO_FRAME);
}

TEST(FrameAllocator, FrameCountNotAMultipleOf32Contiguous)
{
    Fixture f(37);
    f.usable({{0, F(64)}});
    EXPECT_EQ(f.fa.free_frames(), 37u);
    EXPECT_EQ(f.fa.alloc_contiguous(38), NO_FRAME);
    EXPECT_EQ(f.fa.alloc_contiguous(37), 0u);
    EXPECT_EQ(f.fa.free_frames(), 0u);
    f.fa.free_range(0, 64); // frees only what exists
    EXPECT_EQ(f.fa.free_frames(), 37u);
    EXPECT_EQ(f.fa.alloc_contiguous(1), 0u);
    EXPECT_EQ(f.fa.alloc_contiguous(6, 32), NO_FRAME); // 32..37 would run past the end
    EXPECT_EQ(f.fa.alloc_contiguous(5, 32), 32u);      // 32..36 exists
    EXPECT_EQ(f.fa.alloc_contiguous(2, 32), NO_FRAME);
    EXPECT_TRUE(f.guard_intact());
}

TEST(FrameAllocator, SmallFrameCounts)
{
    Fixture one(1);
    one.all_usable();
    EXPECT_EQ(one.fa.free_frames(), 1u);
    EXPECT_EQ(one.fa.alloc(), 0u);
    EXPECT_EQ(one.fa.alloc(), NO_FRAME);

    Fixture none(0);
    none.usable({{0, F(10)}});
    EXPECT_EQ(none.fa.free_frames(), 0u);
    EXPECT_EQ(none.fa.alloc(), NO_FRAME);
    EXPECT_EQ(none.fa.alloc_contiguous(1), NO_FRAME);
    EXPECT_TRUE(none.guard_intact());
}

TEST(FrameAllocator, ReserveRoundsOutward)
{
    Fixture f(64);
    f.all_usable();
    f.fa.reserve(F(3) + 1, F(5) + 1); // touches frames 3, 4 and 5
    EXPECT_FALSE(f.fa.is_used(2));
    EXPECT_TRUE(f.fa.is_used(3));
    EXPECT_TRUE(f.fa.is_used(4));
    EXPECT_TRUE(f.fa.is_used(5));
    EXPECT_FALSE(f.fa.is_used(6));
    EXPECT_EQ(f.fa.free_frames(), 61u);

    f.fa.reserve(F(10), F(11)); // exactly one frame
    EXPECT_TRUE(f.fa.is_used(10));
    EXPECT_FALSE(f.fa.is_used(9));
    EXPECT_FALSE(f.fa.is_used(11));
    EXPECT_EQ(f.fa.free_frames(), 60u);

    f.fa.reserve(F(20) + 5, F(20) + 6); // one byte
    EXPECT_TRUE(f.fa.is_used(20));
    EXPECT_EQ(f.fa.free_frames(), 59u);

    f.fa.reserve(F(30), F(30)); // empty
    EXPECT_FALSE(f.fa.is_used(30));
    EXPECT_EQ(f.fa.free_frames(), 59u);
}

TEST(FrameAllocator, ReserveAlreadyUsedDoesNotChangeCount)
{
    Fixture f(64);
    f.usable({{F(0), F(32)}});
    f.fa.reserve(F(16), F(48)); // half of it is already used (not RAM)
    EXPECT_EQ(f.fa.free_frames(), 16u);
    f.fa.reserve(F(16), F(48)); // again
    EXPECT_EQ(f.fa.free_frames(), 16u);
}

TEST(FrameAllocator, ReserveBeyondTheEndIsClipped)
{
    Fixture f(64);
    f.all_usable();
    f.fa.reserve(F(60), F(100000));
    EXPECT_EQ(f.fa.free_frames(), 60u);
    f.fa.reserve(F(200), F(300));
    EXPECT_EQ(f.fa.free_frames(), 60u);
    f.fa.reserve(0xFFFFF000ull, 0x100000000ull);
    EXPECT_EQ(f.fa.free_frames(), 60u);
    EXPECT_TRUE(f.guard_intact());
}

TEST(FrameAllocator, AllocReturnsLowestFreeFrameFirst)
{
    Fixture f(128);
    f.usable({{F(5), F(8)}, {F(70), F(72)}});
    EXPECT_EQ(f.fa.alloc(), 5u);
    EXPECT_EQ(f.fa.alloc(), 6u);
    EXPECT_EQ(f.fa.alloc(), 7u);
    EXPECT_EQ(f.fa.alloc(), 70u); // across a word boundary and a hole
    f.fa.free(6);
    EXPECT_EQ(f.fa.alloc(), 6u); // a freed frame below the others is found again
    EXPECT_EQ(f.fa.alloc(), 71u);
    EXPECT_EQ(f.fa.alloc(), NO_FRAME);
}

// The kernel's own set-up (physical_memory.cc) on QEMU's 8 MiB map: nothing
// reserved, and nothing that is not RAM, is ever handed out.
TEST(FrameAllocator, NeverReturnsReservedFramesOrHoles)
{
    auto map = std::make_unique<MemoryMap>();
    map->add(0x0, 0x9FC00, 1);
    map->add(0x9FC00, 0x400, 2);
    map->add(0xF0000, 0x10000, 2);
    map->add(0x100000, 0x6E0000, 1);
    map->add(0x7E0000, 0x20000, 2);
    map->add(0xFFFC0000, 0x40000, 2);
    map->finish();
    u32 frames = static_cast<u32>((map->top() + FRAME_SIZE - 1) / FRAME_SIZE);
    ASSERT_EQ(frames, 0x7E0u);

    Fixture f(frames);
    f.fa.add_usable(*map);
    const u64 kernel_start = 1 * MiB, kernel_end = 1 * MiB + 300 * KiB + 123;
    const u64 module_start = 3 * MiB + 100, module_end = 3 * MiB + 512 * KiB + 7;
    const u64 info = 0x9500, info_end = 0x9500 + 116;
    f.fa.reserve(0, 1 * MiB);
    f.fa.reserve(kernel_start, kernel_end);
    f.fa.reserve(module_start, module_end);
    f.fa.reserve(info, info_end);

    auto forbidden = [&](u64 frame) {
        u64 a = frame * FRAME_SIZE, b = a + FRAME_SIZE;
        auto overlaps = [&](u64 s, u64 e) { return a < e && s < b; };
        return overlaps(0, 1 * MiB) || overlaps(kernel_start, kernel_end) || overlaps(module_start, module_end) ||
               overlaps(0x7E0000, ~0ull);
    };
    u32 expected_free = 0;
    for (u32 i = 0; i < frames; i++) expected_free += !forbidden(i);
    EXPECT_EQ(f.fa.free_frames(), expected_free);

    std::set<u32> seen;
    for (;;) {
        u32 frame = f.fa.alloc();
        if (frame == NO_FRAME) break;
        ASSERT_LT(frame, frames);
        ASSERT_FALSE(forbidden(frame)) << "frame " << frame;
        ASSERT_TRUE(seen.insert(frame).second) << "frame " << frame << " handed out twice";
    }
    EXPECT_EQ(seen.size(), expected_free);
    EXPECT_EQ(f.fa.free_frames(), 0u);
    EXPECT_EQ(f.fa.alloc(), NO_FRAME);
    EXPECT_EQ(f.fa.alloc_contiguous(1), NO_FRAME);
    EXPECT_TRUE(f.guard_intact());
}

TEST(FrameAllocator, ExhaustionAndRecovery)
{
    Fixture f(32);
    f.all_usable();
    for (u32 i = 0; i < 32; i++) EXPECT_EQ(f.fa.alloc(), i);
    EXPECT_EQ(f.fa.alloc(), NO_FRAME);
    EXPECT_EQ(f.fa.alloc(), NO_FRAME);
    EXPECT_EQ(f.fa.free_frames(), 0u);
    f.fa.free(17);
    EXPECT_EQ(f.fa.free_frames(), 1u);
    EXPECT_EQ(f.fa.alloc_contiguous(2), NO_FRAME);
    EXPECT_EQ(f.fa.alloc(), 17u);
    EXPECT_EQ(f.fa.alloc(), NO_FRAME);
}

TEST(FrameAllocator, DoubleFreeIgnored)
{
    Fixture f(64);
    f.all_usable();
    u32 a = f.fa.alloc();
    u32 b = f.fa.alloc();
    EXPECT_EQ(f.fa.free_frames(), 62u);
    f.fa.free(a);
    f.fa.free(a);
    EXPECT_EQ(f.fa.free_frames(), 63u);
    f.fa.free(40); // never allocated
    EXPECT_EQ(f.fa.free_frames(), 63u);
    EXPECT_EQ(f.fa.alloc(), a);
    EXPECT_NE(f.fa.alloc(), b); // b is still in use
    EXPECT_TRUE(f.fa.is_used(b));
}

TEST(FrameAllocator, FreeOutOfRangeIgnored)
{
    Fixture f(64);
    f.fa.free(64);
    f.fa.free(1000);
    f.fa.free(NO_FRAME);
    EXPECT_EQ(f.fa.free_frames(), 0u);
    EXPECT_TRUE(f.guard_intact());
}

TEST(FrameAllocator, FreeRange)
{
    Fixture f(64);
    f.all_usable();
    EXPECT_EQ(f.fa.alloc_contiguous(64), 0u);
    f.fa.free_range(10, 5);
    EXPECT_EQ(f.fa.free_frames(), 5u);
    for (u32 i = 0; i < 64; i++) EXPECT_EQ(f.fa.is_used(i), !(i >= 10 && i < 15)) << i;
    f.fa.free_range(12, 10); // overlaps the freed part: only the used ones count
    EXPECT_EQ(f.fa.free_frames(), 12u);
    f.fa.free_range(60, 100); // runs off the end
    EXPECT_EQ(f.fa.free_frames(), 16u);
    f.fa.free_range(0, 0);
    EXPECT_EQ(f.fa.free_frames(), 16u);
    EXPECT_TRUE(f.guard_intact());
}

TEST(FrameAllocator, ContiguousBasics)
{
    Fixture f(128);
    f.all_usable();
    EXPECT_EQ(f.fa.alloc_contiguous(0), NO_FRAME);
    EXPECT_EQ(f.fa.alloc_contiguous(4, 0), NO_FRAME);
    EXPECT_EQ(f.fa.free_frames(), 128u);
    EXPECT_EQ(f.fa.alloc_contiguous(4), 0u);
    EXPECT_EQ(f.fa.alloc_contiguous(4), 4u);
    EXPECT_EQ(f.fa.free_frames(), 120u);
    for (u32 i = 0; i < 8; i++) EXPECT_TRUE(f.fa.is_used(i));
    EXPECT_FALSE(f.fa.is_used(8));
    EXPECT_EQ(f.fa.alloc(), 8u); // alloc and alloc_contiguous share the bitmap
    EXPECT_EQ(f.fa.alloc_contiguous(1), 9u);
}

TEST(FrameAllocator, ContiguousSkipsUsedFrames)
{
    Fixture f(128);
    f.all_usable();
    // Used: 3, 7, 8, 20.  Free runs: 0-2, 4-6, 9-19, 21-127.
    f.fa.reserve(F(3), F(4));
    f.fa.reserve(F(7), F(9));
    f.fa.reserve(F(20), F(21));
    EXPECT_EQ(f.fa.alloc_contiguous(4), 9u);   // 0-2 and 4-6 are too short
    EXPECT_EQ(f.fa.alloc_contiguous(3), 0u);   // the first run that fits
    EXPECT_EQ(f.fa.alloc_contiguous(8), 21u);  // 13-19 is only 7
    EXPECT_EQ(f.fa.alloc_contiguous(7), 13u);
    EXPECT_EQ(f.fa.alloc_contiguous(3), 4u);
    for (u32 i = 0; i < 29; i++) EXPECT_TRUE(f.fa.is_used(i)) << i;
    EXPECT_FALSE(f.fa.is_used(29));
}

TEST(FrameAllocator, ContiguousRunAcrossBitmapWords)
{
    Fixture f(128);
    f.usable({{F(20), F(50)}});
    EXPECT_EQ(f.fa.alloc_contiguous(30), 20u);
    EXPECT_EQ(f.fa.free_frames(), 0u);
}

TEST(FrameAllocator, ContiguousAlignment)
{
    Fixture f(256);
    f.all_usable();
    EXPECT_EQ(f.fa.alloc(), 0u);
    u32 a = f.fa.alloc_contiguous(4, 8);
    EXPECT_EQ(a, 8u); // 1-7 free, but not aligned
    u32 b = f.fa.alloc_contiguous(1, 16);
    EXPECT_EQ(b, 16u);
    u32 c = f.fa.alloc_contiguous(16, 16);
    EXPECT_EQ(c, 32u); // 16 is taken
    u32 d = f.fa.alloc_contiguous(3, 3);
    EXPECT_EQ(d, 3u);
    u32 e = f.fa.alloc_contiguous(1, 64);
    EXPECT_EQ(e, 64u);
    EXPECT_EQ(f.fa.alloc_contiguous(1, 256), NO_FRAME); // 0 is used, 256 past the end
    EXPECT_EQ(f.fa.free_frames(), 256u - 1 - 4 - 1 - 16 - 3 - 1);
}

TEST(FrameAllocator, ContiguousAlignmentWithAUsedFrameInsideTheWindow)
{
    Fixture f(128);
    f.all_usable();
    f.fa.reserve(F(33), F(34)); // spoils the window [32, 40)
    EXPECT_EQ(f.fa.alloc(), 0u);
    EXPECT_EQ(f.fa.alloc_contiguous(8, 32), 64u);
    EXPECT_EQ(f.fa.alloc_contiguous(8, 8), 8u);
    EXPECT_EQ(f.fa.alloc_contiguous(24, 8), 40u); // 16-31 is 16, 34-39 is unaligned
}

TEST(FrameAllocator, ContiguousFailureChangesNothing)
{
    Fixture f(64);
    f.usable({{F(0), F(10)}, {F(20), F(30)}});
    EXPECT_EQ(f.fa.alloc_contiguous(11), NO_FRAME);
    EXPECT_EQ(f.fa.alloc_contiguous(65), NO_FRAME);
    EXPECT_EQ(f.fa.alloc_contiguous(0xFFFFFFFF), NO_FRAME);
    EXPECT_EQ(f.fa.free_frames(), 20u);
    for (u32 i = 0; i < 64; i++) EXPECT_EQ(f.fa.is_used(i), !(i < 10 || (i >= 20 && i < 30))) << i;
    EXPECT_EQ(f.fa.alloc_contiguous(10), 0u);
    EXPECT_EQ(f.fa.alloc_contiguous(10), 20u);
}

TEST(FrameAllocator, ContiguousHugeAlignment)
{
    Fixture f(64);
    f.all_usable();
    // Frame 0 is aligned to anything.
    EXPECT_EQ(f.fa.alloc_contiguous(2, 0x80000000u), 0u);
    // Now 0 and 1 are used: rounding up to the next multiple of a huge
    // alignment lies past the end, and must not wrap around to frame 0.
    EXPECT_EQ(f.fa.alloc_contiguous(2, 0xFFFFFFFFu), NO_FRAME);
    EXPECT_EQ(f.fa.alloc_contiguous(1, 0xFFFFFFFFu), NO_FRAME);
    EXPECT_EQ(f.fa.alloc_contiguous(1, 0x80000000u), NO_FRAME);
    f.fa.reserve(F(3), F(4));
    f.fa.free(0); // hint back at 0; the window [0, 4) holds used frames 1 and 3
    EXPECT_EQ(f.fa.alloc_contiguous(4, 0xFFFFFFFFu), NO_FRAME);
    EXPECT_EQ(f.fa.alloc_contiguous(4, 0xFFFFFFF0u), NO_FRAME);
    EXPECT_EQ(f.fa.free_frames(), 62u - 1 + 1);
    EXPECT_EQ(f.fa.alloc_contiguous(4, 32), 32u);
}

TEST(FrameAllocator, ContiguousAfterFreeBelowTheHint)
{
    Fixture f(64);
    f.all_usable();
    for (u32 i = 0; i < 20; i++) f.fa.alloc();
    f.fa.free_range(2, 4);
    EXPECT_EQ(f.fa.alloc_contiguous(4), 2u);
    f.fa.free_range(4, 3);
    EXPECT_EQ(f.fa.alloc_contiguous(4), 20u); // 4-6 is only 3
    EXPECT_EQ(f.fa.alloc_contiguous(3), 4u);
}

// Random operations against a plain model: the allocator must agree with it on
// every frame, hand out only free frames, and fail only when the model
// confirms there is nothing to give.
TEST(FrameAllocator, AgreesWithAModel)
{
    const u32 n = 300; // not a multiple of 32
    Fixture f(n);
    std::vector<bool> used(n, true);
    f.usable({{F(1), F(90)}, {F(100), F(230)}, {F(240), F(n)}});
    for (u32 i = 0; i < n; i++) used[i] = !((i >= 1 && i < 90) || (i >= 100 && i < 230) || i >= 240);

    std::mt19937 rng(12345);
    auto count_free = [&] {
        u32 c = 0;
        for (bool u : used) c += !u;
        return c;
    };
    auto run_exists = [&](u32 count, u32 align) {
        for (u64 s = 0; s + count <= n; s += align) {
            bool ok = true;
            for (u32 i = 0; i < count && ok; i++) ok = !used[s + i];
            if (ok) return true;
        }
        return false;
    };
    for (int step = 0; step < 20000; step++) {
        u32 op = rng() % 10;
        if (op < 4) {
            u32 frame = f.fa.alloc();
            if (frame == NO_FRAME) {
                ASSERT_EQ(count_free(), 0u) << step;
            } else {
                ASSERT_LT(frame, n);
                ASSERT_FALSE(used[frame]) << step;
                for (u32 i = 0; i < frame; i++) ASSERT_TRUE(used[i]) << "not the lowest free frame, step " << step;
                used[frame] = true;
            }
        } else if (op < 6) {
            u32 count = 1 + rng() % 12;
            u32 align = 1u << (rng() % 5);
            u32 first = f.fa.alloc_contiguous(count, align);
            if (first == NO_FRAME) {
                ASSERT_FALSE(run_exists(count, align)) << step << " count " << count << " align " << align;
            } else {
                ASSERT_EQ(first % align, 0u);
                ASSERT_LE(first + count, n);
                for (u32 i = first; i < first + count; i++) {
                    ASSERT_FALSE(used[i]) << step;
                    used[i] = true;
                }
            }
        } else if (op < 9) {
            u32 frame = rng() % (n + 20);
            f.fa.free(frame);
            if (frame < n) used[frame] = false;
        } else {
            u32 first = rng() % n, count = rng() % 8;
            f.fa.free_range(first, count);
            for (u32 i = first; i < first + count && i < n; i++) used[i] = false;
        }
        ASSERT_EQ(f.fa.free_frames(), count_free()) << step;
    }
    for (u32 i = 0; i < n; i++) EXPECT_EQ(f.fa.is_used(i), used[i]) << i;
    EXPECT_TRUE(f.guard_intact());
}
