// kernel/arch/clock.h: the host's sense of time, and its one alarm.
//
// Time: the TSC when there is one (calibrated against the PIT), else the
// PIT's own counts.  The scheduler's tick: every 10 ms.  The alarm: the
// earliest guest deadline, on the local APIC's one-shot timer when the CPU
// has one, else on the PIT in one-shot mode, which then also makes the tick.
#pragma once
#include "lib/types.h"

namespace clock {

constexpr u32 TICK_HZ = 100;
constexpr u64 TICK_NS = 1000000000ull / TICK_HZ;

void init();
u64 uptime_ns();
// A cheap timestamp (the TSC, or uptime_ns() without one) and its
// conversion: for measuring intervals on paths where a division per call
// would show (the scheduler's slices, console writes).
u64 stamp();
u64 stamp_to_ns(u64 delta);
u32 tsc_khz();        // 0 when there is no usable TSC
u64 wall_seconds();   // Unix time
u32 wall_nanoseconds();
const char* alarm_source(); // "local APIC" or "PIT one-shot"

using Hook = void (*)();
// `tick` runs every 10 ms; `alarm` when the deadline given to set_alarm passes.
void set_hooks(Hook tick, Hook alarm);
// The next deadline (uptime in ns), or 0 for none.
void set_alarm(u64 deadline_ns);

// From the interrupt handlers.
void on_pit_interrupt();
void on_lapic_timer();

} // namespace clock
