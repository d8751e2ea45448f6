// kernel/arch/cpu.h: control registers, flags and the other one-instruction
// pieces of the CPU, each as a tiny inline function.
#pragma once
#include "lib/types.h"

namespace cpu {

constexpr u32 CR0_PE = 1u << 0, CR0_MP = 1u << 1, CR0_EM = 1u << 2, CR0_TS = 1u << 3,
              CR0_NE = 1u << 5, CR0_WP = 1u << 16, CR0_AM = 1u << 18, CR0_PG = 1u << 31;
constexpr u32 CR4_PSE = 1u << 4, CR4_PGE = 1u << 7, CR4_OSFXSR = 1u << 9,
              CR4_OSXMMEXCPT = 1u << 10;
constexpr u32 EFLAGS_CF = 1u << 0, EFLAGS_TF = 1u << 8, EFLAGS_IF = 1u << 9,
              EFLAGS_DF = 1u << 10, EFLAGS_IOPL = 3u << 12, EFLAGS_NT = 1u << 14,
              EFLAGS_RF = 1u << 16, EFLAGS_VM = 1u << 17, EFLAGS_AC = 1u << 18,
              EFLAGS_ID = 1u << 21;

inline u32 read_cr0() { u32 v; asm volatile("movl %%cr0, %0" : "=r"(v)); return v; }
inline u32 read_cr2() { u32 v; asm volatile("movl %%cr2, %0" : "=r"(v)); return v; }
inline u32 read_cr3() { u32 v; asm volatile("movl %%cr3, %0" : "=r"(v)); return v; }
inline u32 read_cr4() { u32 v; asm volatile("movl %%cr4, %0" : "=r"(v)); return v; }
inline void write_cr0(u32 v) { asm volatile("movl %0, %%cr0" ::"r"(v) : "memory"); }
inline void write_cr3(u32 v) { asm volatile("movl %0, %%cr3" ::"r"(v) : "memory"); }
inline void write_cr4(u32 v) { asm volatile("movl %0, %%cr4" ::"r"(v) : "memory"); }
inline void invlpg(u32 address) { asm volatile("invlpg (%0)" ::"r"(address) : "memory"); }

inline u32 read_eflags() { u32 v; asm volatile("pushfl; popl %0" : "=r"(v)); return v; }
inline void write_eflags(u32 v) { asm volatile("pushl %0; popfl" ::"r"(v) : "memory", "cc"); }

inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
// sti takes effect after the next instruction, so nothing can slip in between.
inline void enable_interrupts_and_halt() { asm volatile("sti; hlt" ::: "memory"); }
inline void halt() { asm volatile("hlt" ::: "memory"); }
[[noreturn]] inline void halt_forever()
{
    for (;;) asm volatile("cli; hlt" ::: "memory");
}

inline u64 rdtsc()
{
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (static_cast<u64>(hi) << 32) | lo;
}

inline u64 rdmsr(u32 msr)
{
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (static_cast<u64>(hi) << 32) | lo;
}
inline void wrmsr(u32 msr, u64 v)
{
    asm volatile("wrmsr" ::"c"(msr), "a"(static_cast<u32>(v)), "d"(static_cast<u32>(v >> 32)));
}

struct [[gnu::packed]] TablePointer {
    u16 limit;
    u32 base;
};
static_assert(sizeof(TablePointer) == 6);

inline void lgdt(const TablePointer& p) { asm volatile("lgdt %0" ::"m"(p) : "memory"); }
inline void lidt(const TablePointer& p) { asm volatile("lidt %0" ::"m"(p) : "memory"); }
inline void ltr(u16 selector) { asm volatile("ltr %0" ::"r"(selector) : "memory"); }
inline void lldt(u16 selector) { asm volatile("lldt %0" ::"r"(selector) : "memory"); }

} // namespace cpu
