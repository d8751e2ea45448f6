// kernel/vmm/page_walk.h: reading a guest's own two-level page tables, as
// the CPU would with CR0.WP on.  Pure: the guest's memory is a byte array,
// so the unit tests walk tables they build themselves.
#pragma once
#include "lib/types.h"

namespace pf {
// Page-fault error code bits.
constexpr u32 PRESENT = 1u << 0, WRITE = 1u << 1, USER = 1u << 2;
} // namespace pf

struct WalkResult {
    enum Kind { mapped, fault, kill } kind = fault;
    u32 error = 0;              // fault: the error code the CPU would push
    const char* reason = "";    // kill: why the tables break the ABI
    u32 pde_gpa = 0, pte_gpa = 0; // where the entries live
    u32 pde = 0, pte = 0;
    u32 page = 0;               // mapped: guest-physical address of the page
    bool writable = false, user = false; // mapped: what both levels allow
};

// Walks the tables at guest-physical `directory` for `address` and an access
// described by `access` (pf::WRITE, pf::USER).  `memory` holds `size` bytes
// of guest memory; `directory` must be a page inside it.
WalkResult walk_guest_tables(const u8* memory, u32 size, u32 directory, u32 address, u32 access);
