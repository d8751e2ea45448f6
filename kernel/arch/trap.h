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

const char* exception_name(u32 vector);     // "page fault"
const char* exception_mnemonic(u32 vector); // "#PF"

// The vectors of the host's hardware interrupts: the PIC's 32-47, the APIC
// timer and the APIC's spurious vector.  Guests can never `int` to them.
inline bool is_host_interrupt(u32 vector)
{
    return (vector >= 32 && vector < 48) || vector == 0x30 || vector == 0xFF;
}

// Runs the host's handler for hardware interrupt `vector` (the PIC's 32-47,
// the APIC timer and spurious vectors), whether it arrived in the host or
// while a guest ran.
void dispatch_interrupt(u32 vector);

// A page-fault hook for the host's own measurements (native_bench): true
// when it mapped the page and the access may be retried.
using PageFaultHook = bool (*)(u32 address);
void set_page_fault_hook(PageFaultHook hook);

u32 nmi_count();
void note_nmi();
void note_nmis(u32 count);

} // namespace trap

extern "C" void host_trap(TrapFrame* frame);
