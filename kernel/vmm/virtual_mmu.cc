// kernel/vmm/virtual_mmu.cc: the guest tells the host what it changed in
// its tables, as it would flush a TLB; the host forgets the shadow entries
// that could now be stale, and they refill on demand from the new values.
// Every entry the guest names is checked here too, so a forbidden mapping
// dies at the call, not later at some fault.
#include "vmm/virtual_mmu.h"
#include "lib/string.h"
#include "mm/page_table.h"

namespace virtual_mmu {
namespace {

bool directory_ok(const Guest& g, u32 gpa) { return gpa && gpa % PAGE_SIZE == 0 && gpa < g.memory_size; }

u32 read_guest(const Guest& g, u32 gpa) { return load32(g.host_address(gpa)); }

// kernel_address lives in lguest_data, where the guest may change it any
// time; the shadow follows it whenever the guest touches its MMU.
void follow_kernel_address(Guest& g)
{
    g.mmu.set_kernel_address(g.initialized ? g.data().kernel_address : 0);
}

} // namespace

Outcome new_pgtable(Guest& g, u32 directory)
{
    if (!directory_ok(g, directory))
        return kill(g, "NEW_PGTABLE: page directory at %x is not a page inside guest memory", directory);
    // Linux's early tables map its fixmap at entry 1023 before it learns of
    // reserve_mem; lguest let that pass, and so does rung for a Linux guest:
    // the shadow never reads a guest's entry 1023 (the switcher's always
    // wins there).  A version-1 guest is held to the stricter rule.
    if (!g.linux_guest && (read_guest(g, directory + 1023 * 4) & pte::PRESENT))
        return kill(g, "NEW_PGTABLE: directory entry 1023 (the switcher's) is present");
    follow_kernel_address(g);
    if (directory == g.mmu.guest_directory()) return Outcome::resume;
    bool cached = false;
    if (!g.mmu.switch_to(directory, &cached)) return kill(g, "NEW_PGTABLE: host out of memory for a shadow directory");
    g.state_page->guest_cr3 = g.mmu.directory();
    if (cached) g.shadow_hits++;
    return Outcome::resume;
}

Outcome flush_tlb(Guest& g, u32 all)
{
    follow_kernel_address(g);
    if (all) g.mmu.flush_all();
    else g.mmu.flush_user();
    return Outcome::resume;
}

Outcome set_pte(Guest& g, u32 directory, u32 address, u32 entry)
{
    if (!directory_ok(g, directory))
        return kill(g, "SET_PTE: page directory at %x is not a page inside guest memory", directory);
    if (address >= 0xFFC00000u) return kill(g, "SET_PTE: address %x is in the switcher's slot", address);
    if ((entry & pte::PRESENT) && (entry & pte::FRAME_MASK) >= g.memory_size &&
        !g.devices.holds(entry & pte::FRAME_MASK))
        return kill(g, "SET_PTE: entry %x points outside guest memory", entry);
    follow_kernel_address(g);
    g.mmu.flush_page(directory, address);
    return Outcome::resume;
}

Outcome set_pgd(Guest& g, u32 directory, u32 index)
{
    if (!directory_ok(g, directory))
        return kill(g, "SET_PGD: page directory at %x is not a page inside guest memory", directory);
    if (index >= 1023) return kill(g, "SET_PGD: index %u (1023 is the switcher's)", index);
    u32 entry = read_guest(g, directory + index * 4);
    if (entry & pte::PRESENT) {
        if (entry & pte::LARGE) return kill(g, "SET_PGD: 4 MiB page at index %u", index);
        if ((entry & pte::FRAME_MASK) >= g.memory_size)
            return kill(g, "SET_PGD: entry %x points outside guest memory", entry);
    }
    follow_kernel_address(g);
    g.mmu.flush_slot(directory, index);
    return Outcome::resume;
}

} // namespace virtual_mmu
