// tests/unit/test_descriptor_rules.cc: what a guest may put in its GDT and
// IDT, and which selectors the switcher may load for it
// (kernel/vmm/descriptor_rules.h; guest ABI, sections 5 and 6).
#include <gtest/gtest.h>

#include "arch/selectors.h"
#include "vmm/descriptor_rules.h"

using namespace descriptor;

namespace {

constexpr u32 FLAT = 0xFFFFFFFF;
constexpr u32 TYPE_DATA_RO = 0x0, TYPE_CODE_X = 0x8, TYPE_CODE_CONFORMING_X = 0xC, TYPE_CODE_CONFORMING_RX = 0xE,
              TYPE_DATA_RW_DOWN = 0x6, TYPE_LDT = 0x2, TYPE_CALL_GATE = 0xC, TYPE_INTERRUPT_GATE16 = 0x6,
              TYPE_TRAP_GATE16 = 0x7, TYPE_TSS16 = 0x1;

constexpr u32 sel(u32 index, u32 rpl) { return index * 8 + rpl; }

// Entries the tests use, besides the boot layout.
enum : u32 {
    DATA_RO_1 = 1,       // read-only data, DPL 1
    CODE_X_1 = 2,        // execute-only code, DPL 1
    CODE_RX_1 = 3,       // readable code, DPL 1
    CONF_RX_1 = 4,       // conforming readable code, DPL 1
    CONF_X_3 = 5,        // conforming execute-only code, DPL 3
    NOT_PRESENT_DATA = 6,
    NOT_PRESENT_CODE = 7,
    LDT_ENTRY = 8,
    SMALL_CODE_1 = 9,    // byte-granular code, limit 0xFFFFF, DPL 1
    CALL_GATE = 17,
    DATA_RW_1_DOWN = 18, // expand-down writable data, DPL 1
    DATA_RW_2 = 19,
    CODE_RX_2 = 20,
    DATA_RW_0 = 21,
    CODE_RX_0 = 22,
    CONF_RX_0 = 23,
    EMPTY = 24,          // all zero
};

struct Gdt {
    Descriptor e[GDT_ENTRIES] = {};

    Gdt()
    {
        e[GDT_HOST_CODE] = segment(0, FLAT, TYPE_CODE_RX, 0);
        e[GDT_HOST_DATA] = segment(0, FLAT, TYPE_DATA_RW, 0);
        e[GDT_KERNEL_CODE] = segment(0, FLAT, TYPE_CODE_RX, 1);
        e[GDT_KERNEL_DATA] = segment(0, FLAT, TYPE_DATA_RW, 1);
        e[GDT_USER_CODE] = segment(0, FLAT, TYPE_CODE_RX, 3);
        e[GDT_USER_DATA] = segment(0, FLAT, TYPE_DATA_RW, 3);
        e[GDT_TSS] = system(0x1000, 0x67, TYPE_TSS32_BUSY, 0);
        e[DATA_RO_1] = segment(0, FLAT, TYPE_DATA_RO, 1);
        e[CODE_X_1] = segment(0, FLAT, TYPE_CODE_X, 1);
        e[CODE_RX_1] = segment(0, FLAT, TYPE_CODE_RX, 1);
        e[CONF_RX_1] = segment(0, FLAT, TYPE_CODE_CONFORMING_RX, 1);
        e[CONF_X_3] = segment(0, FLAT, TYPE_CODE_CONFORMING_X, 3);
        e[NOT_PRESENT_DATA] = segment(0, FLAT, TYPE_DATA_RW, 1);
        e[NOT_PRESENT_DATA].set_present(false);
        e[NOT_PRESENT_CODE] = segment(0, FLAT, TYPE_CODE_RX, 1);
        e[NOT_PRESENT_CODE].set_present(false);
        e[LDT_ENTRY] = system(0x2000, 0xFF, TYPE_LDT, 1);
        e[SMALL_CODE_1] = segment(0, 0xFFFFF, TYPE_CODE_RX, 1);
        e[CALL_GATE] = gate(SEL_GUEST_CODE, 0x1000, TYPE_CALL_GATE, 3);
        e[DATA_RW_1_DOWN] = segment(0, 0xFFF, TYPE_DATA_RW_DOWN, 1);
        e[DATA_RW_2] = segment(0, FLAT, TYPE_DATA_RW, 2);
        e[CODE_RX_2] = segment(0, FLAT, TYPE_CODE_RX, 2);
        e[DATA_RW_0] = segment(0, FLAT, TYPE_DATA_RW, 0);
        e[CODE_RX_0] = segment(0, FLAT, TYPE_CODE_RX, 0);
        e[CONF_RX_0] = segment(0, FLAT, TYPE_CODE_CONFORMING_RX, 0);
        // Entries 25-30 are segments too, so an index of 32 or more would find one if it wrapped.
        for (u32 i = 25; i < 31; i++) e[i] = segment(0, FLAT, TYPE_DATA_RW, 1);
    }
    const Descriptor* table() const { return e; }
};

Descriptor raw(u32 low, u32 high) { return Descriptor{low, high}; }

} // namespace

