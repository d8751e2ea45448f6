// kernel/vmm/run_loop.cc: the heart of rung, where the host hands the CPU
// to a guest and takes it back.
//
// Follow one trap.  The guest, in ring 1, executes `int $0x1F`.  The CPU
// looks in the IDT of the guest's world (the state page at 0xFFC03000),
// finds the switcher's stub for vector 0x1F, and because the gate is to ring
// 0 it loads the stack from the guest's TSS: the end of the register page at
// 0xFFC02000.  There it pushes SS, ESP, EFLAGS, CS and EIP; the stub pushes
// a 0 error code and the vector; switcher_exit pushes the general and
// segment registers, so the guest's whole state now lies in its register
// page as a TrapFrame.  Then the switcher loads the host's CR3, GDT, IDT and
// task register, its stack, and returns from switcher::enter() below.
//
// Here the host reads the vector and does the work, in plain C++ with the
// guest's registers in regs(): a hypercall, a shadow page fill, a host
// interrupt to service.  Then it calls switcher::enter() again, which loads
// the guest's world, pops that same register page and irets back to ring 1,
// just after the int.
#include "vmm/run_loop.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "switcher/switcher.h"
#include "vmm/guest_platform.h"
#include "vmm/hypercalls.h"
#include "vmm/lazy_fpu.h"
#include "vmm/lifecycle.h"
#include "vmm/scheduler.h"
#include "vmm/traps.h"

namespace run_loop {
namespace {

// One exit from the guest: what trapped, and what the host does about it.
Outcome handle_exit(Guest& g)
{
    TrapFrame& r = g.regs();
    u32 vector = r.vector;

    // The commonest exit first: a hypercall.
    if (vector == HYPERCALL_VECTOR) {
        g.hypercalls++;
        return hypercalls::handle(g);
    }

    // A hardware interrupt arrived while the guest ran.  The CPU has already
    // taken it from the PIC, so the host runs its own handler now.  (These
    // gates have DPL 0: a guest's `int` can never arrive here as one.)
    if (trap::is_host_interrupt(vector)) {
        g.interrupts++;
        trap::dispatch_interrupt(vector);
        return Outcome::resume;
    }

    // A page fault: usually only the shadow tables lag behind the guest's.
    if (vector == 14) {
        g.page_faults++;
        return traps::page_fault(g, cpu::read_cr2(), r.error);
    }

    // The guest used the FPU while CR0.TS was on: its state, lazily.
    if (vector == 7) return lazy_fpu::device_not_available(g);

    // In a guest with devices, #GP is how its `in` and `out` arrive.
    if (vector == 13 && g.pci) return platform::general_protection(g);

    // NMIs are the host's and never reach a guest.
    if (vector == 2) {
        trap::note_nmi();
        return Outcome::resume;
    }

    // Anything else is the guest's own trap, for its own handler.
    return traps::reflect(g, vector, r.error);
}

// A fault of the switch itself (world_switch.S, switcher_fault): the CPU
// refused part of the guest's state as the switcher loaded it.  The register
// page is half popped, so there is no exit to handle, and the same state
// would fail again: the guest ends, with the register and the fault named.
Outcome switch_fault(Guest& g)
{
    const SwitchFault& f = g.state_page->fault;
    const TrapFrame& r = g.regs(); // the slots at and above the faulting pop are intact
    const char* what = switcher::reload_at(f.eip);
    const char* fault = trap::exception_mnemonic(f.vector);
    if (!what) return kill(g, "switcher: %s (error %x) at %x", fault, f.error, f.eip);
    u32 selector = what[0] == 'G' ? r.gs : what[0] == 'F' ? r.fs : what[0] == 'E' ? r.es : r.ds;
    if (what[0] != 'i') return kill(g, "switcher: fault loading %s (0x%x): %s", what, selector & 0xFFFF, fault);
    // iret checks CS (and EIP against its limit), then SS: the error code
    // names the selector it refused, when it was one of them.
    bool stack = (f.error & 0xFFFC) && (f.error & 0xFFFC) == (r.ss & 0xFFFC);
    return kill(g, "switcher: fault loading %s (0x%x) by iret to %x: %s (error %x)", stack ? "SS" : "CS",
                (stack ? r.ss : r.cs) & 0xFFFF, r.eip, fault, f.error);
}

} // namespace

void run_slice(Guest& g)
{
    if (g.state == GuestState::restarting) return lifecycle::restart_step(g);

    // The guest's register and state pages go behind 0xFFC02000 and
    // 0xFFC03000 in the host's own mapping of the switcher.
    switcher::make_current(reinterpret_cast<u32>(g.regs_page), reinterpret_cast<u32>(g.state_page));
    lazy_fpu::prepare(g);
    if (g.call_waited) { // the hypercall it was in waited for room: finish it first
        g.call_waited = false;
        if (hypercalls::handle(g) != Outcome::resume) return;
    }
    if (g.pci && platform::before_run(g) != Outcome::resume) return;
    for (;;) {
        if (traps::deliver_interrupt(g) == Outcome::stop) return;
        switcher::enter();
        g.exits++;
        if (u32 notes = g.state_page->notes) { // NMIs, or a fault, in the middle of the switch
            g.state_page->notes = 0;
            trap::note_nmis(notes & ~SWITCH_FAULTED);
            if (notes & SWITCH_FAULTED) {
                (void)switch_fault(g);
                return;
            }
        }
        if (handle_exit(g) != Outcome::resume) return;
        if (scheduler::slice_over()) return;
    }
}

} // namespace run_loop
