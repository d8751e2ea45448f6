// kernel/vmm/segments.cc: a guest may write any entry but the host's four,
// and what it writes is made harmless first (descriptor_rules).  A change
// can leave a segment register naming a descriptor that is no longer
// loadable; the switcher reloads those registers in ring 0 on the way in,
// where a fault would be the host's, so they are checked here, once, after
// every change: data registers that went bad become null (as an iret to an
// outer ring would make them), and a bad CS or SS ends the guest.
#include "vmm/segments.h"
#include "lib/string.h"
#include "vmm/descriptor_rules.h"

namespace segments {

void refresh(Guest& g)
{
    const Descriptor* gdt = g.state_page->gdt;
    // One past the last offset a gate may name (a 4 GiB limit, where that
    // would wrap, gives up its last byte, which lies in the switcher anyway).
    u32 limit = gdt[GDT_KERNEL_CODE].limit();
    bool usable = rules::usable_code(gdt, SEL_GUEST_CODE, 0);
    g.kernel_code_end = !usable ? 0 : limit == 0xFFFFFFFF ? limit : limit + 1;
    g.kernel_data_base = gdt[GDT_KERNEL_DATA].base();
    g.ring1_stack_ok = g.state_page->tss.ss1 && rules::usable_stack(gdt, g.state_page->tss.ss1, 1);
}

namespace {

Outcome recheck(Guest& g, const char* call)
{
    TrapFrame& r = g.regs();
    const Descriptor* gdt = g.state_page->gdt;
    refresh(g);
    u32* data[] = {&r.ds, &r.es, &r.fs, &r.gs};
    for (u32* reg : data)
        if (!rules::loadable_data(gdt, *reg & 0xFFFF)) *reg = 0;
    u32 ring = r.cs & 3;
    if (!rules::usable_code(gdt, r.cs & 0xFFFF, r.eip) || !rules::usable_stack(gdt, r.ss & 0xFFFF, ring))
        return kill(g, "%s: the code or stack segment in use became unusable", call);
    return Outcome::resume;
}

void store(Guest& g, u32 index, u32 low, u32 high)
{
    if (rules::host_entry(index)) return; // accepted and ignored
    g.state_page->gdt[index] = rules::sanitize_segment(low, high);
}

} // namespace

Outcome load_gdt_entry(Guest& g, u32 index, u32 low, u32 high)
{
    if (index >= GDT_ENTRIES) return kill(g, "LOAD_GDT_ENTRY: index %u is over 31", index);
    store(g, index, low, high);
    return recheck(g, "LOAD_GDT_ENTRY");
}

Outcome load_tls(Guest& g, u32 gpa)
{
    if (!g.range_ok(gpa, 3 * sizeof(Descriptor)))
        return kill(g, "LOAD_TLS: descriptors at %x are outside guest memory", gpa);
    Descriptor tls[3];
    memcpy(tls, g.host_address(gpa), sizeof tls);
    for (u32 i = 0; i < 3; i++) store(g, GDT_TLS_FIRST + i, tls[i].low, tls[i].high);
    return recheck(g, "LOAD_TLS");
}

} // namespace segments
