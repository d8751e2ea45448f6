// guest/tests/timer.cc: the virtual timer.  SET_CLOCKEVENT arms a one-shot
// IRQ 0; the guest re-arms it from its handler and sleeps with HALT in
// between.  It must fire exactly N times, and the guest's TSC must show at
// least N intervals have passed.
#include "test.h"
#include "traps.h"

namespace {
constexpr u32 TICKS = 10;
constexpr u32 INTERVAL_NS = 5000000; // 5 ms
volatile u32 fired = 0;

void on_timer(rung::GuestFrame&)
{
    fired = fired + 1;
    if (fired < TICKS) rung::hypercall(hcall::SET_CLOCKEVENT, INTERVAL_NS);
}
} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    rung::set_trap_handler(32, on_timer);
    rung::irq_enable();
    u64 start = rung::rdtsc();
    rung::hypercall(hcall::SET_CLOCKEVENT, INTERVAL_NS);
    u32 halts = 0;
    while (fired < TICKS) {
        rung::hypercall(hcall::HALT);
        halts++;
    }
    u64 elapsed = rung::rdtsc() - start;
    u32 khz = rung::boot_info->tsc_khz;
    u64 elapsed_us = khz ? elapsed * 1000 / khz : 0;
    rung::print("timer fired %u times in %u HALTs, %llu us (asked at least %u us)\n", fired, halts, elapsed_us,
                TICKS * INTERVAL_NS / 1000);
    test::check(fired == TICKS, "the timer fired exactly the times armed");
    if (khz) test::check(elapsed_us >= TICKS * INTERVAL_NS / 1000, "at least the asked time passed");
    else test::skip("no TSC: elapsed time not measured");
    test::finish();
}
