// kernel/mm/paging.h: the host's own address space: physical memory mapped
// at the same virtual address, and directory slot 1023 (0xFFC00000 up) left
// to the switcher.
#pragma once
#include "lib/types.h"
#include "mm/frame_allocator.h"
#include "mm/page_table.h"

namespace paging {

// Identity-maps [0, top) (top rounded up to 4 MiB), turns paging and CR0.WP
// on.  Uses 4 MiB pages when the CPU has PSE, page tables from `frames` otherwise.
void init(u64 top, FrameAllocator& frames);
u32 directory();          // physical address of the host's page directory
u32* directory_entries(); // the directory itself (identity-mapped)
u32 mapped_top();
// Maps one uncached 4 KiB MMIO page (the local APIC) at its own address.
bool map_mmio(u32 physical, FrameAllocator& frames);

} // namespace paging
