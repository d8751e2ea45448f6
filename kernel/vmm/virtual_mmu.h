// kernel/vmm/virtual_mmu.h: the MMU hypercalls (guest ABI, sections 3 and 7).
#pragma once
#include "vmm/guest.h"

namespace virtual_mmu {
Outcome new_pgtable(Guest& guest, u32 directory);
Outcome flush_tlb(Guest& guest, u32 all);
Outcome set_pte(Guest& guest, u32 directory, u32 address, u32 entry);
Outcome set_pgd(Guest& guest, u32 directory, u32 index);
} // namespace virtual_mmu
