// kernel/vmm/lifecycle.cc
#include "vmm/lifecycle.h"
#include "console/log.h"
#include "lib/format.h"
#include "vmm/loader.h"

namespace lifecycle {
namespace {

Totals counts;

// A guest at the end of a life: either it starts again at once, or it is
// gone and its memory goes back to the host.
void restart_or_end(Guest& g, bool restart)
{
    console::info("guest %s stats: %u exits, %u hypercalls, %u async calls, %u page faults, %u interrupts", g.name(),
                  g.exits, g.hypercalls, g.async_calls, g.page_faults, g.interrupts);
    if (g.pci) {
        // Every exit by what caused it; "other traps" is what is left: the
        // guest's own traps reflected to it, #NM, NMIs, a faulted switch.
        u32 shadow = g.page_faults - g.device_exits;
        u32 named = g.hypercalls + g.page_faults + g.interrupts + g.io_exits;
        console::info("guest %s exits by reason: %u hypercalls (%u more from the async ring), %u page faults, "
                      "%u host interrupts, %u I/O instructions, %u device memory, %u other traps",
                      g.name(), g.hypercalls, g.async_calls, shadow, g.interrupts, g.io_exits, g.device_exits,
                      g.exits - named);
    }
    g.exits = g.hypercalls = g.async_calls = g.page_faults = g.interrupts = g.io_exits = g.device_exits = 0;
    if (restart) {
        g.boot_count++;
        g.zeroed = 0;
        g.state = GuestState::restarting; // restart_step() goes on from here
        return;
    }
    g.state = GuestState::dead;
    loader::destroy(g);
}

} // namespace

void restart_step(Guest& g)
{
    if (!loader::zero_step(g)) return;
    char error[96];
    if (loader::boot(g, error, sizeof error)) return;
    // The image was checked at creation; only memory could fail now.
    console::stable("guest %s killed: restart failed: %s", g.name(), error);
    g.killed = true;
    g.powered_off = false;
    g.state = GuestState::dead;
    loader::destroy(g);
}

Totals& totals() { return counts; }

Outcome shutdown(Guest& g, bool restart, const char* message)
{
    g.console.flush(g.name());
    if (restart) {
        console::stable("guest %s restarting: %s", g.name(), message);
    } else {
        console::stable("guest %s powered off: %s", g.name(), message);
        g.powered_off = true;
        g.killed = false;
    }
    restart_or_end(g, restart);
    return Outcome::stop;
}

} // namespace lifecycle

Outcome kill(Guest& g, const char* fmt, ...)
{
    char reason[160];
    va_list args;
    va_start(args, fmt);
    vsnformat(reason, sizeof reason, fmt, args);
    va_end(args);
    g.console.flush(g.name());
    console::stable("guest %s killed: %s", g.name(), reason);
    g.killed = true;
    g.powered_off = false;
    bool restart = g.options.on_kill == OnKill::restart;
    if (restart) console::stable("guest %s restarting: after kill", g.name());
    lifecycle::restart_or_end(g, restart);
    return Outcome::stop;
}
