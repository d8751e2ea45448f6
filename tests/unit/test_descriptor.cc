// tests/unit/test_descriptor.cc: GDT/IDT descriptor encoding (kernel/arch/descriptor.h).
#include <gtest/gtest.h>

#include <random>

#include "arch/descriptor.h"

using namespace descriptor;

namespace {
u64 raw(const Descriptor& d) { return static_cast<u64>(d.high) << 32 | d.low; }
} // namespace

// The encoders are constexpr: a table can be built at compile time.
static_assert(segment(0, 0xFFFFFFFF, TYPE_CODE_RX, 0).low == 0x0000FFFF);
static_assert(segment(0, 0xFFFFFFFF, TYPE_CODE_RX, 0).high == 0x00CF9A00);

TEST(Descriptor, FlatSegmentsMatchKnownValues)
{
    // The values every i386 kernel's GDT has (Linux's __KERNEL_CS and so on).
    Descriptor code0 = segment(0, 0xFFFFFFFF, TYPE_CODE_RX, 0);
    EXPECT_EQ(code0.low, 0x0000FFFFu);
    EXPECT_EQ(code0.high, 0x00CF9A00u);
    EXPECT_EQ(raw(code0), 0x00CF9A000000FFFFull);
    EXPECT_EQ(raw(segment(0, 0xFFFFFFFF, TYPE_DATA_RW, 0)), 0x00CF92000000FFFFull);
    EXPECT_EQ(raw(segment(0, 0xFFFFFFFF, TYPE_CODE_RX, 1)), 0x00CFBA000000FFFFull);
    EXPECT_EQ(raw(segment(0, 0xFFFFFFFF, TYPE_DATA_RW, 1)), 0x00CFB2000000FFFFull);
    EXPECT_EQ(raw(segment(0, 0xFFFFFFFF, TYPE_CODE_RX, 3)), 0x00CFFA000000FFFFull);
    EXPECT_EQ(raw(segment(0, 0xFFFFFFFF, TYPE_DATA_RW, 3)), 0x00CFF2000000FFFFull);
    EXPECT_EQ(raw(segment(0, 0xFFFFFFFF, TYPE_CODE_RX | TYPE_ACCESSED, 0)), 0x00CF9B000000FFFFull);
    EXPECT_EQ(raw(segment(0, 0xFFFFFFFF, TYPE_DATA_RW | TYPE_ACCESSED, 3)), 0x00CFF3000000FFFFull);
}

TEST(Descriptor, ByteGranularSegmentWithBase)
{
    // Base 0x12345678, limit 0xFFFFF (the largest byte-granular limit).
    Descriptor d = segment(0x12345678, 0xFFFFF, TYPE_DATA_RW, 0);
    EXPECT_EQ(d.low, 0x5678FFFFu);
    EXPECT_EQ(d.high, 0x124F9234u); // G clear, D/B set
    EXPECT_FALSE(d.granular());
    EXPECT_EQ(d.base(), 0x12345678u);
    EXPECT_EQ(d.limit(), 0xFFFFFu);
    EXPECT_EQ(d.raw_limit(), 0xFFFFFu);
}

TEST(Descriptor, SmallSegment)
{
    Descriptor d = segment(0xB8000, 0xFFF, TYPE_DATA_RW, 3);
    EXPECT_EQ(d.low, 0x80000FFFu);
    EXPECT_EQ(d.high, 0x0040F20Bu);
    EXPECT_EQ(d.base(), 0xB8000u);
    EXPECT_EQ(d.limit(), 0xFFFu);
    EXPECT_EQ(d.dpl(), 3u);
    EXPECT_EQ(segment(0, 0, TYPE_DATA_RW, 0).limit(), 0u);
}

TEST(Descriptor, GranularityAboveOneMiB)
{
    // 0xFFFFF is the last byte-granular limit; one more switches to 4 KiB units.
    EXPECT_FALSE(segment(0, 0xFFFFF, TYPE_DATA_RW, 0).granular());
    Descriptor d = segment(0, 0x100FFF, TYPE_DATA_RW, 0);
    EXPECT_TRUE(d.granular());
    EXPECT_EQ(d.raw_limit(), 0x100u);
    EXPECT_EQ(d.limit(), 0x100FFFu);

    Descriptor g = segment(0x40000000, 0x3FFFFFFF, TYPE_CODE_RX, 1); // 1 GiB at 1 GiB
    EXPECT_TRUE(g.granular());
    EXPECT_EQ(g.raw_limit(), 0x3FFFFu);
    EXPECT_EQ(g.limit(), 0x3FFFFFFFu);
    EXPECT_EQ(g.base(), 0x40000000u);
    EXPECT_EQ(raw(g), 0x40C3BA000000FFFFull);

    // A limit that is not a whole number of pages is stored in pages: the
    // segment still reaches the byte asked for, and at most a page beyond it.
    for (u32 limit : {0x100000u, 0x123456u, 0xFFFFF000u, 0x7FFFFFFEu}) {
        Descriptor s = segment(0, limit, TYPE_DATA_RW, 0);
        EXPECT_TRUE(s.granular()) << std::hex << limit;
        EXPECT_GE(s.limit(), limit) << std::hex << limit;
        EXPECT_LT(s.limit() - limit, 0x1000u) << std::hex << limit;
        EXPECT_EQ(s.limit() & 0xFFF, 0xFFFu);
    }
}

