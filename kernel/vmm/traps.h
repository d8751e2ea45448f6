// kernel/vmm/traps.h: the guest's own traps and interrupts (guest ABI,
// section 5): what the host reflects into the guest, and how.
#pragma once
#include "vmm/guest.h"

namespace traps {

// A page fault in the guest: fill the shadow, or reflect #PF, or kill.
Outcome page_fault(Guest& guest, u32 address, u32 error);
// A trap for the guest's handler: build the frame the CPU would have built.
Outcome reflect(Guest& guest, u32 vector, u32 error);
// Before entering the guest: deliver a pending virtual interrupt if it may be.
Outcome deliver_pending(Guest& guest);
// SET_STACK: the ring-1 stack for traps from ring 3.
Outcome set_stack(Guest& guest, u32 ss, u32 esp, u32 pages);

inline Outcome deliver_interrupt(Guest& guest)
{
    return guest.pending_irqs ? deliver_pending(guest) : Outcome::resume;
}

} // namespace traps
