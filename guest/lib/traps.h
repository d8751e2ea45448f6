// guest/lib/traps.h: traps, interrupts and user mode in a rung guest.
#pragma once
#include "rung.h"

namespace rung {

// What a handler sees, lowest address first (pushal, then the stub's words,
// then the CPU's or the host's frame).
struct GuestFrame {
    u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
    u32 vector, error;
    u32 eip, cs, eflags;
    u32 esp, ss; // only for a trap from ring 3
    bool from_user() const { return (cs & 3) == 3; }
};

using TrapHandler = void (*)(GuestFrame& frame);

constexpr u32 INTERRUPT_GATE = 0xE, TRAP_GATE = 0xF;

// Points vector's gate at our stub for it (LOAD_IDT_ENTRY) and calls `handler`.
void set_trap_handler(u32 vector, TrapHandler handler, u32 gate_type = INTERRUPT_GATE, u32 dpl = 0);
// LOAD_IDT_ENTRY with a gate that is not present.
void clear_gate(u32 vector);
// The type of the gate set_trap_handler loaded for `vector`, 0 if none.
u32 gate_type(u32 vector);
// The raw gate words for our stub of `vector` (for tests that load odd gates).
u32 gate_low(u32 vector);
u32 gate_high(u32 vector, u32 gate_type, u32 dpl, bool present = true);

// Registers noirq_iret and a ring-1 stack for traps from ring 3.
void init_traps();

// The guest's interrupt flag.
inline void irq_disable() { lguest_data.irq_enabled = 0; }
void irq_enable(); // and SEND_INTERRUPTS if one is waiting
inline bool irq_enabled() { return lguest_data.irq_enabled == IRQ_ENABLED; }

// Exception fixups, XTF style: arm with the address to resume at, run the
// faulting instruction; the trap is recorded and execution goes on there.
struct Caught {
    bool caught;
    u32 vector, error, eip, cs, eflags, cr2;
};
extern volatile Caught caught;
// Handler for set_trap_handler that records the trap and resumes at the armed fixup.
void fixup_handler(GuestFrame& frame);
void arm_fixup(u32 resume);

// Opens [start, start + length) of the boot page tables to ring 3 (U bit
// at both levels) and flushes the TLB.
void make_user(u32 start, u32 length);
// Drops to ring 3 at `entry` on `stack_top`; comes back only if the code in
// ring 3 traps to a handler that does not return there.
void enter_user(void (*entry)(), u32 stack_top);

// Called by the stubs (entry.S).
void dispatch(GuestFrame& frame);

} // namespace rung
