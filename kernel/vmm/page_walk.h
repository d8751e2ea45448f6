// kernel/vmm/page_walk.h: reading a guest's own two-level page tables, as
// the CPU would with CR0.WP on.  Pure: the guest's memory is a byte array,
// so the unit tests walk tables they build themselves.
#pragma once
#include "lib/string.h"
#include "lib/types.h"
#include "mm/page_table.h"

namespace pf {
// Page-fault error code bits.
constexpr u32 PRESENT = 1u << 0, WRITE = 1u << 1, USER = 1u << 2;
} // namespace pf

// The fields beyond `kind` are set where they have a meaning (noted); the
// struct has no initialisers on purpose: this is the hot path of every
// shadow fill, and it is inline so the result is built in place.
struct WalkResult {
    // device: the entry points into the guest's device window (a PCI BAR
    // above its memory); `page` is that guest-physical page, never mapped:
    // every access there is emulated.
    enum Kind { mapped, fault, kill, device } kind;
    u32 error;                // fault: the error code the CPU would push
    const char* reason;       // kill: why the tables break the ABI
    u32 pde_gpa, pte_gpa;     // mapped: where the entries live
    u32 pde, pte;
    u32 page;                 // mapped: guest-physical address of the page
    bool writable, user;      // mapped: what both levels allow
};

inline WalkResult walk_fault(u32 error)
{
    WalkResult r;
    r.kind = WalkResult::fault;
    r.error = error;
    return r;
}

inline WalkResult walk_kill(const char* reason)
{
    WalkResult r;
    r.kind = WalkResult::kill;
    r.reason = reason;
    return r;
}

// The guest-physical range a guest's PTEs may name besides its memory: its
// PCI BARs (Linux addendum, section 3).  Empty for a guest without them.
struct DeviceWindow {
    u32 base = 0, end = 0;
    bool holds(u32 gpa) const { return gpa >= base && gpa < end; }
};

// Walks the tables at guest-physical `directory` for `address` and an access
// described by `access` (pf::WRITE, pf::USER).  `memory` holds `size` bytes
// of guest memory; `directory` must be a page inside it.
inline WalkResult walk_guest_tables(const u8* memory, u32 size, u32 directory, u32 address, u32 access,
                                    DeviceWindow devices = {})
{
    u32 pde_gpa = directory + directory_index(address) * 4;
    u32 pde = load32(memory + pde_gpa);
    if (!(pde & pte::PRESENT)) return walk_fault(access);
    if (pde & pte::LARGE) return walk_kill("4 MiB page in the guest's tables");
    u32 table = pde & pte::FRAME_MASK;
    if (table >= size) return walk_kill("page directory entry outside guest memory");
    u32 pte_gpa = table + table_index(address) * 4;
    u32 entry = load32(memory + pte_gpa);
    if (!(entry & pte::PRESENT)) return walk_fault(access);
    u32 page = entry & pte::FRAME_MASK;
    bool device = page >= size && devices.holds(page);
    if (page >= size && !device) return walk_kill("page table entry outside guest memory");
    bool user = pde & entry & pte::USER;
    bool writable = pde & entry & pte::WRITABLE;
    // With CR0.WP on, a write needs W at both levels from any ring; a ring-3
    // access needs U at both levels.
    if (((access & pf::USER) && !user) || ((access & pf::WRITE) && !writable))
        return walk_fault(access | pf::PRESENT);
    WalkResult r;
    r.kind = device ? WalkResult::device : WalkResult::mapped;
    r.pde_gpa = pde_gpa;
    r.pte_gpa = pte_gpa;
    r.pde = pde;
    r.pte = entry;
    r.page = page;
    r.user = user;
    r.writable = writable;
    return r;
}
