// kernel/arch/pic.h: the two 8259 interrupt controllers, remapped so IRQ n
// arrives at vector 32 + n, above the CPU's exceptions.
#pragma once
#include "lib/types.h"

namespace pic {

constexpr u32 VECTOR_BASE = 32;

void init(); // every line masked
void unmask(u32 irq);
void mask(u32 irq);
void end_of_interrupt(u32 irq);
// IRQ 7 and 15 may be spurious: true when the in-service bit says so.
bool is_spurious(u32 irq);

} // namespace pic
