// kernel/arch/clock.cc
#include "arch/clock.h"
#include "arch/cpu.h"
#include "arch/features.h"
#include "arch/pit.h"
#include "arch/ports.h"
#include "lib/calendar.h"

namespace clock {
namespace {

volatile u64 tick_count = 0;
u32 khz = 0;
u64 boot_wall_seconds = 0;

u8 cmos(u8 reg)
{
    port::out8(0x70, reg);
    return port::in8(0x71);
}

u64 read_rtc()
{
    // Wait out an update in progress, then read until two reads agree.
    for (u32 spins = 0; (cmos(0x0A) & 0x80) && spins < 1000000; spins++) {
    }
    u8 regs[6], again[6];
    const u8 index[6] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09};
    for (int tries = 0; tries < 5; tries++) {
        for (int i = 0; i < 6; i++) regs[i] = cmos(index[i]);
        for (int i = 0; i < 6; i++) again[i] = cmos(index[i]);
        bool same = true;
        for (int i = 0; i < 6; i++) same = same && regs[i] == again[i];
        if (same) break;
    }
    u8 status_b = cmos(0x0B);
    bool bcd = !(status_b & 0x04);
    bool pm = !(status_b & 0x02) && (regs[2] & 0x80);
    u32 v[6];
    for (int i = 0; i < 6; i++) {
        u32 raw = i == 2 ? regs[i] & 0x7F : regs[i];
        v[i] = bcd ? from_bcd(raw) : raw;
    }
    if (!(status_b & 0x02)) v[2] = (v[2] % 12) + (pm ? 12 : 0); // 12-hour clock
    u32 year = 2000 + v[5];
    if (v[4] < 1 || v[4] > 12 || v[3] < 1 || v[3] > 31) return 0; // no plausible RTC
    return unix_time(year, v[4], v[3], v[2], v[1], v[0]);
}

void calibrate_tsc()
{
    if (!features::cpu().tsc) return;
    // Best of three 10 ms windows: an SMI or emulator hiccup only lengthens one.
    u64 best = ~0ull;
    for (int i = 0; i < 3; i++) {
        u64 start = cpu::rdtsc();
        pit::wait_channel2(10000);
        u64 elapsed = cpu::rdtsc() - start;
        if (elapsed < best) best = elapsed;
    }
    khz = static_cast<u32>(best / 10); // cycles per 10 ms -> per ms
}

} // namespace

void init()
{
    boot_wall_seconds = read_rtc();
    calibrate_tsc();
    pit::start_periodic();
}

void tick() { tick_count = tick_count + 1; }
u64 ticks() { return tick_count; }
u64 uptime_ns() { return tick_count * pit::NS_PER_TICK; }
u32 tsc_khz() { return khz; }
u64 wall_seconds() { return boot_wall_seconds + uptime_ns() / 1000000000ull; }
u32 wall_nanoseconds() { return static_cast<u32>(uptime_ns() % 1000000000ull); }

} // namespace clock
