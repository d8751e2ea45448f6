// guest/tests/irqs.cc: the virtual timer and virtual interrupt delivery
// (ABI sections 3 and 5).  The case is chosen by the guest's name:
//   ticks         SET_CLOCKEVENT fires once per arming, never early, N times
//                 in a row, waking HALT each time and while spinning, also
//                 in ring 3 (the frame has the user's CS, SS and ESP); 0
//                 cancels; arming again replaces the deadline
//   held          with irq_enabled 0 the timer waits: irq_pending becomes 512,
//                 nothing is delivered, until the guest re-enables and sends
//                 SEND_INTERRUPTS; HALT with interrupts off wakes for it
//                 all the same and returns with it pending
//   blocked       bit 0 of blocked_interrupts: the timer is not delivered
//                 while blocked; once unblocked it is; another bit does not
//                 hold the timer
//   noirq         no interrupt is delivered while EIP is at noirq_iret
//   halt_off      HALT with interrupts off and no timer armed: killed
//   halt_on       HALT with interrupts on and no timer armed: nothing can
//                 ever wake it: killed
//   halt_blocked  HALT with only a blocked timer pending: killed
#include "lib/string.h"
#include "probe.h"
#include "test.h"

extern "C" char image_end[], rung_noirq_iret[];

namespace {

volatile u32 fired = 0;
u64 fire_tsc[32];

void on_timer(rung::GuestFrame&)
{
    if (fired < 32) fire_tsc[fired] = rung::rdtsc();
    fired = fired + 1;
}

u32 khz() { return rung::boot_info->tsc_khz; }
u64 ns_since(u64 tsc) { return (rung::rdtsc() - tsc) * 1000000 / khz(); }
u64 ns_between(u64 from, u64 to) { return (to - from) * 1000000 / khz(); }

// Spins (without a hypercall) for `ns`, or until `done` says so.  The
// host writes lguest_data behind the compiler's back: read it afresh.
template <typename F> void spin(u64 ns, F done)
{
    u64 start = rung::rdtsc();
    while (!done() && ns_since(start) < ns) asm volatile("" ::: "memory");
}

void arm(u32 ns) { rung::hypercall(hcall::SET_CLOCKEVENT, ns); }

// The host's clock and ours are the same TSC, but its nanoseconds are
// rounded down: allow 1 us.
constexpr u64 SLACK_NS = 1000;

void ticks()
{
    constexpr u32 N = 10, INTERVAL = 2000000; // 2 ms

    // Each arming fires once, at least INTERVAL later; HALT returns only
    // after the handler ran.  (If another guest ran between the arming and
    // the HALT for longer than INTERVAL, the tick rightly comes before the
    // HALT: then there is no HALT to wake.)
    u64 start = rung::rdtsc();
    u32 slept = 0;
    for (u32 i = 0; i < N; i++) {
        u32 before = fired;
        u64 armed_at = rung::rdtsc();
        arm(INTERVAL);
        u32 halts = 0;
        while (fired == before && halts < 1000) {
            rung::hypercall(hcall::HALT);
            halts++;
        }
        test::check(fired == before + 1, "one timer interrupt per arming");
        if (halts > 1) test::fail("tick %u: HALT returned %u times before the timer fired", i, halts - 1);
        if (halts == 1) slept++;
        if (ns_between(armed_at, fire_tsc[before]) + SLACK_NS < INTERVAL)
            test::fail("tick %u came %llu ns after arming, asked %u", i, ns_between(armed_at, fire_tsc[before]),
                       INTERVAL);
    }
    test::check(slept > 0, "HALT slept until the timer");
    u64 elapsed = ns_since(start);
    rung::print("HALT: %u ticks of %u us in %llu us\n", fired, INTERVAL / 1000, elapsed / 1000);
    test::check(fired == N, "the timer fired N times");
    test::check(elapsed >= N * static_cast<u64>(INTERVAL), "N intervals passed");

    // Re-armed from its handler, while the guest spins (no HALT): the
    // interrupt arrives in the middle of ordinary code.
    fired = 0;
    rung::set_trap_handler(32, [](rung::GuestFrame& f) {
        on_timer(f);
        if (fired < N) arm(INTERVAL);
    });
    start = rung::rdtsc();
    arm(INTERVAL);
    spin(1000000000ull, [] { return fired >= N; });
    elapsed = ns_since(start);
    rung::print("spinning: %u ticks of %u us in %llu us\n", fired, INTERVAL / 1000, elapsed / 1000);
    test::check(fired == N, "the timer re-armed from its handler fired N times");
    test::check(elapsed + SLACK_NS >= N * static_cast<u64>(INTERVAL), "N intervals passed while spinning");
    for (u32 i = 1; i < N; i++)
        if (ns_between(fire_tsc[i - 1], fire_tsc[i]) + SLACK_NS < INTERVAL)
            test::fail("tick %u came %llu ns after the one before, asked %u", i,
                       ns_between(fire_tsc[i - 1], fire_tsc[i]), INTERVAL);
    // While ring 3 spins: the frame goes on the SET_STACK stack, with the
    // user's CS, SS and ESP.  (If another guest ran between the arming and
    // the drop to ring 3 for longer than INTERVAL, the tick rightly came in
    // ring 1: try again.)
    static u32 frame_cs, frame_ss, frame_esp, limit_tsc;
    limit_tsc = khz() * 1000; // 1 s
    rung::set_trap_handler(32, [](rung::GuestFrame& f) {
        on_timer(f);
        frame_cs = f.cs & 0xFFFF;
        frame_ss = f.from_user() ? f.ss & 0xFFFF : 0;
        frame_esp = f.from_user() ? f.esp : 0;
    });
    for (u32 attempt = 0; attempt < 10; attempt++) {
        fired = 0;
        frame_cs = 0;
        arm(INTERVAL);
        rung::call_user([] {
            u64 start_tsc = rung::rdtsc();
            while (fired == 0 && rung::rdtsc() - start_tsc < limit_tsc) {
            }
        });
        test::check(fired == 1, "the timer fired once");
        if (frame_cs != 0x61) break;
    }
    test::check(frame_cs == 0x73 && frame_ss == 0x7B, "the interrupt in ring 3 has the user's CS and SS");
    test::check(frame_esp > 0x100000 && frame_esp < reinterpret_cast<u32>(image_end), "the frame has the user's ESP");
    rung::print("ring 3 interrupted by the timer\n");
    rung::set_trap_handler(32, on_timer);

    // 0 cancels, and arming again replaces the deadline (one interrupt, not
    // two).  Each needs its two calls close together: if another guest ran
    // in between for longer than the first deadline, the timer rightly
    // fired first, and the attempt proves nothing: try again.
    bool cancelled = false, replaced = false;
    for (u32 attempt = 0; attempt < 10 && !cancelled; attempt++) {
        fired = 0;
        u64 t = rung::rdtsc();
        arm(INTERVAL);
        arm(0);
        if (ns_since(t) > INTERVAL / 2) continue;
        spin(5 * INTERVAL, [] { return fired > 0; });
        test::check(fired == 0, "SET_CLOCKEVENT 0 cancels the timer");
        cancelled = true;
    }
    for (u32 attempt = 0; attempt < 10 && !replaced; attempt++) {
        fired = 0;
        u64 t = rung::rdtsc();
        arm(20 * INTERVAL);
        arm(INTERVAL);
        bool close = ns_since(t) < 10 * INTERVAL;
        while (fired == 0) rung::hypercall(hcall::HALT);
        spin(30 * INTERVAL, [] { return fired > 1; });
        if (!close) continue;
        test::check(fired == 1, "a second SET_CLOCKEVENT replaces the first");
        replaced = true;
    }
    if (!cancelled || !replaced) test::error("preempted between two SET_CLOCKEVENTs ten times over");
    rung::print("cancel and re-arm done\n");
}

void held()
{
    constexpr u32 DELAY = 2000000; // 2 ms

    // Interrupts off while the timer expires: held, and irq_pending says so.
    rung::irq_disable();
    u64 start = rung::rdtsc();
    arm(DELAY);
    spin(1000000000ull, [] { return rung::lguest_data.irq_pending == IRQ_ENABLED; });
    u64 waited = ns_since(start);
    test::check(rung::lguest_data.irq_pending == IRQ_ENABLED, "irq_pending became 512 while interrupts were off");
    test::check(waited + SLACK_NS >= DELAY, "irq_pending not before the timer was due");
    spin(5 * DELAY, [] { return fired > 0; });
    test::check(fired == 0, "nothing delivered while irq_enabled is 0");
    // Re-enabled, and SEND_INTERRUPTS: delivered on the way back.
    rung::lguest_data.irq_enabled = IRQ_ENABLED;
    rung::hypercall(hcall::SEND_INTERRUPTS);
    test::check(fired == 1, "delivered at SEND_INTERRUPTS after re-enabling");
    test::check(rung::lguest_data.irq_pending == 0, "irq_pending cleared once delivered");
    rung::print("held while disabled: irq_pending after %llu us, delivered at SEND_INTERRUPTS\n", waited / 1000);

    // HALT with interrupts off and the timer armed: the host wakes it when
    // the timer fires, and leaves the interrupt pending (it is not
    // deliverable yet).
    rung::irq_disable();
    start = rung::rdtsc();
    arm(DELAY);
    rung::hypercall(hcall::HALT);
    waited = ns_since(start);
    test::check(fired == 1, "nothing delivered into a HALT with interrupts off");
    test::check(rung::lguest_data.irq_pending == IRQ_ENABLED, "HALT returned with the interrupt pending");
    test::check(waited + SLACK_NS >= DELAY, "HALT with interrupts off slept until the timer");
    rung::irq_enable(); // sees irq_pending and sends SEND_INTERRUPTS
    test::check(fired == 2, "delivered once re-enabled");
    rung::print("HALT with interrupts off woke after %llu us, delivered once re-enabled\n", waited / 1000);
}

void blocked()
{
    constexpr u32 DELAY = 1000000; // 1 ms
    rung::lguest_data.blocked_interrupts = 1;
    arm(DELAY);
    spin(20 * DELAY, [] { return fired > 0; });
    test::check(fired == 0, "a blocked IRQ 0 is not delivered");
    // Unblocked, the timer that fired meanwhile comes in (as lguest's
    // blocked_interrupts masks, it does not discard).
    rung::lguest_data.blocked_interrupts = 0;
    rung::hypercall(hcall::SEND_INTERRUPTS);
    test::check(fired == 1, "delivered once unblocked");
    // Another IRQ's bit does not hold IRQ 0.
    rung::lguest_data.blocked_interrupts = ~1u;
    arm(DELAY);
    while (fired == 1) rung::hypercall(hcall::HALT);
    test::check(fired == 2, "IRQ 0 delivered with every other IRQ blocked");
    rung::lguest_data.blocked_interrupts = 0;
    rung::print("blocked IRQ 0 held for %u us, delivered once unblocked\n", 20 * DELAY / 1000);
}

// noirq_iret: no interrupt is delivered while EIP is there, even with
// irq_enabled 512.  Here it names a `loop` to itself, an instruction the
// guest stands on for milliseconds (EIP stays on it between iterations), and
// the timer expires meanwhile: it must come in after the loop, never on it.
extern "C" {
u32 irqs_loop_eip, irqs_loop_count;
}
u32 interrupted_eip = 0;

void noirq()
{
    rung::set_trap_handler(32, [](rung::GuestFrame& f) {
        on_timer(f);
        interrupted_eip = f.eip;
    });
    asm volatile("movl $1f, irqs_loop_eip\n\tjmp 2f\n1:\tloop 1b\n\tret\n2:" ::: "memory");
    constexpr u32 DELAY = 100000; // 100 us
    bool conclusive = false;
    for (u32 count = 1u << 20; count && !conclusive; count <<= 1) {
        fired = 0;
        interrupted_eip = 0;
        rung::lguest_data.noirq_iret = irqs_loop_eip;
        irqs_loop_count = count;
        u64 start = rung::rdtsc();
        arm(DELAY);
        asm volatile("movl irqs_loop_count, %%ecx\n\tcall *irqs_loop_eip" ::: "ecx", "memory");
        u64 took = ns_since(start);
        rung::lguest_data.noirq_iret = reinterpret_cast<u32>(rung_noirq_iret);
        while (!fired) rung::hypercall(hcall::HALT);
        test::check(interrupted_eip != irqs_loop_eip, "no interrupt delivered at noirq_iret");
        // The loop must have outlasted the timer by far for this to count.
        conclusive = took > 20 * DELAY;
        if (conclusive) rung::print("noirq_iret: %u iterations (%llu us) held the timer off\n", count, took / 1000);
    }
    if (!conclusive) test::error("the loop never outlasted the timer");
    rung::set_trap_handler(32, on_timer);
}

[[noreturn]] void halt_and_fail()
{
    rung::print("halting\n");
    rung::flush();
    rung::hypercall(hcall::HALT);
    test::fail("HALT returned (fired %u, irq_pending %u)", fired, rung::lguest_data.irq_pending);
    test::finish();
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    rung::init_user();
    rung::set_trap_handler(32, on_timer);
    rung::irq_enable();
    const char* who = rung::name();
    if (!khz() && strcmp(who, "halt_off") != 0 && strcmp(who, "halt_on") != 0) {
        test::skip("no TSC: the timer's intervals cannot be measured");
        test::finish();
    }
    if (strcmp(who, "ticks") == 0) {
        ticks();
    } else if (strcmp(who, "held") == 0) {
        held();
    } else if (strcmp(who, "blocked") == 0) {
        blocked();
    } else if (strcmp(who, "noirq") == 0) {
        noirq();
    } else if (strcmp(who, "halt_off") == 0) {
        rung::irq_disable();
        halt_and_fail();
    } else if (strcmp(who, "halt_on") == 0) {
        halt_and_fail();
    } else if (strcmp(who, "halt_blocked") == 0) {
        rung::lguest_data.blocked_interrupts = 1;
        arm(1000000);
        spin(5000000, [] { return false; }); // the timer has fired, blocked
        test::check(fired == 0, "the blocked timer was not delivered");
        halt_and_fail();
    } else {
        test::error("unknown case %s", who);
    }
    test::finish();
}
