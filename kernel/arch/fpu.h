// kernel/arch/fpu.h: the x87 (and SSE) state.  The host itself never uses
// the FPU (it is built with -mgeneral-regs-only); only guests do.
#pragma once
#include "arch/cpu.h"
#include "arch/features.h"

namespace fpu {

// 512 bytes, 16-aligned: room for fxsave, and for fnsave's 108.
struct alignas(16) State {
    u8 bytes[512];
};

// CR0.NE/MP (native x87 errors, TS traps waits too), CR4.OSFXSR where there
// is fxsave; CR0.EM when there is no FPU at all.
inline void init()
{
    u32 cr0 = cpu::read_cr0() | cpu::CR0_NE | cpu::CR0_MP | cpu::CR0_TS;
    cr0 = features::cpu().fpu ? cr0 & ~cpu::CR0_EM : cr0 | cpu::CR0_EM;
    cpu::write_cr0(cr0);
    if (features::cpu().fxsr)
        cpu::write_cr4(cpu::read_cr4() | cpu::CR4_OSFXSR | (features::cpu().sse ? cpu::CR4_OSXMMEXCPT : 0));
}

inline void clts() { asm volatile("clts" ::: "memory"); }
inline void set_ts() { cpu::write_cr0(cpu::read_cr0() | cpu::CR0_TS); }

inline void save(State& s)
{
    if (features::cpu().fxsr) asm volatile("fxsave %0" : "=m"(s));
    else asm volatile("fnsave %0; fwait" : "=m"(s));
}

inline void restore(const State& s)
{
    if (features::cpu().fxsr) asm volatile("fxrstor %0" ::"m"(s));
    else asm volatile("frstor %0" ::"m"(s));
}

// An image that holds nothing of anyone's, in the format restore() takes:
// the control word fninit gives (0x37F), every register empty and zero,
// no instruction or data pointers, MXCSR at its reset value (0x1F80).
// fninit alone is not enough for a new user: it leaves the eight data
// registers and XMM0-7 as the last user had them, and fxsave reads them out.
inline void make_clean(State& s)
{
    for (u8& b : s.bytes) b = 0;
    s.bytes[0] = 0x7F; // FCW, both formats
    s.bytes[1] = 0x03;
    if (features::cpu().fxsr) {
        s.bytes[24] = 0x80; // MXCSR; the abridged tag word at 4 stays 0: all empty
        s.bytes[25] = 0x1F;
    } else {
        s.bytes[8] = 0xFF; // fnsave's full tag word: 11b per register, all empty
        s.bytes[9] = 0xFF;
    }
}

} // namespace fpu