TEST(Descriptor, SegmentFields)
{
    Descriptor d = segment(0xAABBCCDD, 0xFFFFFFFF, TYPE_CODE_RX, 2);
    EXPECT_EQ(d.type(), TYPE_CODE_RX);
    EXPECT_TRUE(d.is_code_or_data());
    EXPECT_EQ(d.dpl(), 2u);
    EXPECT_TRUE(d.present());
    EXPECT_EQ(d.base(), 0xAABBCCDDu);
    EXPECT_EQ(d.limit(), 0xFFFFFFFFu);
    EXPECT_TRUE(d.high & (1u << 22)) << "32-bit (D/B)";
    EXPECT_FALSE(d.high & (1u << 21)) << "not a 64-bit (L) segment";
    EXPECT_FALSE(d.high & (1u << 20)) << "AVL clear";
}

TEST(Descriptor, DplIsMaskedToTwoBits)
{
    Descriptor d = segment(0, 0xFFFFFFFF, TYPE_DATA_RW, 7);
    EXPECT_EQ(d.dpl(), 3u);
    EXPECT_EQ(d.type(), TYPE_DATA_RW); // no spill into the type
    EXPECT_TRUE(d.present());
    EXPECT_TRUE(d.is_code_or_data());
}

TEST(Descriptor, SegmentRoundTrips)
{
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; i++) {
        u32 base = rng();
        u32 limit = rng() % 2 ? rng() & 0xFFFFF : (rng() | 0xFFF); // byte-granular, or a page-granular limit
        u32 type = rng() & 0xF;
        u32 dpl = rng() & 3;
        Descriptor d = segment(base, limit, type, dpl);
        ASSERT_EQ(d.base(), base);
        ASSERT_EQ(d.limit(), limit) << std::hex << limit;
        ASSERT_EQ(d.granular(), limit > 0xFFFFF);
        ASSERT_EQ(d.type(), type);
        ASSERT_EQ(d.dpl(), dpl);
        ASSERT_TRUE(d.present());
        ASSERT_TRUE(d.is_code_or_data());
    }
}

TEST(Descriptor, TssDescriptor)
{
    Descriptor d = system(0x12345678, 0x67, TYPE_TSS32_AVAILABLE, 0);
    EXPECT_EQ(d.low, 0x56780067u);
    EXPECT_EQ(d.high, 0x12008934u);
    EXPECT_EQ(d.type(), TYPE_TSS32_AVAILABLE);
    EXPECT_FALSE(d.is_code_or_data());
    EXPECT_FALSE(d.granular());
    EXPECT_TRUE(d.present());
    EXPECT_EQ(d.dpl(), 0u);
    EXPECT_EQ(d.base(), 0x12345678u);
    EXPECT_EQ(d.limit(), 0x67u);

    // A busy TSS differs only in bit 1 of the type (bit 9 of high).
    Descriptor busy = system(0x12345678, 0x67, TYPE_TSS32_BUSY, 0);
    EXPECT_EQ(busy.high ^ d.high, 1u << 9);
    EXPECT_EQ(busy.low, d.low);
}

TEST(Descriptor, SystemRoundTrips)
{
    std::mt19937 rng(11);
    for (int i = 0; i < 20000; i++) {
        u32 base = rng(), limit = rng() & 0xFFFFF, type = rng() & 0xF, dpl = rng() & 3;
        Descriptor d = system(base, limit, type, dpl);
        ASSERT_EQ(d.base(), base);
        ASSERT_EQ(d.limit(), limit);
        ASSERT_EQ(d.raw_limit(), limit);
        ASSERT_FALSE(d.granular());
        ASSERT_EQ(d.type(), type);
        ASSERT_EQ(d.dpl(), dpl);
        ASSERT_TRUE(d.present());
        ASSERT_FALSE(d.is_code_or_data());
        ASSERT_EQ(d.high & 0x00F00000u, 0u) << "no G, D/B, L or AVL";
    }
}

TEST(Descriptor, InterruptGateKnownValue)
{
    Descriptor d = gate(0x50, 0x00101234, TYPE_INTERRUPT_GATE, 0);
    EXPECT_EQ(d.low, 0x00501234u);
    EXPECT_EQ(d.high, 0x00108E00u);
    EXPECT_EQ(gate_selector(d), 0x50u);
    EXPECT_EQ(gate_offset(d), 0x00101234u);
    EXPECT_EQ(d.type(), TYPE_INTERRUPT_GATE);
    EXPECT_FALSE(d.is_code_or_data());
    EXPECT_TRUE(d.present());
    EXPECT_EQ(d.dpl(), 0u);
}

