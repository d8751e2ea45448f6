// guest/bench/bench.cc: the nanobenchmarks, timed with rdtsc inside the
// guest.  Under QEMU TCG with -icount shift=0 the TSC counts executed
// instructions, so each figure is an exact instruction count (host and guest
// together); on a real PC it is cycles.  tools/bench.py reads the lines.
//
// Each row prints "bench: begin ROW" before its loop and its result after,
// so the host's exit counts (printed after each console write when rung runs
// with `bench`) give the world switches per operation.
#include "lib/string.h"
#include "rung.h"
#include "traps.h"

extern "C" char image_end[];

namespace {

constexpr u32 SAMPLES = 1000;
constexpr u32 PAGE = 4096;
u32 samples[SAMPLES];
u32 overhead = 0;

void report(const char* what, u32 count = SAMPLES, u32 divisor = 1)
{
    for (u32 i = 0; i < count; i++) {
        samples[i] = samples[i] > overhead ? samples[i] - overhead : 0;
        samples[i] /= divisor;
    }
    sort_u32(samples, count);
    rung::print("bench: %s: min %u median %u (%u samples)\n", what, samples[0], samples[count / 2], count);
}

void begin(const char* what) { rung::print("bench: begin %s\n", what); }

u32* pte_of(u32 address)
{
    auto* dir = reinterpret_cast<u32*>(rung::boot_info->pgdir);
    return reinterpret_cast<u32*>(dir[address >> 22] & 0xFFFFF000) + ((address >> 12) & 0x3FF);
}

// Regions of free guest memory: one mapped for ring 3 (a first touch costs
// only the host's shadow fill), one whose guest PTEs are not present (a
// first touch is a guest-visible fault the guest serves).
u32 fill_region = 0, guest_fault_region = 0, directories = 0;

// Ring 3 ---------------------------------------------------------------
u32 syscall_samples[SAMPLES], fill_samples[SAMPLES], fault_samples[SAMPLES];
alignas(4096) u8 user_stack[4096];

// One row per visit to ring 3, so the host's exit counts between the
// "begin" lines split by row.
volatile u32 phase = 0;

void user_main()
{
    if (phase == 0) {
        for (u32 i = 0; i < SAMPLES; i++) {
            u64 start = rung::rdtsc();
            asm volatile("int $0x80" ::: "memory");
            syscall_samples[i] = static_cast<u32>(rung::rdtsc() - start);
        }
    } else if (phase == 1) {
        for (u32 i = 0; i < SAMPLES; i++) {
            volatile u32* p = reinterpret_cast<volatile u32*>(fill_region + i * PAGE);
            u64 start = rung::rdtsc();
            (void)*p;
            fill_samples[i] = static_cast<u32>(rung::rdtsc() - start);
        }
    } else {
        for (u32 i = 0; i < SAMPLES; i++) {
            volatile u32* p = reinterpret_cast<volatile u32*>(guest_fault_region + i * PAGE);
            u64 start = rung::rdtsc();
            (void)*p;
            fault_samples[i] = static_cast<u32>(rung::rdtsc() - start);
        }
    }
    asm volatile("int $0x81");
}

void on_syscall(rung::GuestFrame&) {}

void on_page_fault(rung::GuestFrame& f)
{
    u32 address = rung::lguest_data.cr2;
    if (address - guest_fault_region >= SAMPLES * PAGE) {
        rung::print("unexpected page fault at %x (eip %x)\n", address, f.eip);
        rung::shutdown("bench failed");
    }
    *pte_of(address) |= 1; // not present to present: no call needed
}

void ring3_row_done();
void on_return(rung::GuestFrame& f)
{
    f.eip = reinterpret_cast<u32>(ring3_row_done);
    f.cs = 0x61;
}

// Ring 1 ----------------------------------------------------------------
volatile u64 timer_fired_at = 0;
void on_timer(rung::GuestFrame&) { timer_fired_at = rung::rdtsc(); }
void on_divide(rung::GuestFrame& f) { f.eip += 2; } // divl %ecx is two bytes

void copy_rows(const u32* from, const char* what)
{
    for (u32 i = 0; i < SAMPLES; i++) samples[i] = from[i];
    report(what);
}

const char* const ring3_rows[] = {"syscall through a direct trap", "user demand fault, shadow fill only",
                                  "user demand fault served by the guest"};
u32* const ring3_samples[] = {syscall_samples, fill_samples, fault_samples};
void ring1_rows();

void ring3_row()
{
    begin(ring3_rows[phase]);
    rung::enter_user(user_main, reinterpret_cast<u32>(user_stack) + sizeof user_stack);
}

// Back from ring 3, on the trap stack: report the row, then the next one.
void ring3_row_done()
{
    copy_rows(ring3_samples[phase], ring3_rows[phase]);
    phase = phase + 1;
    if (phase < 3) ring3_row();
    ring1_rows();
}

void ring1_rows()
{
    begin("null hypercall round trip");
    for (u32 i = 0; i < SAMPLES; i++) {
        u64 start = rung::rdtsc();
        rung::hypercall(hcall::SEND_INTERRUPTS);
        samples[i] = static_cast<u32>(rung::rdtsc() - start);
    }
    report("null hypercall round trip");

    begin("reflected divide error");
    for (u32 i = 0; i < SAMPLES; i++) {
        u64 start = rung::rdtsc();
        asm volatile("xorl %%edx, %%edx\n\tmovl $1, %%eax\n\txorl %%ecx, %%ecx\n\tdivl %%ecx"
                     ::: "eax", "ecx", "edx", "memory");
        samples[i] = static_cast<u32>(rung::rdtsc() - start);
    }
    report("reflected divide error");

    begin("SET_PTE");
    for (u32 i = 0; i < SAMPLES; i++) {
        u32 address = fill_region + i * PAGE;
        u64 start = rung::rdtsc();
        *pte_of(address) ^= 0x20; // the accessed bit: a change the host must hear of
        rung::hypercall(hcall::SET_PTE, rung::boot_info->pgdir, address, *pte_of(address));
        samples[i] = static_cast<u32>(rung::rdtsc() - start);
    }
    report("SET_PTE");

    begin("SET_PTE batched (per entry, 50 a batch)");
    for (u32 round = 0; round < SAMPLES / 50; round++) {
        u64 start = rung::rdtsc();
        for (u32 i = 0; i < 50; i++) {
            u32 address = fill_region + i * PAGE;
            *pte_of(address) ^= 0x20;
            rung::queue_async(hcall::SET_PTE, rung::boot_info->pgdir, address, *pte_of(address));
        }
        rung::hypercall(hcall::FLUSH_ASYNC);
        samples[round] = static_cast<u32>(rung::rdtsc() - start);
    }
    report("SET_PTE batched (per entry, 50 a batch)", SAMPLES / 50, 50);

    begin("NEW_PGTABLE, shadow cached");
    for (u32 i = 0; i < SAMPLES; i++) {
        u32 directory = directories + (i % 2) * PAGE;
        u64 start = rung::rdtsc();
        rung::hypercall(hcall::NEW_PGTABLE, directory);
        samples[i] = static_cast<u32>(rung::rdtsc() - start);
    }
    report("NEW_PGTABLE, shadow cached");

    begin("NEW_PGTABLE, not cached (with the refills it causes)");
    for (u32 i = 0; i < SAMPLES; i++) {
        u32 directory = directories + (i % 20) * PAGE; // 20 > the 16 cached: each is a miss
        u64 start = rung::rdtsc();
        rung::hypercall(hcall::NEW_PGTABLE, directory);
        samples[i] = static_cast<u32>(rung::rdtsc() - start);
    }
    report("NEW_PGTABLE, not cached (with the refills it causes)");
    rung::hypercall(hcall::NEW_PGTABLE, rung::boot_info->pgdir);

    begin("timer interrupt delivery, deadline to handler");
    u32 khz = rung::boot_info->tsc_khz;
    constexpr u32 DELAY_NS = 200000;
    for (u32 i = 0; i < 50; i++) {
        timer_fired_at = 0;
        u64 start = rung::rdtsc();
        rung::hypercall(hcall::SET_CLOCKEVENT, DELAY_NS);
        while (!timer_fired_at) rung::hypercall(hcall::HALT);
        u64 due = start + static_cast<u64>(DELAY_NS) * khz / 1000000;
        samples[i] = timer_fired_at > due ? static_cast<u32>(timer_fired_at - due) + overhead : overhead;
    }
    report("timer interrupt delivery, deadline to handler", 50);
    rung::shutdown("bench done");
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    overhead = ~0u;
    for (u32 i = 0; i < 100; i++) {
        u64 a = rung::rdtsc();
        u64 b = rung::rdtsc();
        if (b - a < overhead) overhead = static_cast<u32>(b - a);
    }
    rung::print("bench: rdtsc overhead %u\n", overhead);

    u32 free = rung::boot_info->free_start;
    fill_region = (free + PAGE - 1) & ~(PAGE - 1);
    guest_fault_region = fill_region + SAMPLES * PAGE;
    directories = guest_fault_region + SAMPLES * PAGE;
    if (directories + 20 * PAGE > rung::boot_info->mem_bytes) rung::shutdown("bench needs mem=16M");
    // Twenty copies of the boot directory: the same mappings, twenty address spaces.
    for (u32 d = 0; d < 20; d++) {
        auto* to = reinterpret_cast<u32*>(directories + d * PAGE);
        auto* from = reinterpret_cast<const u32*>(rung::boot_info->pgdir);
        for (u32 i = 0; i < 1024; i++) to[i] = from[i];
    }

    rung::set_trap_handler(0, on_divide, rung::INTERRUPT_GATE, 0);
    rung::set_trap_handler(14, on_page_fault, rung::INTERRUPT_GATE, 0);
    rung::set_trap_handler(32, on_timer, rung::INTERRUPT_GATE, 0);
    rung::set_trap_handler(0x80, on_syscall, rung::TRAP_GATE, 3);
    rung::set_trap_handler(0x81, on_return, rung::TRAP_GATE, 3);
    rung::irq_enable();

    rung::make_user(0x100000, reinterpret_cast<u32>(image_end) - 0x100000);
    rung::make_user(fill_region, 2 * SAMPLES * PAGE);
    for (u32 i = 0; i < SAMPLES; i++) *pte_of(guest_fault_region + i * PAGE) &= ~1u;
    rung::hypercall(hcall::FLUSH_TLB, 1);
    ring3_row();
}
