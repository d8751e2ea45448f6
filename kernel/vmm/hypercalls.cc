// kernel/vmm/hypercalls.cc: each call checks every argument before it acts.
// A call that breaks a rule kills the guest, and the handler returns at once
// with kill()'s Outcome::stop: no code runs on after the decision.
#include "vmm/hypercalls.h"
#include "arch/clock.h"
#include "console/log.h"
#include "lib/string.h"
#include "vmm/async_ring.h"
#include "vmm/fault_injection.h"
#include "vmm/guest_idt.h"
#include "vmm/interrupts.h"
#include "vmm/lazy_fpu.h"
#include "vmm/lifecycle.h"
#include "vmm/segments.h"
#include "vmm/traps.h"
#include "vmm/virtual_mmu.h"
#include "vmm/scheduler.h"

namespace hypercalls {

bool trace_exits = false;

namespace {

// A call's number and arguments, read where they lie: in the guest's
// registers (EAX; EBX, ECX, EDX, ESI), or in a slot of the asynchronous ring.
// Nothing is copied on the way: this is the path of every hypercall.
struct FromRegisters {
    const TrapFrame& r;
    u32 number() const { return r.eax; }
    u32 a1() const { return r.ebx; }
    u32 a2() const { return r.ecx; }
    u32 a3() const { return r.edx; }
};

struct FromRing {
    const AsyncCall& c;
    u32 number() const { return c.arg0; }
    u32 a1() const { return c.arg1; }
    u32 a2() const { return c.arg2; }
    u32 a3() const { return c.arg3; }
};

Outcome console_write(Guest& g, u32 gpa, u32 length, u32* result)
{
    if (length > hcall::CONSOLE_WRITE_MAX)
        return kill(g, "CONSOLE_WRITE: length %u is over %u", length, hcall::CONSOLE_WRITE_MAX);
    if (!g.range_ok(gpa, length))
        return kill(g, "CONSOLE_WRITE: bytes at %x+%u are outside guest memory", gpa, length);
    // What does not fit in the guest's share of the output queue waits: the
    // call does not return until the UART has taken enough (scheduler.cc).
    u32 done = g.console_done + g.console.write(g.name(), g.host_address(gpa) + g.console_done,
                                                  length - g.console_done);
    if (done < length) {
        g.console_done = done;
        g.state = GuestState::waiting;
        return Outcome::yield;
    }
    g.console_done = 0;
    if (trace_exits) console::print("rung: exits: %s %u\n", g.name(), g.exits);
    *result = length;
    return Outcome::resume;
}

void refresh_time(LguestData& d)
{
    d.time_sec = static_cast<u32>(clock::wall_seconds());
    d.time_nsec = clock::wall_nanoseconds();
}

Outcome lguest_init(Guest& g, u32 gpa)
{
    if (g.initialized) return kill(g, "LGUEST_INIT: called twice");
    if (!g.range_ok(gpa, sizeof(LguestData)))
        return kill(g, "LGUEST_INIT: lguest_data at %x is outside guest memory", gpa);
    if (gpa % 4) return kill(g, "LGUEST_INIT: lguest_data at %x is not 4-byte aligned", gpa);
    g.initialized = true;
    g.lguest_data = gpa;
    g.async_next = 0;
    LguestData& d = g.data();
    d.reserve_mem = 4u << 20;
    d.tsc_khz = clock::tsc_khz();
    refresh_time(d);
    memset(d.hcall_status, ASYNC_FREE, sizeof d.hcall_status);
    if (fault_injection::enabled) fault_injection::break_saved_state(g); // tests only, once a life
    return Outcome::resume;
}

Outcome shutdown(Guest& g, u32 gpa, u32 reason)
{
    if (reason != hcall::SHUTDOWN_POWEROFF && reason != hcall::SHUTDOWN_RESTART)
        return kill(g, "SHUTDOWN: bad reason %u", reason);
    if (gpa >= g.memory_size) {
        // Linux's `reboot -f` passes __pa(NULL) (0x40000000) for its message;
        // lguest went on with an empty one, and so does rung for a Linux guest.
        if (!g.linux_guest) return kill(g, "SHUTDOWN: message at %x is outside guest memory", gpa);
        return lifecycle::shutdown(g, reason == hcall::SHUTDOWN_RESTART, "(no message)");
    }
    // At most 128 bytes, and never past the end of guest memory.
    char message[hcall::SHUTDOWN_MESSAGE_MAX * 4 + 1];
    u32 limit = g.memory_size - gpa;
    if (limit > hcall::SHUTDOWN_MESSAGE_MAX) limit = hcall::SHUTDOWN_MESSAGE_MAX;
    const u8* text = g.host_address(gpa);
    u32 length = 0;
    while (length < limit && text[length]) length++;
    GuestConsole::escape(text, length, message);
    return lifecycle::shutdown(g, reason == hcall::SHUTDOWN_RESTART, message);
}

template <typename Call>
Outcome call(Guest& g, const Call& c, u32* result);

// The asynchronous ring: each queued call under the same rules.  A FLUSH_ASYNC
// inside the ring has nothing to do; a queued HALT marks the guest halted
// and the rest still runs; a call that must wait stays queued, and the ring
// goes on from it when the guest's hypercall is finished (run_loop.cc).
Outcome drain_async(Guest& g)
{
    bool went_on = drain_async_ring(g.data(), g.async_next, [&g](const AsyncCall& a) {
        g.async_calls++; // every slot run counts, a FLUSH_ASYNC in the ring too
        if (a.arg0 == hcall::FLUSH_ASYNC) return true;
        u32 ignored = 0;
        return call(g, FromRing{a}, &ignored) != Outcome::stop && g.state != GuestState::waiting;
    });
    if (went_on) return Outcome::resume;
    if (g.state != GuestState::waiting) return Outcome::stop;
    g.async_next = (g.async_next + ASYNC_SLOTS - 1) % ASYNC_SLOTS; // back onto the waiting slot
    return Outcome::yield;
}

template <typename Call>
Outcome call(Guest& g, const Call& c, u32* result)
{
    u32 number = c.number();
    if (!g.initialized && number != hcall::CONSOLE_WRITE && number != hcall::SHUTDOWN &&
        number != hcall::LGUEST_INIT)
        return kill(g, "hypercall %u before LGUEST_INIT", number);
    switch (number) {
    case hcall::FLUSH_ASYNC:
    case hcall::SEND_INTERRUPTS: // pending interrupts go in on the way back
        return Outcome::resume;
    case hcall::LGUEST_INIT:
        return lguest_init(g, c.a1());
    case hcall::SHUTDOWN:
        return shutdown(g, c.a1(), c.a2());
    case hcall::HALT:
        return scheduler::halt(g);
    case hcall::CONSOLE_WRITE:
        return console_write(g, c.a1(), c.a2(), result);
    case hcall::NEW_PGTABLE:
        return virtual_mmu::new_pgtable(g, c.a1());
    case hcall::FLUSH_TLB:
        return virtual_mmu::flush_tlb(g, c.a1());
    case hcall::SET_PTE:
        return virtual_mmu::set_pte(g, c.a1(), c.a2(), c.a3());
    case hcall::SET_PGD:
        return virtual_mmu::set_pgd(g, c.a1(), c.a2());
    case hcall::LOAD_IDT_ENTRY:
        return guest_idt::load_entry(g, c.a1(), c.a2(), c.a3());
    case hcall::SET_STACK:
        return traps::set_stack(g, c.a1(), c.a2(), c.a3());
    case hcall::TS:
        return lazy_fpu::set_virtual_ts(g, c.a1());
    case hcall::SET_CLOCKEVENT:
        virtual_timer::set(g, c.a1());
        return Outcome::resume;
    case hcall::LOAD_TLS:
        return segments::load_tls(g, c.a1());
    case hcall::LOAD_GDT_ENTRY:
        return segments::load_gdt_entry(g, c.a1(), c.a2(), c.a3());
    case hcall::SET_PMD:
        return kill(g, "SET_PMD: PAE is not supported");
    default:
        return kill(g, "bad hypercall %u", number);
    }
}

} // namespace

Outcome handle(Guest& g)
{
    TrapFrame& r = g.regs();
    if (g.initialized && g.data().hcall_status[g.async_next] == ASYNC_QUEUED) {
        Outcome ring = drain_async(g);
        if (ring != Outcome::resume) return ring; // ended, or waits before the call in EAX runs
    }
    Outcome o = call(g, FromRegisters{r}, &r.eax);
    if (o == Outcome::resume && g.state == GuestState::halted) return Outcome::yield;
    return o;
}

} // namespace hypercalls