// ---- sanitize_gate ----------------------------------------------------------

TEST(DescriptorRules, NotPresentGateIsCleared)
{
    Descriptor out{0x1234, 0x5678};
    EXPECT_TRUE(rules::sanitize_gate(0, 0, out));
    EXPECT_EQ(out, Descriptor{});
    // Whatever else it says: a not-present task gate, code segment, garbage.
    for (Descriptor d : {gate(0x10, 0xC0001000, TYPE_INTERRUPT_GATE, 3, false),
                         gate(0x10, 0xC0001000, TYPE_TASK_GATE, 0, false), raw(0xFFFFFFFF, 0xFFFF7FFF)}) {
        out = Descriptor{1, 1};
        EXPECT_TRUE(rules::sanitize_gate(d.low, d.high, out));
        EXPECT_EQ(out, Descriptor{});
    }
    Descriptor code = segment(0, FLAT, TYPE_CODE_RX, 1);
    code.set_present(false);
    EXPECT_TRUE(rules::sanitize_gate(code.low, code.high, out));
    EXPECT_EQ(out, Descriptor{});
}

TEST(DescriptorRules, PresentInterruptAndTrapGatesAreKeptWithTheGuestSelector)
{
    for (u32 type : {TYPE_INTERRUPT_GATE, TYPE_TRAP_GATE})
        for (u32 dpl = 0; dpl < 4; dpl++)
            for (u16 selector : {u16{0x10}, u16{SEL_HOST_CODE}, u16{SEL_GUEST_CODE}, u16{0x73}, u16{0xFFFF}, u16{0}}) {
                Descriptor in = gate(selector, 0xC0123456, type, dpl);
                Descriptor out;
                ASSERT_TRUE(rules::sanitize_gate(in.low, in.high, out)) << type << " " << dpl;
                EXPECT_EQ(gate_selector(out), SEL_GUEST_CODE);
                EXPECT_EQ(gate_selector(out), 0x61);
                EXPECT_EQ(gate_offset(out), 0xC0123456u);
                EXPECT_EQ(out.type(), type);
                EXPECT_EQ(out.dpl(), dpl);
                EXPECT_TRUE(out.present());
                EXPECT_FALSE(out.is_code_or_data());
                EXPECT_EQ(out, gate(SEL_GUEST_CODE, 0xC0123456, type, dpl));
            }
    // Reserved bits of the high word (bits 0-7) are not carried over.
    Descriptor in = gate(0x10, 0x00401000, TYPE_TRAP_GATE, 3);
    Descriptor out;
    ASSERT_TRUE(rules::sanitize_gate(in.low, in.high | 0xFF, out));
    EXPECT_EQ(out, gate(SEL_GUEST_CODE, 0x00401000, TYPE_TRAP_GATE, 3));
}

