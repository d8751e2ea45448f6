// kernel/vmm/host.cc: the whole life of a run: every module becomes a guest
// (or is rejected with a reason), the scheduler runs them until none is
// left, and the final line tells the story in numbers.
#include "vmm/host.h"
#include "arch/clock.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "boot/physical_memory.h"
#include "console/log.h"
#include "lib/panic.h"
#include "lib/string.h"
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

// The host's one stack has no guard page (4 MiB pages map it): a word at
// its bottom, checked once a slice, turns an overflow into a clear panic
// instead of silent damage to the data below.
extern "C" u32 boot_stack_bottom[];
constexpr u32 STACK_CANARY = 0x57AC4ED0;

} // namespace

bool run(const multiboot::Module* modules, u32 count, const KernelOptions& options)
{
    hypercalls::trace_exits = options.bench;
    fault_injection::enabled = options.inject_switch_faults;
    lifecycle::Totals& totals = lifecycle::totals();
    switcher::init(physical_memory::frames());
    console::info("modules: %u", count);

    // initrd_for= modules are not guests: each belongs to the Linux guest it
    // names, which gets the first one; the others, and those for no such
    // guest, are rejected under their own names once the guests are known.
    GuestOptions scanned;
    char error[112];
    auto initrd_for = [&](u32 i) -> const char* {
        const char* text = modules[i].string ? reinterpret_cast<const char*>(modules[i].string) : "";
        bool ok = parse_guest_options(text, i, scanned, error, sizeof error);
        return ok && scanned.initrd_for[0] ? scanned.initrd_for : nullptr;
    };
    constexpr u32 NO_MODULE = ~0u;
    auto find_initrd = [&](const char* name) {
        for (u32 i = 0; i < count; i++)
            if (const char* owner = initrd_for(i); owner && strcmp(owner, name) == 0) return i;
        return NO_MODULE;
    };

    u32 created = 0;
    for (u32 i = 0; i < count; i++) {
        const multiboot::Module& m = modules[i];
        const char* text = m.string ? reinterpret_cast<const char*>(m.string) : "";
        console::info("module %u: %u bytes at %x: %s", i, m.end - m.start, m.start, text);
        if (initrd_for(i)) continue;
        if (created == MAX_GUESTS) {
            GuestOptions named; // for its name only
            (void)parse_guest_options(text, i, named, error, sizeof error);
            console::stable("guest %s rejected: more than %u guests", named.name, MAX_GUESTS);
            totals.rejected++;
            continue;
        }
        Guest& g = guests[created];
        GuestOptions named;
        (void)parse_guest_options(text, i, named, error, sizeof error);
        const auto* image = reinterpret_cast<const u8*>(m.start);
        u32 initrd = looks_like_bzimage(image, m.end - m.start) ? find_initrd(named.name) : NO_MODULE;
        const u8* initrd_bytes = initrd == NO_MODULE ? nullptr : reinterpret_cast<const u8*>(modules[initrd].start);
        u32 initrd_size = initrd == NO_MODULE ? 0 : modules[initrd].end - modules[initrd].start;
        if (!loader::create(g, created, i, image, m.end - m.start, text, initrd_bytes, initrd_size, error,
                            sizeof error)) {
            console::stable("guest %s rejected: %s", g.name(), error);
            g = Guest{};
            totals.rejected++;
            continue;
        }
        if (g.linux_guest)
            console::stable("guest %s started: mem=%u KiB entry=0x%x (Linux bzImage, protocol %u.%02u, initrd %u KiB)",
                            g.name(), g.memory_size / 1024, g.regs().eip, g.bzimage.protocol >> 8,
                            g.bzimage.protocol & 0xFF, (g.initrd_size + 1023) / 1024);
        else
            console::stable("guest %s started: mem=%u KiB entry=0x%x", g.name(), g.memory_size / 1024,
                            g.regs().eip);
        created++;
    }
    for (u32 i = 0; i < count; i++) {
        if (!initrd_for(i)) continue;
        char name[sizeof scanned.name], owner[sizeof scanned.initrd_for]; // scanned changes below
        memcpy(name, scanned.name, sizeof name);
        memcpy(owner, scanned.initrd_for, sizeof owner);
        const Guest* target = nullptr;
        for (u32 k = 0; k < created; k++)
            if (strcmp(guests[k].name(), owner) == 0) target = &guests[k];
        if (!target || !target->linux_guest) {
            console::stable("guest %s rejected: initrd for no such Linux guest %s", name, owner);
            totals.rejected++;
        } else if (find_initrd(owner) != i) {
            console::stable("guest %s rejected: a second initrd for %s", name, owner);
            totals.rejected++;
        }
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
    boot_stack_bottom[0] = STACK_CANARY;
    while (Guest* g = scheduler::next()) {
        u64 start = clock::stamp();
        run_loop::run_slice(*g);
        if (boot_stack_bottom[0] != STACK_CANARY) panic("the host's stack overflowed (guest %s)", g->name());
        u64 took = clock::stamp() - start;
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
    console::info("scheduler: longest slice %llu us (guest %s), tick %llu us", clock::stamp_to_ns(longest) / 1000, longest_by,
                  clock::TICK_NS / 1000);
    console::info("console: %llu bytes accepted from guests, %llu printed", GuestConsole::bytes_accepted(),
                  GuestConsole::bytes_emitted());
    console::stable("all guests finished: %u powered off, %u killed, %u rejected", totals.powered_off,
                    totals.killed, totals.rejected);
    return totals.killed == 0 && totals.rejected == 0 && totals.ran > 0;
}

} // namespace host
