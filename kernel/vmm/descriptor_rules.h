// kernel/vmm/descriptor_rules.h: what a guest may put in its GDT and IDT,
// and which selectors the switcher can safely load for it (guest ABI,
// sections 5 and 6).  Pure: unit-tested on the build machine.
#pragma once
#include "arch/descriptor.h"

namespace rules {

// LOAD_IDT_ENTRY: a gate that is not present is cleared; a present one must
// be a 32-bit interrupt or trap gate (false: the guest dies).  The selector
// becomes the guest kernel's code segment.
bool sanitize_gate(u32 low, u32 high, Descriptor& out);

// LOAD_GDT_ENTRY and LOAD_TLS: system descriptors are stored not present,
// DPL 0 becomes 1, the accessed bit is set.
Descriptor sanitize_segment(u32 low, u32 high);

// The GDT entries the host keeps for itself (writes are ignored).
constexpr bool host_entry(u32 index) { return index == 10 || index == 11 || index == 16 || index == 31; }

// Vectors the guest may not set (LOAD_IDT_ENTRY ignores them).
constexpr bool host_vector(u32 vector) { return vector == 2 || vector == 8 || vector == 15 || vector == 0x1F; }

// A trap gate the CPU may follow straight into the guest, with no world switch.
bool is_direct_trap(u32 vector, const Descriptor& gate, u32 syscall_vector);

// Selectors, checked against a 32-entry GDT before the switcher loads them.
bool loadable_data(const Descriptor* gdt, u32 selector);              // DS, ES, FS, GS (null is fine)
bool usable_code(const Descriptor* gdt, u32 selector, u32 eip);       // CS, ring 1, 2 or 3
bool usable_stack(const Descriptor* gdt, u32 selector, u32 ring);     // SS for that ring

} // namespace rules