TEST(DescriptorRules, OtherPresentGatesAreRefused)
{
    Descriptor out;
    for (u32 type : {TYPE_TASK_GATE, TYPE_INTERRUPT_GATE16, TYPE_TRAP_GATE16, TYPE_CALL_GATE, TYPE_TSS32_AVAILABLE,
                     TYPE_TSS32_BUSY, TYPE_LDT, TYPE_TSS16, 0x0u, 0x8u, 0xAu, 0xDu}) {
        Descriptor d = gate(0x61, 0x1000, type, 1);
        EXPECT_FALSE(rules::sanitize_gate(d.low, d.high, out)) << "type " << type;
    }
    // Code and data segments, even with the type bits of an interrupt or trap gate
    // (0xE is conforming readable code, 0xF the same, accessed).
    for (u32 type : {0xEu, 0xFu, TYPE_CODE_RX, TYPE_DATA_RW, 0x0u}) {
        Descriptor d = segment(0, FLAT, type, 1);
        EXPECT_FALSE(rules::sanitize_gate(d.low, d.high, out)) << "segment type " << type;
    }
}

// ---- sanitize_segment -------------------------------------------------------

TEST(DescriptorRules, SystemDescriptorsAreStoredNotPresent)
{
    Descriptor samples[] = {
        system(0x1000, 0x67, TYPE_TSS32_AVAILABLE, 0), system(0x1000, 0x67, TYPE_TSS32_BUSY, 3),
        system(0x2000, 0xFFF, TYPE_LDT, 1),            system(0x3000, 0x2B, TYPE_TSS16, 0),
        gate(0x61, 0x1234, TYPE_CALL_GATE, 3),         gate(0x61, 0x1234, TYPE_TASK_GATE, 3),
        gate(0x61, 0x1234, TYPE_INTERRUPT_GATE, 0),    gate(0x61, 0x1234, TYPE_TRAP_GATE, 3),
        gate(0x61, 0x1234, TYPE_INTERRUPT_GATE16, 3),  gate(0x61, 0x1234, TYPE_TRAP_GATE16, 3),
    };
    for (const Descriptor& d : samples) {
        Descriptor out = rules::sanitize_segment(d.low, d.high);
        EXPECT_FALSE(out.present()) << std::hex << d.high;
        Descriptor expected = d;
        expected.set_present(false);
        EXPECT_EQ(out, expected) << std::hex << d.high; // nothing else changes: not DPL, not the type
    }
    // Every system type, present or not.
    for (u32 type = 0; type < 16; type++) {
        Descriptor d = system(0x12345678, 0xABCDE, type, 0);
        Descriptor out = rules::sanitize_segment(d.low, d.high);
        EXPECT_FALSE(out.present()) << type;
        EXPECT_EQ(out.high, d.high & ~(1u << 15)) << type;
        EXPECT_EQ(out.low, d.low) << type;
    }
    // The null descriptor stays null.
    EXPECT_EQ(rules::sanitize_segment(0, 0), Descriptor{});
}

TEST(DescriptorRules, SegmentDplZeroBecomesOne)
{
    for (u32 type : {TYPE_CODE_RX, TYPE_DATA_RW, TYPE_CODE_CONFORMING_RX, TYPE_DATA_RO}) {
        Descriptor out = rules::sanitize_segment(segment(0, FLAT, type, 0).low, segment(0, FLAT, type, 0).high);
        EXPECT_EQ(out.dpl(), 1u) << type;
        for (u32 dpl = 1; dpl < 4; dpl++) {
            Descriptor d = segment(0, FLAT, type, dpl);
            EXPECT_EQ(rules::sanitize_segment(d.low, d.high).dpl(), dpl) << type;
        }
    }
}

TEST(DescriptorRules, SegmentAccessedBitIsSet)
{
    Descriptor d = segment(0, FLAT, TYPE_DATA_RW, 3);
    Descriptor out = rules::sanitize_segment(d.low, d.high);
    EXPECT_EQ(out.type(), TYPE_DATA_RW | TYPE_ACCESSED);
    Descriptor already = segment(0, FLAT, TYPE_CODE_RX | TYPE_ACCESSED, 1);
    EXPECT_EQ(rules::sanitize_segment(already.low, already.high), already);
}

