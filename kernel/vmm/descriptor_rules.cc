// kernel/vmm/descriptor_rules.cc
#include "vmm/descriptor_rules.h"
#include "arch/lapic.h"
#include "arch/pic.h"
#include "arch/selectors.h"

namespace rules {

bool sanitize_gate(u32 low, u32 high, Descriptor& out)
{
    Descriptor d{low, high};
    if (!d.present()) {
        out = Descriptor{};
        return true;
    }
    u32 type = d.type();
    if (d.is_code_or_data() || (type != descriptor::TYPE_INTERRUPT_GATE && type != descriptor::TYPE_TRAP_GATE))
        return false;
    out = descriptor::gate(SEL_GUEST_CODE, descriptor::gate_offset(d), type, d.dpl());
    return true;
}

Descriptor sanitize_segment(u32 low, u32 high)
{
    Descriptor d{low, high};
    if (!d.is_code_or_data()) {
        d.set_present(false); // TSS, LDT, gates: kept, but never usable
        return d;
    }
    if (d.dpl() == 0) d.set_dpl(1);
    d.high |= descriptor::TYPE_ACCESSED << 8; // the CPU cannot set it in a read-only GDT
    return d;
}

bool is_direct_trap(u32 vector, const Descriptor& gate, u32 syscall_vector)
{
    if (!gate.present() || gate.type() != descriptor::TYPE_TRAP_GATE) return false;
    if (vector < 32)
        return vector != 2 && vector != 7 && vector != 8 && vector != 13 && vector != 14 && vector != 15;
    // syscall_vec is the guest's choice.  Below 32 only the list above counts
    // (so it cannot make #NM, #GP or #PF direct); above, it cannot claim one
    // of the host's hardware interrupt vectors, which arrive while the guest
    // runs and must always reach the host.
    bool host_interrupt = (vector >= pic::VECTOR_BASE && vector < pic::VECTOR_BASE + 16) ||
                          vector == lapic::TIMER_VECTOR || vector == lapic::SPURIOUS_VECTOR;
    return vector == syscall_vector && !host_interrupt;
}

namespace {

const Descriptor* entry(const Descriptor* gdt, u32 selector)
{
    if (selector & 4) return nullptr; // no LDT
    u32 index = (selector & 0xFFFF) >> 3;
    if (index == 0 || index >= GDT_ENTRIES) return nullptr;
    const Descriptor& d = gdt[index];
    return d.present() && d.is_code_or_data() ? &d : nullptr;
}

constexpr u32 CODE = 0x8, CONFORMING = 0x4, READABLE_OR_WRITABLE = 0x2;

} // namespace

bool loadable_data(const Descriptor* gdt, u32 selector)
{
    if ((selector & 0xFFFC) == 0) return true;
    const Descriptor* d = entry(gdt, selector);
    if (!d) return false;
    u32 type = d->type();
    if ((type & CODE) && !(type & READABLE_OR_WRITABLE)) return false; // execute-only
    // The switcher pops these in ring 0, where the CPU still refuses a data or
    // non-conforming code segment whose DPL is below the selector's RPL.
    return ((type & CODE) && (type & CONFORMING)) || (selector & 3) <= d->dpl();
}

bool usable_code(const Descriptor* gdt, u32 selector, u32 eip)
{
    u32 rpl = selector & 3;
    if (rpl == 0) return false; // ring 0 is the host's; a guest kernel may use 1 and 2
    const Descriptor* d = entry(gdt, selector);
    if (!d || !(d->type() & CODE)) return false;
    bool dpl_ok = (d->type() & CONFORMING) ? d->dpl() <= rpl : d->dpl() == rpl;
    return dpl_ok && eip <= d->limit();
}

bool usable_stack(const Descriptor* gdt, u32 selector, u32 ring)
{
    if ((selector & 3) != ring) return false;
    const Descriptor* d = entry(gdt, selector);
    if (!d) return false;
    u32 type = d->type();
    return !(type & CODE) && (type & READABLE_OR_WRITABLE) && d->dpl() == ring;
}

} // namespace rules
