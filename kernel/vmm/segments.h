// kernel/vmm/segments.h: the guest's GDT (guest ABI, section 6).
#pragma once
#include "vmm/guest.h"

namespace segments {
Outcome load_gdt_entry(Guest& guest, u32 index, u32 low, u32 high);
Outcome load_tls(Guest& guest, u32 gpa);
// Recomputes what traps rely on (the kernel code segment, the ring-1 stack).
void refresh(Guest& guest);
} // namespace segments
