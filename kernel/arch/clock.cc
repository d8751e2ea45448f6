// kernel/arch/clock.cc
#include "arch/clock.h"
#include "arch/cpu.h"
#include "arch/features.h"
#include "arch/lapic.h"
#include "arch/pit.h"
#include "arch/ports.h"
#include "lib/calendar.h"

namespace clock {
namespace {

u32 khz = 0;
u64 tsc_at_boot = 0;
u64 boot_wall_seconds = 0;
Hook tick_hook = nullptr, alarm_hook = nullptr;
u64 alarm = 0;          // 0: none
bool pit_oneshot = false;

// Periodic PIT: the uptime without a TSC is the tick count.
volatile u64 ticks = 0;
// One-shot PIT: the uptime at the start of the current count, and its length.
u64 period_start = 0;
u32 period_counts = 0;
u64 next_tick = TICK_NS;

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
    if (v[4] < 1 || v[4] > 12 || v[3] < 1 || v[3] > 31) return 0; // no plausible RTC
    return unix_time(2000 + v[5], v[4], v[3], v[2], v[1], v[0]);
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
    khz = static_cast<u32>(best / 10);
}

// One-shot PIT: count until the next tick or the alarm, whichever is first.
void program_pit()
{
    u64 target = next_tick;
    if (alarm && alarm < target) target = alarm;
    u64 wait = target > period_start ? target - period_start : 0;
    u64 counts = pit::ns_to_counts(wait);
    if (counts < 60) counts = 60; // ~50 us: the interrupt path needs time to finish
    if (counts > pit::MAX_COUNT) counts = pit::MAX_COUNT;
    period_counts = static_cast<u32>(counts);
    pit::start_oneshot(period_counts);
}

} // namespace

void init()
{
    boot_wall_seconds = read_rtc();
    calibrate_tsc();
    if (khz) tsc_at_boot = cpu::rdtsc();
    if (lapic::init(khz)) {
        pit::start_periodic(TICK_HZ);
    } else {
        pit_oneshot = true;
        program_pit();
    }
}

u64 uptime_ns()
{
    if (khz) {
        u64 delta = cpu::rdtsc() - tsc_at_boot;
        return delta / khz * 1000000ull + (delta % khz) * 1000000ull / khz;
    }
    if (!pit_oneshot) return ticks * TICK_NS;
    u32 left = pit::read_count();
    u32 done = left <= period_counts ? period_counts - left : 0;
    return period_start + pit::counts_to_ns(done);
}

u64 stamp() { return khz ? cpu::rdtsc() : uptime_ns(); }
u64 stamp_to_ns(u64 delta) { return khz ? delta / khz * 1000000ull + (delta % khz) * 1000000ull / khz : delta; }

u32 tsc_khz() { return khz; }
u64 wall_seconds() { return boot_wall_seconds + uptime_ns() / 1000000000ull; }
u32 wall_nanoseconds() { return static_cast<u32>(uptime_ns() % 1000000000ull); }
const char* alarm_source() { return pit_oneshot ? "PIT one-shot" : "local APIC"; }

void set_hooks(Hook tick, Hook alarm_fired)
{
    tick_hook = tick;
    alarm_hook = alarm_fired;
}

void set_alarm(u64 deadline)
{
    alarm = deadline;
    if (pit_oneshot) return; // taken into account at the next PIT interrupt (at most 10 ms away)
    if (!deadline) {
        lapic::disarm();
        return;
    }
    u64 now = uptime_ns();
    lapic::arm(deadline > now ? deadline - now : 1);
}

void on_pit_interrupt()
{
    if (!pit_oneshot) {
        ticks = ticks + 1;
        if (tick_hook) tick_hook();
        return;
    }
    period_start += pit::counts_to_ns(period_counts);
    // Without a TSC the PIT is the clock; with one, keep the two in step.
    if (khz) period_start = uptime_ns();
    if (period_start >= next_tick) {
        while (next_tick <= period_start) next_tick += TICK_NS;
        if (tick_hook) tick_hook();
    }
    if (alarm && alarm <= period_start) {
        alarm = 0;
        if (alarm_hook) alarm_hook();
    }
    program_pit();
}

void on_lapic_timer()
{
    if (alarm && alarm_hook) {
        alarm = 0;
        alarm_hook();
    }
}

} // namespace clock
