// guest/tests/storm.cc: a timer storm.  IRQ 0's handler re-arms
// SET_CLOCKEVENT with 1 ns, forever, so an interrupt is always due; meanwhile
// the guest computes, and every 256 steps of its work it makes
// SEND_INTERRUPTS if one waits (lguest_data.irq_pending), as a kernel's
// interrupt-enable path does (the handler re-arms with interrupts off, so
// the next one always waits for that, or for the host's next exit).  The host
// must keep the storm from starving anyone, the storm included: each round
// of work must finish, and give the same result as the first round, which
// ran with interrupts off.  Every few rounds it sleeps in HALT (woken at
// once).  Rounds: 10 by default, NAME_nN, or NAME_tN until N seconds after
// boot (knobs.h).
#include "knobs.h"
#include "test.h"
#include "traps.h"

namespace {

constexpr u32 DEFAULT_ROUNDS = 10;
constexpr u32 WORK = 300000;
volatile u32 ticks = 0;

void on_timer(rung::GuestFrame&)
{
    ticks = ticks + 1;
    rung::hypercall(hcall::SET_CLOCKEVENT, 1);
}

// Something the registers carry through many interrupts.
u32 work(u32 seed)
{
    u32 a = seed, b = ~seed, c = 0;
    for (u32 i = 0; i < WORK; i++) {
        a = a * 1664525u + 1013904223u;
        b ^= a >> 7;
        c += (a ^ b) >> 3;
        if (i % 256 == 0 && rung::lguest_data.irq_pending && rung::irq_enabled())
            rung::hypercall(hcall::SEND_INTERRUPTS);
    }
    return a ^ b ^ c;
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    rung::set_trap_handler(32, on_timer);
    knobs::Knobs k = knobs::from_name(DEFAULT_ROUNDS);
    u32 seed = knobs::hash(rung::name());
    u32 expected = work(seed); // interrupts still off
    rung::irq_enable();
    rung::hypercall(hcall::SET_CLOCKEVENT, 1);

    u32 round = 0, wrong = 0, halts = 0;
    while (!knobs::done(k, round)) {
        round++;
        u32 before = ticks;
        u32 got = work(seed);
        if (got != expected) {
            wrong++;
            test::fail("round %u: work gave %x, expected %x", round, got, expected);
        }
        if (round % 3 == 0) {
            rung::hypercall(hcall::HALT);
            halts++;
        }
        rung::print("storm round %u: %u interrupts during the work, %u in all\n", round, ticks - before, ticks);
    }
    rung::irq_disable();
    rung::hypercall(hcall::SET_CLOCKEVENT, 0);
    rung::print("storm: %u rounds, %u interrupts, %u HALTs, %u wrong\n", round, ticks, halts, wrong);
    test::check(ticks > 0, "the timer fired");
    test::finish();
}