TEST(Descriptor, TrapGateForUserMode)
{
    Descriptor d = gate(0x61, 0xC0DEF00D, TYPE_TRAP_GATE, 3);
    EXPECT_EQ(d.low, 0x0061F00Du);
    EXPECT_EQ(d.high, 0xC0DEEF00u);
    EXPECT_EQ(d.dpl(), 3u);
    EXPECT_EQ(d.type(), TYPE_TRAP_GATE);
    EXPECT_EQ(gate_selector(d), 0x61u);
    EXPECT_EQ(gate_offset(d), 0xC0DEF00Du);
}

TEST(Descriptor, NotPresentGate)
{
    Descriptor d = gate(0x50, 0x1000, TYPE_INTERRUPT_GATE, 0, false);
    EXPECT_FALSE(d.present());
    EXPECT_EQ(d.high, 0x00000E00u);
    EXPECT_EQ(gate_offset(d), 0x1000u);
    EXPECT_EQ(gate_selector(d), 0x50u);
}

TEST(Descriptor, TaskGate)
{
    Descriptor d = gate(0x80, 0, TYPE_TASK_GATE, 0);
    EXPECT_EQ(d.low, 0x00800000u);
    EXPECT_EQ(d.high, 0x00008500u);
}

TEST(Descriptor, GateRoundTrips)
{
    std::mt19937 rng(3);
    for (int i = 0; i < 20000; i++) {
        u16 sel = static_cast<u16>(rng());
        u32 offset = rng(), type = rng() & 0xF, dpl = rng() & 3;
        bool present = rng() & 1;
        Descriptor d = gate(sel, offset, type, dpl, present);
        ASSERT_EQ(gate_selector(d), sel);
        ASSERT_EQ(gate_offset(d), offset);
        ASSERT_EQ(d.type(), type);
        ASSERT_EQ(d.dpl(), dpl);
        ASSERT_EQ(d.present(), present);
        ASSERT_FALSE(d.is_code_or_data());
        ASSERT_EQ(d.high & 0xFFu, 0u) << "reserved bits clear";
    }
}

TEST(Descriptor, SetDplChangesOnlyTheDpl)
{
    Descriptor d = segment(0x12345678, 0xFFFFFFFF, TYPE_CODE_RX, 0);
    Descriptor before = d;
    for (u32 dpl : {3u, 1u, 2u, 0u}) {
        d.set_dpl(dpl);
        EXPECT_EQ(d.dpl(), dpl);
        EXPECT_EQ(d.low, before.low);
        EXPECT_EQ(d.high & ~(3u << 13), before.high & ~(3u << 13));
    }
    EXPECT_EQ(d, before);
    d.set_dpl(6); // masked: 2
    EXPECT_EQ(d.dpl(), 2u);
    EXPECT_EQ(d.high & ~(3u << 13), before.high & ~(3u << 13));

    Descriptor g = gate(0x50, 0xDEADBEEF, TYPE_INTERRUPT_GATE, 0);
    g.set_dpl(3);
    EXPECT_EQ(g, gate(0x50, 0xDEADBEEF, TYPE_INTERRUPT_GATE, 3));
}

TEST(Descriptor, SetPresent)
{
    Descriptor d = segment(0x1000, 0xFFFF, TYPE_DATA_RW, 1);
    Descriptor before = d;
    d.set_present(false);
    EXPECT_FALSE(d.present());
    EXPECT_EQ(d.high, before.high & ~(1u << 15));
    EXPECT_EQ(d.low, before.low);
    EXPECT_EQ(d.dpl(), 1u);
    EXPECT_EQ(d.base(), 0x1000u);
    d.set_present(false); // idempotent
    EXPECT_FALSE(d.present());
    d.set_present(true);
    EXPECT_TRUE(d.present());
    EXPECT_EQ(d, before);

    Descriptor g = gate(0x50, 0x1234, TYPE_TRAP_GATE, 0, false);
    g.set_present(true);
    EXPECT_EQ(g, gate(0x50, 0x1234, TYPE_TRAP_GATE, 0, true));
}

TEST(Descriptor, NullDescriptor)
{
    Descriptor d;
    EXPECT_EQ(raw(d), 0u);
    EXPECT_FALSE(d.present());
    EXPECT_EQ(d.base(), 0u);
    EXPECT_EQ(d.limit(), 0u);
    EXPECT_FALSE(d == segment(0, 0, 0, 0));
}

TEST(Descriptor, DecodesRawValues)
{
    // Decoding does not depend on the encoders: a raw Linux-style TLS entry.
    Descriptor d;
    d.low = 0xABCD0FFF; // base 15:0 = 0xABCD, limit 15:0 = 0x0FFF
    d.high = 0xEFD0F312; // base 31:24 = 0xEF, G, D/B, AVL, limit 19:16 = 0, P, DPL 3, S, type 3, base 23:16 = 0x12
    EXPECT_EQ(d.base(), 0xEF12ABCDu);
    EXPECT_EQ(d.raw_limit(), 0x00FFFu);
    EXPECT_TRUE(d.granular());
    EXPECT_EQ(d.limit(), 0x00FFFFFFu);
    EXPECT_EQ(d.type(), 3u);
    EXPECT_EQ(d.dpl(), 3u);
    EXPECT_TRUE(d.present());
    EXPECT_TRUE(d.is_code_or_data());
}
