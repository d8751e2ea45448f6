// kernel/vmm/hypercalls.cc: each call checks every argument before it acts.
// A call that breaks a rule kills the guest, and the handler returns at once
// with kill()'s Outcome::stop: no code runs on after the decision.
#include "vmm/hypercalls.h"
#include "arch/clock.h"
#include "lib/string.h"
#include "vmm/async_ring.h"
#include "vmm/guest_idt.h"
#include "vmm/interrupts.h"
#include "vmm/lazy_fpu.h"
#include "vmm/lifecycle.h"
#include "vmm/segments.h"
#include "vmm/traps.h"
#include "vmm/virtual_mmu.h"
#include "vmm/scheduler.h"

namespace hypercalls {
namespace {

// A call's number and arguments, read in place: from the guest's registers
// (EAX; EBX, ECX, EDX, ESI) or from a slot of the asynchronous ring.
struct Call {
    u32 number, a1, a2, a3, a4;
};

Outcome console_write(Guest& g, const Call& c, u32* result)
{
    if (c.a2 > hcall::CONSOLE_WRITE_MAX)
        return kill(g, "CONSOLE_WRITE: length %u is over %u", c.a2, hcall::CONSOLE_WRITE_MAX);
    if (!g.range_ok(c.a1, c.a2))
        return kill(g, "CONSOLE_WRITE: bytes at %x+%u are outside guest memory", c.a1, c.a2);
    g.console.write(g.name(), g.host_address(c.a1), c.a2);
    *result = c.a2;
    return Outcome::resume;
}

void refresh_time(LguestData& d)
{
    d.time_sec = static_cast<u32>(clock::wall_seconds());
    d.time_nsec = clock::wall_nanoseconds();
}

Outcome lguest_init(Guest& g, const Call& c)
{
    if (g.initialized) return kill(g, "LGUEST_INIT: called twice");
    if (!g.range_ok(c.a1, sizeof(LguestData)))
        return kill(g, "LGUEST_INIT: lguest_data at %x is outside guest memory", c.a1);
    if (c.a1 % 4) return kill(g, "LGUEST_INIT: lguest_data at %x is not 4-byte aligned", c.a1);
    g.initialized = true;
    g.lguest_data = c.a1;
    g.async_next = 0;
    LguestData& d = g.data();
    d.reserve_mem = 4u << 20;
    d.tsc_khz = clock::tsc_khz();
    refresh_time(d);
    memset(d.hcall_status, ASYNC_FREE, sizeof d.hcall_status);
    return Outcome::resume;
}

Outcome shutdown(Guest& g, const Call& c)
{
    if (c.a1 >= g.memory_size) return kill(g, "SHUTDOWN: message at %x is outside guest memory", c.a1);
    if (c.a2 != hcall::SHUTDOWN_POWEROFF && c.a2 != hcall::SHUTDOWN_RESTART)
        return kill(g, "SHUTDOWN: bad reason %u", c.a2);
    // At most 128 bytes, and never past the end of guest memory.
    char message[hcall::SHUTDOWN_MESSAGE_MAX * 4 + 1];
    u32 limit = g.memory_size - c.a1;
    if (limit > hcall::SHUTDOWN_MESSAGE_MAX) limit = hcall::SHUTDOWN_MESSAGE_MAX;
    const u8* text = g.host_address(c.a1);
    u32 n = 0;
    for (u32 i = 0; i < limit && text[i]; i++) {
        u8 ch = text[i];
        if (ch >= 0x20 && ch < 0x7F) {
            message[n++] = static_cast<char>(ch);
        } else {
            const char* hex = "0123456789abcdef";
            message[n++] = '\\';
            message[n++] = 'x';
            message[n++] = hex[ch >> 4];
            message[n++] = hex[ch & 15];
        }
    }
    message[n] = '\0';
    return lifecycle::shutdown(g, c.a2 == hcall::SHUTDOWN_RESTART, message);
}

Outcome call(Guest& g, const Call& c, u32* result);

// The asynchronous ring: each queued call under the same rules.  A FLUSH_ASYNC
// inside the ring has nothing to do; a queued HALT marks the guest halted
// and the rest still runs.
Outcome drain_async(Guest& g)
{
    bool alive = drain_async_ring(g.data(), g.async_next, [&g](const AsyncCall& a) {
        if (a.arg0 == hcall::FLUSH_ASYNC) return true;
        u32 ignored = 0;
        return call(g, Call{a.arg0, a.arg1, a.arg2, a.arg3, a.arg4}, &ignored) != Outcome::stop;
    });
    return alive ? Outcome::resume : Outcome::stop;
}

Outcome call(Guest& g, const Call& c, u32* result)
{
    if (!g.initialized && c.number != hcall::CONSOLE_WRITE && c.number != hcall::SHUTDOWN &&
        c.number != hcall::LGUEST_INIT)
        return kill(g, "hypercall %u before LGUEST_INIT", c.number);
    switch (c.number) {
    case hcall::FLUSH_ASYNC:
    case hcall::SEND_INTERRUPTS: // pending interrupts go in on the way back
        return Outcome::resume;
    case hcall::LGUEST_INIT:
        return lguest_init(g, c);
    case hcall::SHUTDOWN:
        return shutdown(g, c);
    case hcall::HALT:
        return scheduler::halt(g);
    case hcall::CONSOLE_WRITE:
        return console_write(g, c, result);
    case hcall::NEW_PGTABLE:
        return virtual_mmu::new_pgtable(g, c.a1);
    case hcall::FLUSH_TLB:
        return virtual_mmu::flush_tlb(g, c.a1);
    case hcall::SET_PTE:
        return virtual_mmu::set_pte(g, c.a1, c.a2, c.a3);
    case hcall::SET_PGD:
        return virtual_mmu::set_pgd(g, c.a1, c.a2);
    case hcall::LOAD_IDT_ENTRY:
        return guest_idt::load_entry(g, c.a1, c.a2, c.a3);
    case hcall::SET_STACK:
        return traps::set_stack(g, c.a1, c.a2, c.a3);
    case hcall::TS:
        return lazy_fpu::set_virtual_ts(g, c.a1);
    case hcall::SET_CLOCKEVENT:
        virtual_timer::set(g, c.a1);
        return Outcome::resume;
    case hcall::LOAD_TLS:
        return segments::load_tls(g, c.a1);
    case hcall::LOAD_GDT_ENTRY:
        return segments::load_gdt_entry(g, c.a1, c.a2, c.a3);
    case hcall::SET_PMD:
        return kill(g, "SET_PMD: PAE is not supported");
    default:
        return kill(g, "bad hypercall %u", c.number);
    }
}

} // namespace

Outcome handle(Guest& g)
{
    TrapFrame& r = g.regs();
    if (g.initialized) {
        Outcome o = drain_async(g);
        if (o != Outcome::resume) return o;
    }
    Outcome o = call(g, Call{r.eax, r.ebx, r.ecx, r.edx, r.esi}, &r.eax);
    if (o == Outcome::resume && g.state == GuestState::halted) return Outcome::yield;
    return o;
}

} // namespace hypercalls
