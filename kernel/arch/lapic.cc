// kernel/arch/lapic.cc
#include "arch/lapic.h"
#include "arch/cpu.h"
#include "arch/features.h"
#include "arch/pit.h"
#include "boot/physical_memory.h"
#include "mm/paging.h"

namespace lapic {
namespace {

constexpr u32 MSR_APIC_BASE = 0x1B;
constexpr u32 REG_EOI = 0xB0, REG_SPURIOUS = 0xF0, REG_LVT_TIMER = 0x320, REG_LVT_LINT0 = 0x350,
              REG_LVT_LINT1 = 0x360, REG_TIMER_INITIAL = 0x380, REG_TIMER_CURRENT = 0x390,
              REG_TIMER_DIVIDE = 0x3E0;
constexpr u32 LVT_MASKED = 1u << 16;

volatile u32* base = nullptr;
u32 khz = 0;

u32 read(u32 reg) { return base[reg / 4]; }
void write(u32 reg, u32 value) { base[reg / 4] = value; }

} // namespace

bool init(u32 tsc_khz)
{
    if (!features::cpu().apic || !features::cpu().msr) return false;
    u64 msr = cpu::rdmsr(MSR_APIC_BASE);
    u32 physical = static_cast<u32>(msr) & 0xFFFFF000;
    if (!paging::map_mmio(physical, physical_memory::frames())) return false;
    cpu::wrmsr(MSR_APIC_BASE, msr | (1u << 11)); // globally enabled
    base = reinterpret_cast<volatile u32*>(physical);
    write(REG_SPURIOUS, 0x100 | SPURIOUS_VECTOR); // software enable
    // Virtual-wire mode: the 8259's interrupts arrive through LINT0, NMIs through LINT1.
    write(REG_LVT_LINT0, 0x700);             // ExtINT
    write(REG_LVT_LINT1, 0x400);             // NMI
    write(REG_TIMER_DIVIDE, 0x3);            // divide by 16
    write(REG_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);

    // Calibrate: let the timer count down from its maximum across 10 ms of
    // the PIT.  With a TSC, the window is measured in TSC cycles too, so the
    // timer's rate is set against the very clock guest deadlines are kept in.
    // Best of three, as for the TSC: a disturbance only lengthens a window.
    u64 best = 0;
    for (int i = 0; i < 3; i++) {
        write(REG_TIMER_INITIAL, 0xFFFFFFFF);
        u64 start = tsc_khz ? cpu::rdtsc() : 0;
        pit::wait_channel2(10000);
        u32 counted = 0xFFFFFFFF - read(REG_TIMER_CURRENT);
        u64 rate = tsc_khz ? static_cast<u64>(counted) * tsc_khz / ((cpu::rdtsc() - start) ?: 1) : counted / 10;
        if (i == 0 || rate < best) best = rate;
    }
    write(REG_TIMER_INITIAL, 0);
    khz = static_cast<u32>(best);
    if (khz == 0) {
        base = nullptr;
        return false;
    }
    write(REG_LVT_TIMER, TIMER_VECTOR); // one-shot, unmasked
    return true;
}

bool present() { return base != nullptr; }
u32 timer_khz() { return khz; }

void arm(u64 ns)
{
    u64 counts = (ns * khz + 999999) / 1000000; // round up: "at least"
    if (counts == 0) counts = 1;
    if (counts > 0xFFFFFFFFull) counts = 0xFFFFFFFF;
    write(REG_TIMER_INITIAL, static_cast<u32>(counts));
}

void disarm() { write(REG_TIMER_INITIAL, 0); }
void end_of_interrupt() { write(REG_EOI, 0); }

} // namespace lapic