TEST(DescriptorRules, SegmentEverythingElseUnchanged)
{
    // The Linux kernel's and user's flat segments, TLS-like segments with a
    // base, byte-granular and 4K-granular limits, not-present segments.
    Descriptor samples[] = {
        segment(0, FLAT, TYPE_CODE_RX, 1),        segment(0, FLAT, TYPE_DATA_RW, 3),
        segment(0xB7E016C0, FLAT, TYPE_DATA_RW, 3), segment(0x12345678, 0xFFFFF, TYPE_DATA_RO, 2),
        segment(0xC0000000, 0x3FFF, TYPE_CODE_CONFORMING_RX, 3), segment(0, 0, TYPE_DATA_RW_DOWN, 1),
        raw(0xFFFFFFFF, 0xFFFFF3FF), // every bit set but DPL 3's accessed data: G, D/B, L, AVL, limit, base
    };
    for (Descriptor d : samples) {
        for (bool present : {true, false}) {
            d.set_present(present);
            Descriptor out = rules::sanitize_segment(d.low, d.high);
            Descriptor expected = d;
            expected.high |= TYPE_ACCESSED << 8;
            EXPECT_EQ(out, expected) << std::hex << d.high << " " << d.low;
            EXPECT_EQ(out.base(), d.base());
            EXPECT_EQ(out.limit(), d.limit());
            EXPECT_EQ(out.present(), present);
        }
    }
    // DPL 0 -> 1 and the accessed bit, and nothing else, together.
    Descriptor d = segment(0x00ABCDEF, 0x12345, TYPE_DATA_RW, 0);
    Descriptor expected = segment(0x00ABCDEF, 0x12345, TYPE_DATA_RW | TYPE_ACCESSED, 1);
    EXPECT_EQ(rules::sanitize_segment(d.low, d.high), expected);
}

// ---- host_entry, host_vector ------------------------------------------------

TEST(DescriptorRules, HostEntries)
{
    for (u32 i = 0; i < 40; i++) {
        bool expected = i == 10 || i == 11 || i == 16 || i == 31;
        EXPECT_EQ(rules::host_entry(i), expected) << i;
    }
    EXPECT_TRUE(rules::host_entry(GDT_HOST_CODE));
    EXPECT_TRUE(rules::host_entry(GDT_HOST_DATA));
    EXPECT_TRUE(rules::host_entry(GDT_TSS));
    EXPECT_TRUE(rules::host_entry(GDT_HOST_RESERVED));
    EXPECT_FALSE(rules::host_entry(GDT_KERNEL_CODE));
    EXPECT_FALSE(rules::host_entry(GDT_TLS_FIRST));
}

TEST(DescriptorRules, HostVectors)
{
    for (u32 v = 0; v < 300; v++) {
        bool expected = v == 2 || v == 8 || v == 15 || v == 0x1F;
        EXPECT_EQ(rules::host_vector(v), expected) << v;
    }
    EXPECT_TRUE(rules::host_vector(HYPERCALL_VECTOR));
}

// ---- is_direct_trap ---------------------------------------------------------

TEST(DescriptorRules, DirectTrapsBelow32)
{
    Descriptor trap = gate(SEL_GUEST_CODE, 0x1000, TYPE_TRAP_GATE, 1);
    for (u32 v = 0; v < 32; v++) {
        bool expected = v != 2 && v != 7 && v != 8 && v != 13 && v != 14 && v != 15;
        EXPECT_EQ(rules::is_direct_trap(v, trap, 0x80), expected) << v;
    }
    // Whatever the gate's DPL.
    EXPECT_TRUE(rules::is_direct_trap(3, gate(SEL_GUEST_CODE, 0x1000, TYPE_TRAP_GATE, 3), 0x80));
    EXPECT_TRUE(rules::is_direct_trap(0, gate(SEL_GUEST_CODE, 0x1000, TYPE_TRAP_GATE, 0), 0x80));
}

