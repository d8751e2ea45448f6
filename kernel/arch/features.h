// kernel/arch/features.h: what this CPU can do.  A 486 without CPUID is
// detected by the EFLAGS.ID bit refusing to toggle.
#pragma once
#include "lib/types.h"

struct CpuFeatures {
    bool cpuid = false;
    bool fpu = false, pse = false, tsc = false, msr = false, pge = false, apic = false,
         sep = false, fxsr = false, sse = false;
    u32 family = 4, model = 0, stepping = 0;
    char vendor[13] = "unknown";
};

namespace features {
void detect();
const CpuFeatures& cpu();
} // namespace features
