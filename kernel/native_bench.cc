// kernel/native_bench.cc
#include "native_bench.h"
#include "arch/cpu.h"
#include "arch/features.h"
#include "arch/gdt.h"
#include "console/log.h"
#include "mm/paging.h"

extern "C" void native_user_roundtrips(u32* samples, u32 count);
extern "C" char native_bench_return[];

namespace native_bench {
namespace {

constexpr u32 SAMPLES = 1000;
u32 samples[SAMPLES];

void sort(u32* v, u32 n)
{
    for (u32 i = 1; i < n; i++)
        for (u32 j = i; j > 0 && v[j] < v[j - 1]; j--) {
            u32 t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

void report(const char* what, u32 overhead)
{
    for (u32 i = 0; i < SAMPLES; i++) samples[i] = samples[i] > overhead ? samples[i] - overhead : 0;
    sort(samples, SAMPLES);
    console::print("rung: bench: native %s: min %u median %u (%u samples, rdtsc overhead %u removed)\n",
                   what, samples[0], samples[SAMPLES / 2], SAMPLES, overhead);
}

u32 rdtsc_overhead()
{
    u32 best = ~0u;
    for (u32 i = 0; i < 100; i++) {
        u64 a = cpu::rdtsc();
        u64 b = cpu::rdtsc();
        if (b - a < best) best = static_cast<u32>(b - a);
    }
    return best;
}

// Ring 3 needs user pages: for the measurement only, the first 4 MiB (the
// kernel, its stacks and `samples`) are opened to ring 3, then closed again.
void set_low_user_access(bool on)
{
    u32* dir = paging::directory_entries();
    auto flip = [on](u32& e) { e = on ? e | pte::USER : e & ~pte::USER; };
    flip(dir[0]);
    if (!(dir[0] & pte::LARGE)) {
        auto* table = reinterpret_cast<u32*>(dir[0] & pte::FRAME_MASK);
        for (u32 i = 1; i < ENTRIES_PER_TABLE; i++) flip(table[i]);
    }
    cpu::write_cr3(cpu::read_cr3());
}

} // namespace

void run()
{
    if (!features::cpu().tsc) {
        console::print("rung: bench: native: no TSC, nothing measured\n");
        return;
    }
    u32 overhead = rdtsc_overhead();
    bool interrupts = cpu::read_eflags() & cpu::EFLAGS_IF;
    cpu::disable_interrupts();

    // A ring-3 to ring-0 int/iret round trip through the host's trap path.
    host_tables::idt[0x82] = descriptor::gate(SEL_HOST_CODE, reinterpret_cast<u32>(native_bench_return),
                                              descriptor::TYPE_INTERRUPT_GATE, 3);
    set_low_user_access(true);
    native_user_roundtrips(samples, SAMPLES);
    set_low_user_access(false);
    host_tables::idt[0x82] = host_tables::default_gate(0x82);
    report("int/iret ring 3 to 0 round trip", overhead);

    // A pair of CR3 reloads: the two address-space switches of a world switch.
    for (u32 i = 0; i < SAMPLES; i++) {
        u32 cr3 = cpu::read_cr3();
        u64 start = cpu::rdtsc();
        cpu::write_cr3(cr3);
        cpu::write_cr3(cr3);
        samples[i] = static_cast<u32>(cpu::rdtsc() - start);
    }
    report("pair of CR3 reloads", overhead);

    if (interrupts) cpu::enable_interrupts();
}

} // namespace native_bench