TEST(DescriptorRules, DirectTrapForTheSyscallVector)
{
    Descriptor trap = gate(SEL_GUEST_CODE, 0xC0001000, TYPE_TRAP_GATE, 3);
    EXPECT_TRUE(rules::is_direct_trap(0x80, trap, 0x80));
    EXPECT_FALSE(rules::is_direct_trap(0x81, trap, 0x80));
    EXPECT_TRUE(rules::is_direct_trap(0x81, trap, 0x81));
    EXPECT_FALSE(rules::is_direct_trap(0x80, trap, 0x81));
    EXPECT_TRUE(rules::is_direct_trap(0x99, trap, 0x99));
    // No other vector from 32 up.
    for (u32 v = 32; v < 256; v++) EXPECT_EQ(rules::is_direct_trap(v, trap, 0x80), v == 0x80) << v;
}

TEST(DescriptorRules, InterruptGatesAndMissingGatesAreNeverDirect)
{
    Descriptor interrupt = gate(SEL_GUEST_CODE, 0x1000, TYPE_INTERRUPT_GATE, 3);
    Descriptor absent = gate(SEL_GUEST_CODE, 0x1000, TYPE_TRAP_GATE, 3, false);
    for (u32 v = 0; v < 256; v++) {
        EXPECT_FALSE(rules::is_direct_trap(v, interrupt, 0x80)) << v;
        EXPECT_FALSE(rules::is_direct_trap(v, interrupt, v)) << v;
        EXPECT_FALSE(rules::is_direct_trap(v, absent, 0x80)) << v;
        EXPECT_FALSE(rules::is_direct_trap(v, absent, v)) << v;
        EXPECT_FALSE(rules::is_direct_trap(v, Descriptor{}, v)) << v;
    }
}

TEST(DescriptorRules, SyscallVectorCannotMakeHostVectorsDirect)
{
    // The guest chooses syscall_vec.  Naming a vector the host must see
    // (#NM for lazy FPU, #GP, #PF for shadow paging) or one of the host's
    // hardware interrupt vectors (the PIC's 32-47, the APIC timer's 0x30,
    // the spurious 0xFF) must not hand that vector to the guest.
    Descriptor trap = gate(SEL_GUEST_CODE, 0x1000, TYPE_TRAP_GATE, 3);
    for (u32 v : {2u, 7u, 8u, 13u, 14u, 15u}) EXPECT_FALSE(rules::is_direct_trap(v, trap, v)) << v;
    for (u32 v = 32; v < 48; v++) EXPECT_FALSE(rules::is_direct_trap(v, trap, v)) << v;
    EXPECT_FALSE(rules::is_direct_trap(0x30, trap, 0x30));
    EXPECT_FALSE(rules::is_direct_trap(0xFF, trap, 0xFF));
    // A syscall vector below 32 changes nothing for the allowed ones.
    EXPECT_TRUE(rules::is_direct_trap(3, trap, 3));
    EXPECT_TRUE(rules::is_direct_trap(3, trap, 14));
}

// ---- loadable_data ----------------------------------------------------------

TEST(DescriptorRules, LoadableDataNullSelectors)
{
    Gdt g;
    for (u32 s : {0u, 1u, 2u, 3u}) EXPECT_TRUE(rules::loadable_data(g.table(), s)) << s;
    // A null selector in the LDT is not null.
    EXPECT_FALSE(rules::loadable_data(g.table(), 4));
    EXPECT_FALSE(rules::loadable_data(g.table(), 7));
}

TEST(DescriptorRules, LoadableDataGoodSegments)
{
    Gdt g;
    EXPECT_TRUE(rules::loadable_data(g.table(), SEL_GUEST_DATA));
    EXPECT_TRUE(rules::loadable_data(g.table(), SEL_USER_DATA));
    EXPECT_TRUE(rules::loadable_data(g.table(), sel(GDT_USER_DATA, 1))); // RPL below DPL is fine
    EXPECT_TRUE(rules::loadable_data(g.table(), sel(DATA_RO_1, 1)));     // read-only data is fine
    EXPECT_TRUE(rules::loadable_data(g.table(), sel(DATA_RW_1_DOWN, 1)));
    EXPECT_TRUE(rules::loadable_data(g.table(), sel(CODE_RX_1, 1)));     // readable code
    EXPECT_TRUE(rules::loadable_data(g.table(), sel(GDT_USER_CODE, 3)));
    EXPECT_TRUE(rules::loadable_data(g.table(), sel(CONF_RX_1, 1)));
    EXPECT_TRUE(rules::loadable_data(g.table(), sel(CONF_RX_1, 3))); // conforming: no privilege check
    EXPECT_TRUE(rules::loadable_data(g.table(), sel(DATA_RW_2, 2)));
}

