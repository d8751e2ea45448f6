// kernel/vmm/guest_idt.cc: a guest gate becomes one of two things in the
// real IDT.  A trap gate the ABI allows as direct is copied there as it is,
// so the CPU enters the guest's handler with no world switch.  Any other
// vector keeps the switcher's stub, and the host reflects the trap; only the
// stub's DPL follows the guest's, so `int $n` from ring 3 is allowed where
// the guest allowed it.
#include "vmm/guest_idt.h"
#include "arch/trap.h"
#include "switcher/switcher.h"
#include "vmm/descriptor_rules.h"

namespace guest_idt {
namespace {

u32 syscall_vector(const Guest& g)
{
    u32 v = g.initialized ? g.data().syscall_vec : 0;
    return v ? v : 0x80;
}

Descriptor real_gate(const Guest& g, u32 v, u32 syscall)
{
    const Descriptor& wanted = g.idt[v];
    if (!rules::host_vector(v) && rules::is_direct_trap(v, wanted, syscall)) return wanted;
    u32 dpl = 0;
    if (v == HYPERCALL_VECTOR) {
        dpl = 1;
    } else if (wanted.present() && !rules::host_vector(v) && !vector_has_error_code(v) &&
               !trap::is_host_interrupt(v)) {
        // A stub for a vector with a CPU error code must never be reached by
        // `int`: the frame would lack the error code the stub expects.
        dpl = wanted.dpl();
    }
    return descriptor::gate(SEL_HOST_CODE, switcher::stub_address(v), descriptor::TYPE_INTERRUPT_GATE, dpl);
}

} // namespace

Outcome load_entry(Guest& g, u32 vector, u32 low, u32 high)
{
    if (vector >= 256) return kill(g, "LOAD_IDT_ENTRY: vector %u is over 255", vector);
    // The host's vectors are ignored whatever the gate: Linux loads a task
    // gate for #DF (its double-fault TSS), which rung would otherwise refuse.
    if (rules::host_vector(vector)) return Outcome::resume;
    Descriptor gate;
    if (!rules::sanitize_gate(low, high, gate))
        return kill(g, "LOAD_IDT_ENTRY: vector %u: not an interrupt or trap gate (%08x %08x)", vector, high, low);
    g.idt[vector] = gate;
    u32 syscall = syscall_vector(g);
    if (syscall != g.syscall_vector) { // the guest moved its system call: every gate again
        g.syscall_vector = syscall;
        sync_all(g);
    } else {
        g.state_page->idt[vector] = real_gate(g, vector, syscall);
    }
    return Outcome::resume;
}

void sync_all(Guest& g)
{
    g.syscall_vector = syscall_vector(g);
    for (u32 v = 0; v < 256; v++) g.state_page->idt[v] = real_gate(g, v, g.syscall_vector);
}

} // namespace guest_idt
