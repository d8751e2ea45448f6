// kernel/arch/descriptor.h: the 8-byte segment and gate descriptors of the
// GDT and IDT, encoded and decoded.  Pure: the unit tests use it unchanged.
#pragma once
#include "lib/types.h"

struct Descriptor {
    u32 low = 0;
    u32 high = 0;

    // Access byte (bits 8-15 of high): type 0-3, S 4, DPL 5-6, P 7.
    u32 type() const { return (high >> 8) & 0xF; }
    bool is_code_or_data() const { return high & (1u << 12); } // S bit
    u32 dpl() const { return (high >> 13) & 3; }
    bool present() const { return high & (1u << 15); }
    u32 base() const { return (low >> 16) | ((high & 0xFF) << 16) | (high & 0xFF000000); }
    u32 raw_limit() const { return (low & 0xFFFF) | (high & 0x000F0000); }
    bool granular() const { return high & (1u << 23); }
    u32 limit() const { return granular() ? (raw_limit() << 12) | 0xFFF : raw_limit(); }

    void set_dpl(u32 dpl) { high = (high & ~(3u << 13)) | ((dpl & 3) << 13); }
    void set_present(bool p) { high = p ? high | (1u << 15) : high & ~(1u << 15); }

    bool operator==(const Descriptor&) const = default;
};
static_assert(sizeof(Descriptor) == 8);

namespace descriptor {

// Segment types (with S=1): data read/write, code execute/read; the accessed bit is bit 0.
constexpr u32 TYPE_DATA_RW = 0x2, TYPE_CODE_RX = 0xA, TYPE_ACCESSED = 0x1;
// System types (S=0).
constexpr u32 TYPE_TSS32_AVAILABLE = 0x9, TYPE_TSS32_BUSY = 0xB, TYPE_INTERRUPT_GATE = 0xE,
              TYPE_TRAP_GATE = 0xF, TYPE_TASK_GATE = 0x5;

// A 32-bit code or data segment.  limit is in bytes; above 1 MiB it is stored in 4 KiB units.
constexpr Descriptor segment(u32 base, u32 limit, u32 type, u32 dpl)
{
    bool granular = limit > 0xFFFFF;
    u32 raw = granular ? limit >> 12 : limit;
    Descriptor d;
    d.low = (base << 16) | (raw & 0xFFFF);
    d.high = (base & 0xFF000000) | ((base >> 16) & 0xFF) | (raw & 0xF0000) | (1u << 22) // D/B
             | (granular ? 1u << 23 : 0) | (1u << 15) | ((dpl & 3) << 13) | (1u << 12) | (type << 8);
    return d;
}

// A system segment (TSS, LDT): byte granular, S=0.
constexpr Descriptor system(u32 base, u32 limit, u32 type, u32 dpl)
{
    Descriptor d;
    d.low = (base << 16) | (limit & 0xFFFF);
    d.high = (base & 0xFF000000) | ((base >> 16) & 0xFF) | (limit & 0xF0000) | (1u << 15)
             | ((dpl & 3) << 13) | (type << 8);
    return d;
}

// An interrupt or trap gate.
constexpr Descriptor gate(u16 selector, u32 offset, u32 type, u32 dpl, bool present = true)
{
    Descriptor d;
    d.low = (static_cast<u32>(selector) << 16) | (offset & 0xFFFF);
    d.high = (offset & 0xFFFF0000) | (present ? 1u << 15 : 0) | ((dpl & 3) << 13) | (type << 8);
    return d;
}

constexpr u16 gate_selector(const Descriptor& d) { return static_cast<u16>(d.low >> 16); }
constexpr u32 gate_offset(const Descriptor& d) { return (d.high & 0xFFFF0000) | (d.low & 0xFFFF); }

} // namespace descriptor