TEST(DescriptorRules, LoadableDataRefusals)
{
    Gdt g;
    const Descriptor* t = g.table();
    EXPECT_FALSE(rules::loadable_data(t, SEL_GUEST_DATA | 4)); // LDT bit
    EXPECT_FALSE(rules::loadable_data(t, SEL_USER_DATA | 4));
    EXPECT_FALSE(rules::loadable_data(t, sel(32, 1)));         // past the 32 entries
    EXPECT_FALSE(rules::loadable_data(t, sel(33, 3)));
    EXPECT_FALSE(rules::loadable_data(t, 0xFFFF));
    EXPECT_FALSE(rules::loadable_data(t, sel(NOT_PRESENT_DATA, 1)));
    EXPECT_FALSE(rules::loadable_data(t, sel(NOT_PRESENT_CODE, 1)));
    EXPECT_FALSE(rules::loadable_data(t, SEL_TSS));                // system descriptors
    EXPECT_FALSE(rules::loadable_data(t, sel(LDT_ENTRY, 1)));
    EXPECT_FALSE(rules::loadable_data(t, sel(CALL_GATE, 3)));
    EXPECT_FALSE(rules::loadable_data(t, sel(EMPTY, 1)));
    EXPECT_FALSE(rules::loadable_data(t, sel(CODE_X_1, 1)));  // execute-only code
    EXPECT_FALSE(rules::loadable_data(t, sel(CONF_X_3, 3)));
}

TEST(DescriptorRules, LoadableDataRplAboveDplIsRefused)
{
    // The switcher pops DS, ES, FS and GS in ring 0, where the CPU still
    // requires RPL <= DPL for data and non-conforming code segments: a
    // guest could otherwise load 0x7B, make entry 15 DPL 1 with
    // LOAD_GDT_ENTRY and have the host fault on its way into the guest.
    Gdt g;
    const Descriptor* t = g.table();
    EXPECT_FALSE(rules::loadable_data(t, sel(GDT_KERNEL_DATA, 3)));
    EXPECT_FALSE(rules::loadable_data(t, sel(GDT_KERNEL_DATA, 2)));
    EXPECT_FALSE(rules::loadable_data(t, sel(DATA_RW_2, 3)));
    EXPECT_FALSE(rules::loadable_data(t, sel(CODE_RX_1, 3)));
    EXPECT_FALSE(rules::loadable_data(t, sel(DATA_RW_0, 1)));
    EXPECT_TRUE(rules::loadable_data(t, sel(CONF_RX_0, 3))); // conforming code is exempt
}

// ---- usable_code ------------------------------------------------------------

TEST(DescriptorRules, UsableCodeGood)
{
    Gdt g;
    const Descriptor* t = g.table();
    EXPECT_TRUE(rules::usable_code(t, SEL_GUEST_CODE, 0));
    EXPECT_TRUE(rules::usable_code(t, SEL_GUEST_CODE, 0xFFFFFFFF));
    EXPECT_TRUE(rules::usable_code(t, SEL_USER_CODE, 0x08048000));
    EXPECT_TRUE(rules::usable_code(t, sel(CODE_X_1, 1), 0x1000)); // execute-only is fine for CS
    EXPECT_TRUE(rules::usable_code(t, sel(CONF_RX_1, 1), 0x1000));
    EXPECT_TRUE(rules::usable_code(t, sel(CONF_RX_1, 3), 0x1000)); // conforming: DPL <= RPL
    EXPECT_TRUE(rules::usable_code(t, sel(CONF_X_3, 3), 0x1000));
    EXPECT_TRUE(rules::usable_code(t, sel(CODE_RX_2, 2), 0x1000)); // a guest kernel's ring 2
    EXPECT_TRUE(rules::usable_code(t, sel(CONF_RX_1, 2), 0x1000));
    EXPECT_FALSE(rules::usable_code(t, sel(CODE_RX_2, 1), 0x1000)); // DPL 2 code for ring 1
}

