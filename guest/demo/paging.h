// guest/demo/paging.h: address spaces.  Each is a page directory in guest
// memory (named by its guest-physical address, as the hypercalls want it):
// its kernel half points at the kernel's own page tables, shared by all;
// its user half (below 0xC0000000) has tables of its own.
#pragma once
#include "rung.h"

namespace demo {

namespace pte {
constexpr u32 PRESENT = 1, WRITABLE = 2, USER = 4, ACCESSED = 0x20, DIRTY = 0x40;
constexpr u32 OWNED = 0x200; // available to software: the frame is the address space's own, freed with it
constexpr u32 FRAME = 0xFFFFF000;
} // namespace pte

namespace paging {
// Maps all guest memory at 0xC0000000 in the kernel's page tables, builds the
// kernel's own directory from them, and switches to it (boot tables no more).
bool init(u32 memory_bytes);
u32 kernel_directory();
u32 kernel_tables(); // how many page tables the kernel half uses

u32 create();            // a directory with the kernel half; 0 when out of memory
void destroy(u32 dir);   // frees its user tables, its own frames and itself (never the loaded one)
bool map(u32 dir, u32 address, u32 gpa, u32 flags); // false when out of memory for a page table
u32 entry(u32 dir, u32 address);                    // the PTE, 0 if none
// Unmaps [start, end) (page aligned), frees owned frames and tables left
// empty, and tells the host.  Returns the pages unmapped.
u32 unmap(u32 dir, u32 start, u32 end);

void load(u32 dir); // NEW_PGTABLE, unless it is already loaded
u32 loaded();
} // namespace paging

} // namespace demo
