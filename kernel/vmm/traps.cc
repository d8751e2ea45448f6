// kernel/vmm/traps.cc: delivering a trap into the guest the way the CPU
// would have, had the guest's own IDT been the real one.
#include "vmm/traps.h"
#include "arch/clock.h"
#include "arch/trap_frame.h"
#include "vmm/descriptor_rules.h"
#include "vmm/guest_access.h"

namespace traps {
namespace {

constexpr u32 FLAGS_CLEARED_BY_GATE = cpu::EFLAGS_TF | cpu::EFLAGS_NT | cpu::EFLAGS_RF | cpu::EFLAGS_VM;

// Builds the frame through `gate` and points the guest at its handler.
Outcome deliver(Guest& g, u32 vector, u32 error, const Descriptor& gate)
{
    TrapFrame& r = g.regs();
    const Descriptor* gdt = g.state_page->gdt;
    const Tss& tss = g.state_page->tss;
    LguestData& d = g.data();
    u32 handler = descriptor::gate_offset(gate);
    if (!rules::usable_code(gdt, SEL_GUEST_CODE, handler))
        return kill(g, "fault delivering trap %u (kernel code segment unusable)", vector);

    // From ring 3 the frame goes on the ring-1 stack SET_STACK gave, and
    // starts with the user's SS and ESP; from ring 1, on the current stack.
    bool from_user = (r.cs & 3) == 3;
    u32 ss = from_user ? tss.ss1 : r.ss & 0xFFFF;
    u32 esp = from_user ? tss.esp1 : r.esp;
    if (!rules::usable_stack(gdt, ss, 1))
        return kill(g, "fault delivering trap %u (no usable ring-1 stack)", vector);

    u32 frame[6];
    u32 n = 0;
    bool has_error = vector_has_error_code(vector);
    // Lowest address first: [error] EIP CS EFLAGS [ESP SS].
    if (has_error) frame[n++] = error;
    frame[n++] = r.eip;
    frame[n++] = r.cs & 0xFFFF;
    frame[n++] = (r.eflags & ~cpu::EFLAGS_IF) | (d.irq_enabled == IRQ_ENABLED ? cpu::EFLAGS_IF : 0);
    if (from_user) {
        frame[n++] = r.esp;
        frame[n++] = r.ss & 0xFFFF;
    }
    u32 new_esp = esp - n * 4;
    u32 linear = gdt[ss >> 3].base() + new_esp;
    if (vector == 14) d.cr2 = g.fault_address; // before the frame, as the CPU writes CR2
    if (!guest_access::write_virtual(g, linear, frame, n * 4))
        return kill(g, "fault delivering trap %u", vector);

    if (gate.type() == descriptor::TYPE_INTERRUPT_GATE) d.irq_enabled = 0;
    r.esp = new_esp;
    r.ss = ss;
    r.cs = SEL_GUEST_CODE;
    r.eip = handler;
    r.eflags &= ~FLAGS_CLEARED_BY_GATE;
    return Outcome::resume;
}

} // namespace

Outcome page_fault(Guest& g, u32 address, u32 error)
{
    WalkResult r = g.mmu.fill(g, address, error);
    if (r.kind == WalkResult::mapped) return Outcome::resume;
    if (r.kind == WalkResult::kill) return kill(g, "%s (address %x)", r.reason, address);
    g.fault_address = address;
    return reflect(g, 14, r.error);
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
    u32 base = g.state_page->gdt[ss >> 3].base();
    if (!guest_access::writable(g, base + esp - pages * PAGE_SIZE, pages * PAGE_SIZE))
        return kill(g, "SET_STACK: stack below %x is not mapped writable", esp);
    g.state_page->tss.ss1 = ss;
    g.state_page->tss.esp1 = esp;
    return Outcome::resume;
}

} // namespace traps
