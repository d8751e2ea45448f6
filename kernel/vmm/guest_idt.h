// kernel/vmm/guest_idt.h: the guest's interrupt table (LOAD_IDT_ENTRY) and
// the real one the CPU uses while the guest runs, kept in step with it.
#pragma once
#include "vmm/guest.h"

namespace guest_idt {
Outcome load_entry(Guest& guest, u32 vector, u32 low, u32 high);
// Rebuilds every gate of the real IDT from the guest's (a new life).
void sync_all(Guest& guest);
} // namespace guest_idt
