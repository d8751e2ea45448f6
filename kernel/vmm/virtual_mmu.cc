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

u32 read_guest(const Guest& g, u32 gpa)
{
    u32 v;
    memcpy(&v, g.host_address(gpa), 4);
    return v;
}

// The forgetting: kernel mappings (at and above kernel_address) are the
// same in every address space, so a user-only flush keeps them.
u32 kernel_slot(const Guest& g)
{
    u32 address = g.initialized ? g.data().kernel_address : 0;
    return address ? directory_index(address) : 1023;
}

} // namespace

Outcome new_pgtable(Guest& g, u32 directory)
{
    if (!directory_ok(g, directory))
        return kill(g, "NEW_PGTABLE: page directory at %x is not a page inside guest memory", directory);
    if (read_guest(g, directory + 1023 * 4) & pte::PRESENT)
        return kill(g, "NEW_PGTABLE: directory entry 1023 (the switcher's) is present");
    if (directory != g.mmu.guest_directory()) g.mmu.set_guest_directory(directory);
    return Outcome::resume;
}

Outcome flush_tlb(Guest& g, u32 all)
{
    if (all) {
        g.mmu.flush_all();
    } else {
        u32 limit = kernel_slot(g);
        for (u32 i = 0; i < limit && i < 1023; i++) g.mmu.flush_slot(i);
    }
    return Outcome::resume;
}

Outcome set_pte(Guest& g, u32 directory, u32 address, u32 entry)
{
    if (!directory_ok(g, directory))
        return kill(g, "SET_PTE: page directory at %x is not a page inside guest memory", directory);
    if (address >= 0xFFC00000u) return kill(g, "SET_PTE: address %x is in the switcher's slot", address);
    if ((entry & pte::PRESENT) && (entry & pte::FRAME_MASK) >= g.memory_size)
        return kill(g, "SET_PTE: entry %x points outside guest memory", entry);
    if (directory == g.mmu.guest_directory()) g.mmu.flush_page(address);
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
    if (directory == g.mmu.guest_directory()) g.mmu.flush_slot(index);
    return Outcome::resume;
}

} // namespace virtual_mmu
