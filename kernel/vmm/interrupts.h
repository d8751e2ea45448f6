// kernel/vmm/interrupts.h: a guest's virtual interrupts and its one-shot
// virtual timer (guest ABI, sections 3 and 5).
#pragma once
#include "vmm/guest.h"

namespace virtual_timer {
// The guests whose deadlines the host alarm serves.
void attach(Guest* guests, u32 count);
// SET_CLOCKEVENT: IRQ 0 after at least `ns` nanoseconds; 0 cancels.
void set(Guest& guest, u32 ns);
bool armed(const Guest& guest);
// The host's alarm went off: raise IRQ 0 in every guest whose deadline
// passed, and set the alarm for the next one.
void expire(Guest* guests, u32 count);
} // namespace virtual_timer

namespace virtual_irq {
void raise(Guest& guest, u32 irq);
// An unblocked interrupt is pending: a halted guest wakes for it.
bool wakes(const Guest& guest);
// Something may still raise an interrupt for it (its timer is armed).
bool could_wake(const Guest& guest);
} // namespace virtual_irq