TEST(DescriptorRules, UsableCodeRefusesRing0)
{
    Gdt g;
    const Descriptor* t = g.table();
    EXPECT_FALSE(rules::usable_code(t, SEL_HOST_CODE, 0x1000));          // ring 0, DPL 0
    EXPECT_FALSE(rules::usable_code(t, sel(GDT_KERNEL_CODE, 0), 0x1000)); // RPL 0
    EXPECT_FALSE(rules::usable_code(t, sel(CODE_RX_0, 0), 0x1000));
    EXPECT_FALSE(rules::usable_code(t, sel(CONF_RX_0, 0), 0x1000));
    EXPECT_FALSE(rules::usable_code(t, sel(CODE_RX_0, 1), 0x1000)); // DPL 0 code for ring 1
}

TEST(DescriptorRules, UsableCodeRefusals)
{
    Gdt g;
    const Descriptor* t = g.table();
    EXPECT_FALSE(rules::usable_code(t, 1, 0));                    // null (index 0)
    EXPECT_FALSE(rules::usable_code(t, 3, 0));
    EXPECT_FALSE(rules::usable_code(t, SEL_GUEST_CODE | 4, 0));   // LDT
    EXPECT_FALSE(rules::usable_code(t, sel(32, 1), 0));
    EXPECT_FALSE(rules::usable_code(t, sel(40, 3), 0));
    EXPECT_FALSE(rules::usable_code(t, sel(NOT_PRESENT_CODE, 1), 0));
    EXPECT_FALSE(rules::usable_code(t, SEL_GUEST_DATA, 0));       // data
    EXPECT_FALSE(rules::usable_code(t, SEL_USER_DATA, 0));
    EXPECT_FALSE(rules::usable_code(t, sel(GDT_TSS, 1), 0));      // system
    EXPECT_FALSE(rules::usable_code(t, sel(CALL_GATE, 3), 0));
    EXPECT_FALSE(rules::usable_code(t, sel(LDT_ENTRY, 1), 0));
    EXPECT_FALSE(rules::usable_code(t, sel(EMPTY, 1), 0));
    // Non-conforming: DPL must equal RPL.
    EXPECT_FALSE(rules::usable_code(t, sel(GDT_KERNEL_CODE, 3), 0));
    EXPECT_FALSE(rules::usable_code(t, sel(GDT_USER_CODE, 1), 0));
    // Conforming: DPL above RPL is refused.
    EXPECT_FALSE(rules::usable_code(t, sel(CONF_X_3, 1), 0));
}

TEST(DescriptorRules, UsableCodeEipWithinTheLimit)
{
    Gdt g;
    const Descriptor* t = g.table();
    EXPECT_TRUE(rules::usable_code(t, sel(SMALL_CODE_1, 1), 0));
    EXPECT_TRUE(rules::usable_code(t, sel(SMALL_CODE_1, 1), 0xFFFFF));
    EXPECT_FALSE(rules::usable_code(t, sel(SMALL_CODE_1, 1), 0x100000));
    EXPECT_FALSE(rules::usable_code(t, sel(SMALL_CODE_1, 1), 0xFFFFFFFF));
    Descriptor page_code[GDT_ENTRIES] = {};
    page_code[12] = segment(0, 0x00400FFF, TYPE_CODE_RX, 1); // 4K granular
    EXPECT_TRUE(rules::usable_code(page_code, SEL_GUEST_CODE, 0x00400FFF));
    EXPECT_FALSE(rules::usable_code(page_code, SEL_GUEST_CODE, 0x00401000));
}

// ---- usable_stack -----------------------------------------------------------

