// kernel/vmm/interrupts.cc
#include "vmm/interrupts.h"
#include "arch/clock.h"

namespace virtual_timer {

void set(Guest& g, u32 ns)
{
    // The host tick is the resolution: round up, so "at least" holds.
    g.timer_deadline = ns ? clock::uptime_ns() + ns + 1 : 0;
}

bool armed(const Guest& g) { return g.timer_deadline != 0; }

void tick(Guest* guests, u32 count)
{
    u64 now = clock::uptime_ns();
    for (u32 i = 0; i < count; i++) {
        Guest& g = guests[i];
        if (g.timer_deadline && g.timer_deadline <= now && g.state != GuestState::dead &&
            g.state != GuestState::unused) {
            g.timer_deadline = 0;
            virtual_irq::raise(g, 0);
        }
    }
}

} // namespace virtual_timer

namespace virtual_irq {

void raise(Guest& g, u32 irq) { g.pending_irqs |= 1u << irq; }

bool wakes(const Guest& g)
{
    return g.initialized && (g.pending_irqs & ~g.data().blocked_interrupts);
}

bool could_wake(const Guest& g) { return virtual_timer::armed(g); }

} // namespace virtual_irq
