// kernel/arch/pit.h: the 8254 timer.  Channel 0 raises IRQ 0: either as the
// host's periodic tick, or (on a CPU without a local APIC) in one-shot mode,
// reprogrammed at every interrupt for the next tick or guest deadline.
// Channel 2, gated by port 0x61, measures fixed intervals for calibration.
#pragma once
#include "lib/types.h"

namespace pit {

constexpr u32 FREQUENCY_HZ = 1193182;
constexpr u32 MAX_COUNT = 0xFFFF;

void start_periodic(u32 hz);
// Channel 0 counts `count` input cycles once, then raises IRQ 0.
void start_oneshot(u32 count);
// Input cycles left in channel 0's current count.
u32 read_count();
// Busy-waits about `microseconds` (at most 50 ms) using channel 2.
void wait_channel2(u32 microseconds);

constexpr u64 counts_to_ns(u64 counts) { return counts * 1000000000ull / FREQUENCY_HZ; }
constexpr u64 ns_to_counts(u64 ns) { return (ns * FREQUENCY_HZ + 999999999ull) / 1000000000ull; }

} // namespace pit
