// kernel/native_bench.cc
#include "native_bench.h"
#include "arch/cpu.h"
#include "arch/features.h"
#include "arch/gdt.h"
#include "console/log.h"
#include "arch/trap.h"
#include "boot/physical_memory.h"
#include "lib/string.h"
#include "mm/paging.h"

extern "C" void native_user_roundtrips(u32* samples, u32 count);
extern "C" void native_user_touches(u32* samples, u32 count, u32 base);
extern "C" char native_bench_return[];

namespace native_bench {
namespace {

constexpr u32 SAMPLES = 1000;
u32 samples[SAMPLES];

void report(const char* what, u32 overhead)
{
    for (u32 i = 0; i < SAMPLES; i++) samples[i] = samples[i] > overhead ? samples[i] - overhead : 0;
    sort_u32(samples, SAMPLES);
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

// The demand-fault region: directory slot 1020, its pages mapped one by
// one by the fault hook below, all onto one scratch frame.
constexpr u32 DEMAND_BASE = 1020u << 22;
u32 scratch_frame = 0;

bool map_on_demand(u32 address)
{
    if (address - DEMAND_BASE >= SAMPLES * PAGE_SIZE) return false;
    auto* table = reinterpret_cast<u32*>(paging::directory_entries()[1020] & pte::FRAME_MASK);
    table[table_index(address)] = scratch_frame | pte::USER | pte::WRITABLE | pte::PRESENT;
    return true;
}

void demand_faults(u32 overhead)
{
    FrameAllocator& frames = physical_memory::frames();
    u32 table = frames.alloc(), scratch = frames.alloc();
    if (table == NO_FRAME || scratch == NO_FRAME) return;
    memset(reinterpret_cast<void*>(table * FRAME_SIZE), 0, PAGE_SIZE);
    scratch_frame = scratch * FRAME_SIZE;
    u32* dir = paging::directory_entries();
    dir[1020] = table * FRAME_SIZE | pte::USER | pte::WRITABLE | pte::PRESENT;
    trap::set_page_fault_hook(map_on_demand);
    native_user_touches(samples, SAMPLES, DEMAND_BASE);
    trap::set_page_fault_hook(nullptr);
    dir[1020] = 0;
    cpu::write_cr3(cpu::read_cr3());
    frames.free(table);
    frames.free(scratch);
    report("ring-3 demand fault mapped by ring 0", overhead);
}

void divide_errors(u32 overhead)
{
    for (u32 i = 0; i < SAMPLES; i++) {
        u32 zero = 0, start, end;
        trap::expected = {};
        trap::expected.armed = true;
        asm volatile("movl $1f, %[resume]\n\t"
                     "rdtsc\n\t"
                     "movl %%eax, %[start]\n\t"
                     "movl $1, %%eax\n\t"
                     "xorl %%edx, %%edx\n\t"
                     "divl %[zero]\n"
                     "1:\n\t"
                     "rdtsc"
                     : [resume] "=m"(trap::expected.resume), [start] "=&r"(start), "=a"(end)
                     : [zero] "m"(zero)
                     : "edx", "memory");
        samples[i] = end - start;
    }
    trap::expected = {};
    report("divide error caught in ring 0", overhead);
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

    divide_errors(overhead);
    set_low_user_access(true);
    demand_faults(overhead);
    set_low_user_access(false);
    host_tables::idt[0x82] = host_tables::default_gate(0x82);

    // A page-table entry written by ring 0: the native side of SET_PTE.
    static u32 entry = 0;
    for (u32 i = 0; i < SAMPLES; i++) {
        u64 start = cpu::rdtsc();
        asm volatile("movl %1, %0" : "=m"(entry) : "r"(i | pte::PRESENT) : "memory");
        samples[i] = static_cast<u32>(cpu::rdtsc() - start);
    }
    report("page-table entry store", overhead);

    if (interrupts) cpu::enable_interrupts();
}

} // namespace native_bench
