// kernel/arch/pit.h: the 8254 timer.  Channel 0 is the host's periodic tick
// (IRQ 0); channel 2, gated by port 0x61, measures a fixed interval for TSC
// calibration.
#pragma once
#include "lib/types.h"

namespace pit {

constexpr u32 FREQUENCY_HZ = 1193182;
constexpr u32 TICK_HZ = 100;
constexpr u64 NS_PER_TICK = 1000000000ull / TICK_HZ;

void start_periodic();
// Busy-waits about `microseconds` (at most 50 ms) using channel 2.
void wait_channel2(u32 microseconds);

} // namespace pit
