// kernel/arch/features.cc
#include "arch/features.h"
#include "arch/cpu.h"
#include "lib/string.h"

namespace features {
namespace {

CpuFeatures detected;

void cpuid(u32 leaf, u32& a, u32& b, u32& c, u32& d)
{
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
}

bool eflags_bit_toggles(u32 bit)
{
    u32 before = cpu::read_eflags();
    cpu::write_eflags(before ^ bit);
    u32 after = cpu::read_eflags();
    cpu::write_eflags(before);
    return (before ^ after) & bit;
}

} // namespace

void detect()
{
    CpuFeatures& f = detected;
    f.cpuid = eflags_bit_toggles(cpu::EFLAGS_ID);
    if (!f.cpuid) {
        // A 486 or an early 586 without CPUID.  rung needs a 486 (invlpg, CR0.WP):
        // a 386 cannot toggle EFLAGS.AC.
        f.family = eflags_bit_toggles(cpu::EFLAGS_AC) ? 4 : 3;
        return;
    }
    u32 a, b, c, d;
    cpuid(0, a, b, c, d);
    u32 max_leaf = a;
    memcpy(f.vendor + 0, &b, 4);
    memcpy(f.vendor + 4, &d, 4);
    memcpy(f.vendor + 8, &c, 4);
    f.vendor[12] = '\0';
    if (max_leaf < 1) return;
    cpuid(1, a, b, c, d);
    f.stepping = a & 0xF;
    f.model = (a >> 4) & 0xF;
    f.family = (a >> 8) & 0xF;
    if (f.family == 0xF) f.family += (a >> 20) & 0xFF;
    if (f.family >= 6) f.model |= ((a >> 16) & 0xF) << 4;
    f.fpu = d & (1u << 0);
    f.pse = d & (1u << 3);
    f.tsc = d & (1u << 4);
    f.msr = d & (1u << 5);
    f.apic = d & (1u << 9);
    f.sep = d & (1u << 11);
    f.pge = d & (1u << 13);
    f.fxsr = d & (1u << 24);
    f.sse = d & (1u << 25);
    // SYSENTER must stay unusable in guests: with SYSENTER_CS 0 it raises #GP.
    // A loader may have left it set; rung never uses it.
    if (f.sep && f.msr && f.family >= 6) cpu::wrmsr(0x174, 0);
}

const CpuFeatures& cpu() { return detected; }

} // namespace features
