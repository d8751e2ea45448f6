// kernel/arch/lapic.h: the local APIC, used only for its timer: a one-shot
// countdown that drives the guests' virtual timers when the CPU has one.
#pragma once
#include "lib/types.h"

namespace lapic {

constexpr u32 TIMER_VECTOR = 0x30;    // above the PIC's 32-47
constexpr u32 SPURIOUS_VECTOR = 0xFF;

// Finds, maps and enables the APIC (PIC interrupts still pass through LINT0),
// and calibrates its timer (against the TSC if tsc_khz, else the PIT).
// False when there is none.
bool init(u32 tsc_khz);
bool present();
// One interrupt at TIMER_VECTOR after at least `ns` nanoseconds.
void arm(u64 ns);
void disarm();
void end_of_interrupt();
u32 timer_khz(); // the timer's count rate after the divider

} // namespace lapic
