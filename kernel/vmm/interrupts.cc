// kernel/vmm/interrupts.cc
#include "vmm/interrupts.h"
#include "arch/clock.h"

namespace virtual_timer {

namespace {
Guest* all = nullptr;
u32 all_count = 0;

// One host alarm serves every guest: it is set for the earliest deadline.
void rearm()
{
    u64 earliest = 0;
    for (u32 i = 0; i < all_count; i++) {
        u64 d = all[i].timer_deadline;
        if (d && (!earliest || d < earliest)) earliest = d;
    }
    clock::set_alarm(earliest);
}
} // namespace

void attach(Guest* guests, u32 count)
{
    all = guests;
    all_count = count;
}

void set(Guest& g, u32 ns)
{
    g.timer_deadline = ns ? clock::uptime_ns() + ns : 0;
    rearm();
}

bool armed(const Guest& g) { return g.timer_deadline != 0; }

void expire(Guest* guests, u32 count)
{
    u64 now = clock::uptime_ns();
    for (u32 i = 0; i < count; i++) {
        Guest& g = guests[i];
        if (g.timer_deadline && g.timer_deadline <= now) {
            g.timer_deadline = 0;
            if (g.state == GuestState::runnable || g.state == GuestState::halted || g.state == GuestState::waiting)
                virtual_irq::raise(g, 0);
        }
    }
    rearm();
}

} // namespace virtual_timer

namespace virtual_irq {

void raise(Guest& g, u32 irq) { g.pending_irqs |= 1u << irq; }

bool wakes(const Guest& g)
{
    return g.initialized && (g.pending_irqs & ~g.data().blocked_interrupts);
}

// A guest with devices may also be woken by them (console input).
bool could_wake(const Guest& g) { return virtual_timer::armed(g) || g.pci; }

} // namespace virtual_irq
