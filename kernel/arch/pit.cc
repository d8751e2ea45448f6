// kernel/arch/pit.cc
#include "arch/pit.h"
#include "arch/ports.h"

namespace pit {
namespace {
constexpr u16 CHANNEL0 = 0x40, CHANNEL2 = 0x42, COMMAND = 0x43, GATE = 0x61;
}

void start_periodic(u32 hz)
{
    u32 divisor = (FREQUENCY_HZ + hz / 2) / hz;
    port::out8(COMMAND, 0x34); // channel 0, lobyte/hibyte, mode 2 (rate generator)
    port::out8(CHANNEL0, static_cast<u8>(divisor));
    port::out8(CHANNEL0, static_cast<u8>(divisor >> 8));
}

void start_oneshot(u32 count)
{
    if (count < 2) count = 2;
    if (count > MAX_COUNT) count = MAX_COUNT;
    port::out8(COMMAND, 0x30); // channel 0, lobyte/hibyte, mode 0 (interrupt on terminal count)
    port::out8(CHANNEL0, static_cast<u8>(count));
    port::out8(CHANNEL0, static_cast<u8>(count >> 8));
}

u32 read_count()
{
    port::out8(COMMAND, 0x00); // latch channel 0
    u32 lo = port::in8(CHANNEL0);
    u32 hi = port::in8(CHANNEL0);
    return lo | (hi << 8);
}

void wait_channel2(u32 microseconds)
{
    if (microseconds > 50000) microseconds = 50000;
    u32 count = static_cast<u32>(static_cast<u64>(FREQUENCY_HZ) * microseconds / 1000000);
    // Gate on, speaker off; mode 0 counts down once and raises OUT2 (bit 5 of 0x61).
    port::out8(GATE, static_cast<u8>((port::in8(GATE) & ~0x02) | 0x01));
    port::out8(COMMAND, 0xB0); // channel 2, lobyte/hibyte, mode 0
    port::out8(CHANNEL2, static_cast<u8>(count));
    port::out8(CHANNEL2, static_cast<u8>(count >> 8));
    // Bounded so a board without a working channel 2 cannot hang the boot.
    for (u32 spins = 0; !(port::in8(GATE) & 0x20) && spins < 100000000; spins++) {
    }
    port::out8(GATE, static_cast<u8>(port::in8(GATE) & ~0x01));
}

} // namespace pit
