// tests/unit/test_guest_memory.cc: guest-physical ranges (kernel/vmm/guest_memory.h).
#include <gtest/gtest.h>

#include "vmm/guest_memory.h"

namespace {
constexpr u32 MiB = 1u << 20;
constexpr u32 SIZE = 16 * MiB;
} // namespace

// A constexpr function: usable in static checks.
static_assert(gpa_range_ok(0, 1, 1));
static_assert(!gpa_range_ok(1, 0, 1));

TEST(GuestMemory, RangesInside)
{
    EXPECT_TRUE(gpa_range_ok(0, 0, SIZE));
    EXPECT_TRUE(gpa_range_ok(0, 1, SIZE));
    EXPECT_TRUE(gpa_range_ok(0, SIZE, SIZE)); // all of it
    EXPECT_TRUE(gpa_range_ok(0x1000, 0x1000, SIZE));
    EXPECT_TRUE(gpa_range_ok(SIZE - 1, 1, SIZE)); // the last byte
    EXPECT_TRUE(gpa_range_ok(SIZE - 4096, 4096, SIZE));
    EXPECT_TRUE(gpa_range_ok(SIZE - 1, 0, SIZE)); // empty, at the last byte
}

TEST(GuestMemory, RangesOutside)
{
    EXPECT_FALSE(gpa_range_ok(SIZE - 1, 2, SIZE)); // one byte past the end
    EXPECT_FALSE(gpa_range_ok(SIZE - 4096, 4097, SIZE));
    EXPECT_FALSE(gpa_range_ok(0, SIZE + 1, SIZE)); // longer than memory
    EXPECT_FALSE(gpa_range_ok(1, SIZE, SIZE));
    EXPECT_FALSE(gpa_range_ok(0, 0xFFFFFFFF, SIZE));
    EXPECT_FALSE(gpa_range_ok(SIZE, 1, SIZE)); // starts at the end
    EXPECT_FALSE(gpa_range_ok(SIZE + 4096, 4, SIZE));
    EXPECT_FALSE(gpa_range_ok(0xFFFFFFFF, 1, SIZE));
}

TEST(GuestMemory, EmptyRangeMustStartInside)
{
    EXPECT_FALSE(gpa_range_ok(SIZE, 0, SIZE)); // length 0 at the end
    EXPECT_FALSE(gpa_range_ok(SIZE + 1, 0, SIZE));
    EXPECT_FALSE(gpa_range_ok(0xFFFFFFFF, 0, SIZE));
    EXPECT_FALSE(gpa_range_ok(0, 0, 0)); // no memory at all
}

TEST(GuestMemory, NoWrapAround)
{
    // gpa + length wraps to a small number that a naive `gpa + length <= size` would accept.
    EXPECT_FALSE(gpa_range_ok(0xFFFFFFFF, 2, SIZE));
    EXPECT_FALSE(gpa_range_ok(0xFFFFF000, 0x2000, SIZE));
    EXPECT_FALSE(gpa_range_ok(0x1000, 0xFFFFF000, SIZE)); // 0x1000 + 0xFFFFF000 == 0
    EXPECT_FALSE(gpa_range_ok(0x1000, 0xFFFFF001, SIZE)); // == 1
    EXPECT_FALSE(gpa_range_ok(SIZE - 1, 0xFFFFFFFF, SIZE));
    // Even with the largest possible memory.
    EXPECT_TRUE(gpa_range_ok(0xFFFFFFFE, 1, 0xFFFFFFFF));
    EXPECT_FALSE(gpa_range_ok(0xFFFFFFFE, 2, 0xFFFFFFFF));
    EXPECT_FALSE(gpa_range_ok(0xFFFFFFFF, 2, 0xFFFFFFFF));
    EXPECT_TRUE(gpa_range_ok(0, 0xFFFFFFFF, 0xFFFFFFFF));
}
