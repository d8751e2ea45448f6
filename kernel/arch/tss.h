// kernel/arch/tss.h: the 32-bit task-state segment.  rung uses it only for
// the stacks the CPU switches to on a privilege change; the I/O bitmap offset
// points past the limit, so every port is closed to rings 1-3.
#pragma once
#include "lib/types.h"

struct Tss {
    u32 link;
    u32 esp0, ss0, esp1, ss1, esp2, ss2;
    u32 cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    u32 es, cs, ss, ds, fs, gs, ldt;
    u16 trap;
    u16 iomap_base;
};
static_assert(sizeof(Tss) == 104);
constexpr u32 TSS_LIMIT = sizeof(Tss) - 1;
constexpr u16 TSS_NO_IOMAP = sizeof(Tss);
