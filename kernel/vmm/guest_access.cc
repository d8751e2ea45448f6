// kernel/vmm/guest_access.cc
#include "vmm/guest_access.h"
#include "lib/string.h"
#include "switcher/layout.h"

namespace guest_access {
namespace {

// The guest-physical address of a writable virtual byte, or false.
bool translate_for_write(Guest& g, u32 address, u32* gpa, bool mark_dirty)
{
    if (address >= SWITCHER_BASE) return false;
    u8* memory = g.host_address(0);
    WalkResult r = walk_guest_tables(memory, g.memory_size, g.mmu.guest_directory(), address, pf::WRITE);
    if (r.kind != WalkResult::mapped) return false;
    if (mark_dirty) {
        u32 pde = r.pde | pte::ACCESSED, entry = r.pte | pte::ACCESSED | pte::DIRTY;
        memcpy(memory + r.pde_gpa, &pde, 4);
        memcpy(memory + r.pte_gpa, &entry, 4);
    }
    *gpa = r.page + (address & (PAGE_SIZE - 1));
    return true;
}

} // namespace

bool write_virtual(Guest& g, u32 address, const void* bytes, u32 length)
{
    const u8* from = static_cast<const u8*>(bytes);
    while (length) {
        u32 gpa;
        if (!translate_for_write(g, address, &gpa, true)) return false;
        u32 chunk = PAGE_SIZE - (address & (PAGE_SIZE - 1));
        if (chunk > length) chunk = length;
        memcpy(g.host_address(gpa), from, chunk);
        address += chunk;
        from += chunk;
        length -= chunk;
    }
    return true;
}

bool writable(Guest& g, u32 address, u32 length)
{
    if (length == 0) return true;
    u32 last = address + length - 1;
    if (last < address) return false; // wraps around 4 GiB
    for (u32 page = address & ~(PAGE_SIZE - 1);; page += PAGE_SIZE) {
        u32 gpa;
        if (!translate_for_write(g, page, &gpa, false)) return false;
        if (page >= (last & ~(PAGE_SIZE - 1))) return true;
    }
}

} // namespace guest_access
