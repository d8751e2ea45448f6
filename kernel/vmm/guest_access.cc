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
    WalkResult r = g.mmu.walk(memory, g.memory_size, address, pf::WRITE);
    if (r.kind != WalkResult::mapped) return false;
    if (mark_dirty) {
        u32 pde = r.pde | pte::ACCESSED, entry = r.pte | pte::ACCESSED | pte::DIRTY;
        if (pde != r.pde) store32(memory + r.pde_gpa, pde);
        if (entry != r.pte) store32(memory + r.pte_gpa, entry);
    }
    *gpa = r.page + (address & (PAGE_SIZE - 1));
    return true;
}

} // namespace

bool write_virtual(Guest& g, u32 address, const void* bytes, u32 length)
{
    // The common case, a trap frame within one page: one walk, plain stores.
    if ((address & (PAGE_SIZE - 1)) + length <= PAGE_SIZE && length % 4 == 0) {
        u8* to = g.mmu.writable_host_address(address); // the stack is usually in the shadow already
        if (!to) {
            u32 gpa;
            if (!translate_for_write(g, address, &gpa, true)) return false;
            to = g.host_address(gpa);
        }
        const u32* words = static_cast<const u32*>(bytes);
        for (u32 i = 0; i < length / 4; i++) store32(to + 4 * i, words[i]);
        return true;
    }
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

u32 read_virtual(Guest& g, u32 address, u8* out, u32 length)
{
    u32 done = 0;
    while (done < length) {
        if (address + done >= SWITCHER_BASE) break;
        WalkResult r = g.mmu.walk(g.host_address(0), g.memory_size, address + done, 0);
        if (r.kind != WalkResult::mapped) break;
        u32 offset = (address + done) & (PAGE_SIZE - 1);
        u32 chunk = PAGE_SIZE - offset < length - done ? PAGE_SIZE - offset : length - done;
        memcpy(out + done, g.host_address(r.page + offset), chunk);
        done += chunk;
    }
    return done;
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
