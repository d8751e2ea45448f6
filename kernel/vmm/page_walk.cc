// kernel/vmm/page_walk.cc
#include "vmm/page_walk.h"
#include "lib/string.h"
#include "mm/page_table.h"

namespace {

u32 read_entry(const u8* memory, u32 gpa)
{
    u32 v;
    memcpy(&v, memory + gpa, 4);
    return v;
}

WalkResult killed(const char* reason)
{
    WalkResult r;
    r.kind = WalkResult::kill;
    r.reason = reason;
    return r;
}

} // namespace

WalkResult walk_guest_tables(const u8* memory, u32 size, u32 directory, u32 address, u32 access)
{
    WalkResult r;
    r.pde_gpa = directory + directory_index(address) * 4;
    r.pde = read_entry(memory, r.pde_gpa);
    if (!(r.pde & pte::PRESENT)) {
        r.error = access;
        return r;
    }
    if (r.pde & pte::LARGE) return killed("4 MiB page in the guest's tables");
    u32 table = r.pde & pte::FRAME_MASK;
    if (table >= size) return killed("page directory entry outside guest memory");
    r.pte_gpa = table + table_index(address) * 4;
    r.pte = read_entry(memory, r.pte_gpa);
    if (!(r.pte & pte::PRESENT)) {
        r.error = access;
        return r;
    }
    u32 page = r.pte & pte::FRAME_MASK;
    if (page >= size) return killed("page table entry outside guest memory");
    r.user = r.pde & r.pte & pte::USER;
    r.writable = r.pde & r.pte & pte::WRITABLE;
    // With CR0.WP on, a write needs W at both levels from any ring; a ring-3
    // access needs U at both levels.
    if (((access & pf::USER) && !r.user) || ((access & pf::WRITE) && !r.writable)) {
        r.error = access | pf::PRESENT;
        return r;
    }
    r.kind = WalkResult::mapped;
    r.page = page;
    return r;
}
