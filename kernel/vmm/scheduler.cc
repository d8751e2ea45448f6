// kernel/vmm/scheduler.cc
#include "vmm/scheduler.h"
#include "arch/cpu.h"
#include "arch/clock.h"
#include "console/input.h"
#include "console/log.h"
#include "vmm/guest_platform.h"
#include "vmm/interrupts.h"

namespace scheduler {
namespace {

Guest* all = nullptr;
u32 count = 0;
u32 last = 0;

void on_tick()
{
    slice_expired = true;
    console_input::collect(); // the UART's interrupt does most; this catches one that was lost
    console::pump();
}
void on_alarm() { virtual_timer::expire(all, count); }

} // namespace

volatile bool slice_expired = false;

void init(Guest* guests, u32 n)
{
    all = guests;
    count = n;
    last = n ? n - 1 : 0;
    virtual_timer::attach(guests, n);
    clock::set_hooks(on_tick, on_alarm);
}

Outcome halt(Guest& g)
{
    g.state = GuestState::halted;
    return Outcome::yield;
}

Guest* next()
{
    for (;;) {
        platform::service_console(all, count);
        bool alive = false;
        for (u32 step = 1; step <= count; step++) {
            Guest& g = all[(last + step) % count];
            if (g.state == GuestState::halted && virtual_irq::wakes(g)) g.state = GuestState::runnable;
            if (g.state == GuestState::waiting && g.console.has_room()) {
                g.state = GuestState::runnable;
                g.call_waited = !g.instruction_waited; // an instruction simply runs again
                g.instruction_waited = false;
            }
            if (g.state == GuestState::runnable || g.state == GuestState::restarting) {
                last = (last + step) % count;
                slice_expired = false;
                return &g;
            }
            if (g.state == GuestState::waiting) alive = true; // the UART will make room
            if (g.state == GuestState::halted) {
                if (!virtual_timer::armed(g) && !virtual_irq::could_wake(g)) {
                    // Nothing will ever wake it: a hang, so end it clearly.
                    bool enabled = g.initialized && g.data().irq_enabled == IRQ_ENABLED;
                    (void)kill(g, g.pending_irqs ? "HALT with only blocked interrupts pending and no timer armed"
                                  : enabled    ? "HALT with no timer armed: nothing can wake it"
                                               : "HALT with interrupts off and no timer armed");
                    alive = alive || g.state != GuestState::dead;
                    continue;
                }
                alive = true;
            }
        }
        if (!alive) return nullptr;
        // Everyone sleeps: wait for the next interrupt with the CPU halted.
        console::pump();
        cpu::enable_interrupts_and_halt();
        cpu::disable_interrupts();
    }
}

} // namespace scheduler
