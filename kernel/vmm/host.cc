// kernel/vmm/host.cc: the whole life of a run: every module becomes a guest
// (or is rejected with a reason), the scheduler runs them until none is
// left, and the final line tells the story in numbers.
#include "vmm/host.h"
#include "arch/clock.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "boot/physical_memory.h"
#include "console/log.h"
#include "switcher/switcher.h"
#include "vmm/fault_injection.h"
#include "vmm/hypercalls.h"
#include "vmm/lifecycle.h"
#include "vmm/loader.h"
#include "vmm/run_loop.h"
#include "vmm/scheduler.h"

namespace host {
namespace {

constexpr u32 MAX_GUESTS = 32;
Guest guests[MAX_GUESTS];

} // namespace

bool run(const multiboot::Module* modules, u32 count, const KernelOptions& options)
{
    hypercalls::trace_exits = options.bench;
    fault_injection::enabled = options.inject_switch_faults;
    lifecycle::Totals& totals = lifecycle::totals();
    switcher::init(physical_memory::frames());
    console::info("modules: %u", count);

    u32 created = 0;
    for (u32 i = 0; i < count; i++) {
        const multiboot::Module& m = modules[i];
        const char* text = m.string ? reinterpret_cast<const char*>(m.string) : "";
        console::info("module %u: %u bytes at %x: %s", i, m.end - m.start, m.start, text);
        char error[112];
        if (created == MAX_GUESTS) {
            GuestOptions named; // for its name only
            (void)parse_guest_options(text, i, named, error, sizeof error);
            console::stable("guest %s rejected: more than %u guests", named.name, MAX_GUESTS);
            totals.rejected++;
            continue;
        }
        Guest& g = guests[created];
        if (!loader::create(g, i, reinterpret_cast<const u8*>(m.start), m.end - m.start, text, error,
                            sizeof error)) {
            console::stable("guest %s rejected: %s", g.name(), error);
            g = Guest{};
            totals.rejected++;
            continue;
        }
        console::stable("guest %s started: mem=%u KiB entry=0x%x", g.name(), g.memory_size / 1024,
                        g.regs().eip);
        g.console.set_owner(created);
        created++;
    }
    totals.ran = created;

    // From here the host runs with interrupts off: they reach it through the
    // guest's world (as exits) or while it idles in the scheduler.  The
    // switcher must never be entered with them on.
    cpu::disable_interrupts();
    scheduler::init(guests, created);
    console::start_queue();
    // The longest time one guest kept the CPU from all the others: a slice
    // ends at the first exit after the 10 ms tick, so it is bounded by the
    // longest exit (hypercalls, restarts) plus a tick.
    u64 longest = 0;
    const char* longest_by = "";
    while (Guest* g = scheduler::next()) {
        u64 start = clock::uptime_ns();
        run_loop::run_slice(*g);
        u64 took = clock::uptime_ns() - start;
        if (took > longest) {
            longest = took;
            longest_by = g->name();
        }
    }

    for (u32 i = 0; i < created; i++) {
        if (guests[i].powered_off) totals.powered_off++;
        if (guests[i].killed) totals.killed++;
    }
    if (trap::nmi_count()) console::info("NMIs: %u, all taken by the host", trap::nmi_count());
    console::info("scheduler: longest slice %llu us (guest %s), tick %llu us", longest / 1000, longest_by,
                  clock::TICK_NS / 1000);
    console::info("console: %llu bytes accepted from guests, %llu printed", GuestConsole::bytes_accepted(),
                  GuestConsole::bytes_emitted());
    console::stable("all guests finished: %u powered off, %u killed, %u rejected", totals.powered_off,
                    totals.killed, totals.rejected);
    return totals.killed == 0 && totals.rejected == 0 && totals.ran > 0;
}

} // namespace host
