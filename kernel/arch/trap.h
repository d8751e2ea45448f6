// kernel/arch/trap.h: what the host does with its own traps and interrupts.
#pragma once
#include "arch/trap_frame.h"

namespace trap {

// A fault the host expects (the selftest's): the trap path records it and
// resumes at `resume` instead of reporting a fatal exception.
struct Expected {
    bool armed = false;
    bool caught = false;
    u32 resume = 0;
    u32 vector = 0, error = 0, eip = 0, cr2 = 0;
};
extern Expected expected;

const char* exception_name(u32 vector);

// Runs the host's handler for hardware interrupt `vector` (the PIC's 32-47,
// the APIC timer and spurious vectors), whether it arrived in the host or
// while a guest ran.
void dispatch_interrupt(u32 vector);

u32 nmi_count();
void note_nmi();

} // namespace trap

extern "C" void host_trap(TrapFrame* frame);
