// kernel/arch/clock.h: the host's sense of time: PIT ticks, the TSC rate
// when there is a TSC, and the wall clock read from the CMOS RTC at boot.
#pragma once
#include "lib/types.h"

namespace clock {

void init();          // reads the RTC, calibrates the TSC, starts the tick
void tick();          // from IRQ 0
u64 ticks();
u64 uptime_ns();
u32 tsc_khz();        // 0 when there is no usable TSC
u64 wall_seconds();   // Unix time
u32 wall_nanoseconds();

} // namespace clock
