// guest/lib/cpu_features.h: what the guest's CPU offers, for tests that use
// SSE state (XMM registers, fxsave).
#pragma once
#include "rung.h"

namespace rung {

// SSE and FXSR, from CPUID (which exists if EFLAGS.ID, bit 21, can be
// flipped, as it can in ring 1).
inline bool has_sse()
{
    u32 before, after;
    asm volatile("pushfl; popl %0; movl %0, %1; xorl $0x200000, %1; pushl %1; popfl; pushfl; popl %1; pushl %0; popfl"
                 : "=&r"(before), "=&r"(after));
    if (!((before ^ after) & 0x200000)) return false;
    u32 a = 1, b, c, d;
    asm volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    return (d & (1u << 25)) && (d & (1u << 24));
}

} // namespace rung
