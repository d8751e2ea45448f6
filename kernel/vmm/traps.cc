// kernel/vmm/traps.cc: delivering a trap into the guest the way the CPU
// would have, had the guest's own IDT been the real one.
#include "vmm/traps.h"
#include "arch/clock.h"
#include "arch/trap_frame.h"
#include "lib/string.h"
#include "vmm/descriptor_rules.h"
#include "vmm/guest_access.h"
#include "vmm/guest_platform.h"

namespace traps {
namespace {

constexpr u32 FLAGS_CLEARED_BY_GATE = cpu::EFLAGS_TF | cpu::EFLAGS_NT | cpu::EFLAGS_RF | cpu::EFLAGS_VM;

// Builds the frame through `gate` and points the guest at its handler.  The
// segments it needs were checked when they last changed (segments.cc and
// set_stack below), so this path only reads what it uses.
Outcome deliver(Guest& g, u32 vector, u32 error, const Descriptor& gate)
{
    TrapFrame& r = g.regs();
    LguestData& d = g.data();
    u32 handler = descriptor::gate_offset(gate);
    if (handler >= g.kernel_code_end) // 0 when 0x61 is unusable: no handler passes
        return kill(g, "fault delivering trap %u (kernel code segment unusable)", vector);

    // From an outer ring (3, or 2 where a guest kernel made DPL 2 code) the
    // frame goes on the ring-1 stack SET_STACK gave, and starts with the
    // outer SS and ESP, as the CPU's privilege change would push them; from
    // ring 1, on the current stack.
    bool from_user = (r.cs & 3) != 1;
    u32 ss, esp;
    if (from_user) {
        if (!g.ring1_stack_ok) return kill(g, "fault delivering trap %u (no usable ring-1 stack)", vector);
        ss = g.state_page->tss.ss1;
        esp = g.state_page->tss.esp1;
    } else {
        ss = r.ss & 0xFFFF;
        esp = r.esp;
    }

    // The frame, built downwards as the CPU pushes it: [SS ESP] EFLAGS CS EIP [error].
    u32 frame[6];
    u32* top = frame + 6;
    if (from_user) {
        *--top = r.ss & 0xFFFF;
        *--top = r.esp;
    }
    *--top = (r.eflags & ~cpu::EFLAGS_IF) | (d.irq_enabled == IRQ_ENABLED ? cpu::EFLAGS_IF : 0);
    *--top = r.cs & 0xFFFF;
    *--top = r.eip;
    if (vector_has_error_code(vector)) *--top = error;
    u32 bytes = static_cast<u32>(frame + 6 - top) * 4;
    u32 new_esp = esp - bytes;
    u32 linear = (ss == SEL_GUEST_DATA ? g.kernel_data_base : g.state_page->gdt[ss >> 3].base()) + new_esp;
    if (vector == 14) d.cr2 = g.fault_address; // before the frame, as the CPU writes CR2
    // Usually the stack is in the shadow already, writable, within one page.
    u8* to = (linear & (PAGE_SIZE - 1)) + bytes <= PAGE_SIZE ? g.mmu.writable_host_address(linear) : nullptr;
    if (to) {
        for (u32* word = top; word < frame + 6; word++, to += 4) store32(to, *word);
    } else if (!guest_access::write_virtual(g, linear, top, bytes)) {
        return kill(g, "fault delivering trap %u", vector);
    }

    if (gate.type() == descriptor::TYPE_INTERRUPT_GATE) d.irq_enabled = 0;
    r.esp = new_esp;
    r.ss = ss;
    r.cs = SEL_GUEST_CODE;
    r.eip = handler;
    r.eflags &= ~FLAGS_CLEARED_BY_GATE;
    return Outcome::resume;
}

} // namespace

namespace {

// A fill that ended in a kill: unless, in a guest with devices, the entry
// names its device window, where the access is emulated instead.
[[gnu::noinline]] Outcome device_or_kill(Guest& g, u32 address, u32 error, const char* reason)
{
    if (g.pci) {
        WalkResult d = g.mmu.walk(g.host_address(0), g.memory_size, address, error & (pf::WRITE | pf::USER), g.devices);
        if (d.kind == WalkResult::device)
            return platform::device_access(g, address, d.page | (address & (PAGE_SIZE - 1)));
        if (d.kind == WalkResult::fault) { // an entry into the window, but not for this access
            g.fault_address = address;
            return reflect(g, 14, d.error);
        }
    }
    return kill(g, "%s (address %x)", reason, address);
}

} // namespace

Outcome page_fault(Guest& g, u32 address, u32 error)
{
    u32 guest_error;
    const char* reason;
    if (g.mmu.fill(g, address, error, &guest_error, &reason)) return Outcome::resume;
    if (reason) return device_or_kill(g, address, error, reason);
    g.fault_address = address;
    return reflect(g, 14, guest_error);
}

Outcome reflect(Guest& g, u32 vector, u32 error)
{
    const Descriptor& gate = g.idt[vector];
    if (!g.initialized || !gate.present())
        return kill(g, "unhandled trap %u (error %x) at %x", vector, vector_has_error_code(vector) ? error : 0,
                    g.regs().eip);
    return deliver(g, vector, error, gate);
}

Outcome deliver_pending(Guest& g)
{
    if (!g.initialized) return Outcome::resume;
    LguestData& d = g.data();
    u32 ready = g.pending_irqs & ~d.blocked_interrupts;
    if (!ready) return Outcome::resume;
    if (d.irq_enabled != IRQ_ENABLED || g.regs().eip == d.noirq_iret) {
        d.irq_pending = IRQ_ENABLED; // the guest sends SEND_INTERRUPTS once it re-enables
        return Outcome::resume;
    }
    u32 irq = static_cast<u32>(__builtin_ctz(ready));
    g.pending_irqs &= ~(1u << irq);
    d.irq_pending = (g.pending_irqs & ~d.blocked_interrupts) ? IRQ_ENABLED : 0;
    d.time_sec = static_cast<u32>(clock::wall_seconds());
    d.time_nsec = clock::wall_nanoseconds();
    g.interrupts_delivered++;
    return reflect(g, 32 + irq, 0);
}

Outcome set_stack(Guest& g, u32 ss, u32 esp, u32 pages)
{
    if (pages < 1 || pages > 2) return kill(g, "SET_STACK: %u pages (1 or 2)", pages);
    if (!rules::usable_stack(g.state_page->gdt, ss, 1))
        return kill(g, "SET_STACK: selector %x is not a ring-1 data segment", ss);
    if (esp > 0xFFC00000u || esp < pages * PAGE_SIZE)
        return kill(g, "SET_STACK: stack at %x reaches the switcher or wraps", esp);
    // The pages that hold the stack's top byte (esp - 1) and the one below
    // it when pages is 2, as lguest pinned them: a top that is not page
    // aligned (Linux leaves 8 bytes of padding) does not reach a third page.
    u32 base = g.state_page->gdt[ss >> 3].base();
    u32 top_page = (base + esp - 1) & ~(PAGE_SIZE - 1);
    if (!guest_access::writable(g, top_page - (pages - 1) * PAGE_SIZE, pages * PAGE_SIZE))
        return kill(g, "SET_STACK: stack below %x is not mapped writable", esp);
    g.state_page->tss.ss1 = ss;
    g.state_page->tss.esp1 = esp;
    g.ring1_stack_ok = true;
    return Outcome::resume;
}

} // namespace traps