TEST(DescriptorRules, UsableStackGood)
{
    Gdt g;
    const Descriptor* t = g.table();
    EXPECT_TRUE(rules::usable_stack(t, SEL_GUEST_DATA, 1));
    EXPECT_TRUE(rules::usable_stack(t, SEL_USER_DATA, 3));
    EXPECT_TRUE(rules::usable_stack(t, sel(DATA_RW_1_DOWN, 1), 1)); // expand-down is a fine stack
    EXPECT_TRUE(rules::usable_stack(t, sel(25, 1), 1));
}

TEST(DescriptorRules, UsableStackRefusals)
{
    Gdt g;
    const Descriptor* t = g.table();
    // RPL must be the ring, and so must DPL.
    EXPECT_FALSE(rules::usable_stack(t, SEL_GUEST_DATA, 3));
    EXPECT_FALSE(rules::usable_stack(t, SEL_USER_DATA, 1));
    EXPECT_FALSE(rules::usable_stack(t, sel(GDT_KERNEL_DATA, 3), 3)); // DPL 1, RPL 3
    EXPECT_FALSE(rules::usable_stack(t, sel(GDT_USER_DATA, 1), 1));   // DPL 3, RPL 1
    EXPECT_FALSE(rules::usable_stack(t, sel(DATA_RW_2, 2), 1));
    // Not a writable data segment.
    EXPECT_FALSE(rules::usable_stack(t, sel(DATA_RO_1, 1), 1));
    EXPECT_FALSE(rules::usable_stack(t, SEL_GUEST_CODE, 1));
    EXPECT_FALSE(rules::usable_stack(t, sel(CODE_RX_1, 1), 1));
    EXPECT_FALSE(rules::usable_stack(t, sel(CONF_RX_1, 1), 1));
    EXPECT_FALSE(rules::usable_stack(t, SEL_USER_CODE, 3));
    // Null, LDT, out of range, not present, system.
    EXPECT_FALSE(rules::usable_stack(t, 1, 1));
    EXPECT_FALSE(rules::usable_stack(t, 3, 3));
    EXPECT_FALSE(rules::usable_stack(t, 0, 0));
    EXPECT_FALSE(rules::usable_stack(t, SEL_GUEST_DATA | 4, 1));
    EXPECT_FALSE(rules::usable_stack(t, sel(32, 1), 1));
    EXPECT_FALSE(rules::usable_stack(t, sel(NOT_PRESENT_DATA, 1), 1));
    EXPECT_FALSE(rules::usable_stack(t, sel(LDT_ENTRY, 1), 1));
    EXPECT_FALSE(rules::usable_stack(t, sel(EMPTY, 1), 1));
}

TEST(DescriptorRules, BootSelectorsAreUsableAfterSanitizing)
{
    // The boot GDT entries written by a guest through LOAD_GDT_ENTRY (as
    // Linux writes DPL 0 kernel segments) stay usable at the boot selectors.
    Gdt g;
    g.e[GDT_KERNEL_CODE] = rules::sanitize_segment(0x0000FFFF, 0x00CF9A00); // DPL 0 code
    g.e[GDT_KERNEL_DATA] = rules::sanitize_segment(0x0000FFFF, 0x00CF9200); // DPL 0 data
    EXPECT_TRUE(rules::usable_code(g.table(), SEL_GUEST_CODE, 0xC0100000));
    EXPECT_TRUE(rules::usable_stack(g.table(), SEL_GUEST_DATA, 1));
    EXPECT_TRUE(rules::loadable_data(g.table(), SEL_GUEST_DATA));
    // And a TSS written over a TLS slot can never be loaded.
    g.e[GDT_TLS_FIRST] = rules::sanitize_segment(system(0x1000, 0x67, TYPE_TSS32_AVAILABLE, 3).low,
                                                 system(0x1000, 0x67, TYPE_TSS32_AVAILABLE, 3).high);
    EXPECT_FALSE(rules::loadable_data(g.table(), sel(GDT_TLS_FIRST, 3)));
    EXPECT_FALSE(rules::usable_stack(g.table(), sel(GDT_TLS_FIRST, 3), 3));
}
