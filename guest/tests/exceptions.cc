// guest/tests/exceptions.cc: every CPU exception a guest can raise, from
// ring 1 and from ring 3, with virtual interrupts on and off, through
// interrupt gates (always reflected by the host) and trap gates (direct
// where the ABI allows).  Each is checked for vector, error code, EIP (a
// fault reports the instruction, a trap the next one), CS, SS:ESP from ring
// 3, the frame's IF (= irq_enabled) and irq_enabled in the handler.
//
// Not raised: 2 (NMI: the host's, never a guest's), 8 (#DF: the host's;
// LOAD_IDT_ENTRY ignores the vector), 9 (coprocessor segment overrun: no CPU
// since the 386 raises it), 15 (reserved), 18 (#MC: hardware errors only).
// #AC, #XM and segment limit and type checks depend on the CPU (and on
// rung's CR0 and CR4): the guest names `alignment`, `simd` and
// `segment_checks` test them apart, so that a SKIP there does not hide this
// guest's verdict.
#include "cpu_features.h"
#include "arch/descriptor.h"
#include "lib/string.h"
#include "probe.h"
#include "test.h"

using rung::Expect;

extern "C" {
u32 exceptions_scratch; // written through CS or a read-only segment, which never succeeds
}

namespace {

constexpr u32 RING1 = 1 << 1, RING3 = 1 << 3, BOTH = RING1 | RING3;
constexpr u32 GATES[] = {rung::INTERRUPT_GATE, rung::TRAP_GATE}, RINGS[] = {1, 3};
constexpr bool IRQ_STATES[] = {true, false};

u32 zero = 0;
u64 zero64 = 0;
i32 bounds[2] = {0, 3};
u16 zero_divide_unmasked = 0x037B; // the default control word with ZM clear
alignas(4096) u8 read_only_page[4096];
u32 supervisor_page = 0;           // above the image: never opened to ring 3
u8 user_buffer[16];

// GDT entries of our own: 20, data, DPL 3, not present; 21, the same with
// DPL 1; 22, data, DPL 3, limit 4 KiB (a stack that cannot reach ours);
// 23, read-only data, DPL 3; 24, data, DPL 3, 4 KiB at small_data.
constexpr u32 SEL_ABSENT3 = 20 * 8 + 3, SEL_ABSENT1 = 21 * 8 + 1, SEL_SMALL3 = 22 * 8 + 3, SEL_READ_ONLY3 = 23 * 8 + 3,
              SEL_SMALL_DATA3 = 24 * 8 + 3;
alignas(4096) u8 small_data[8192]; // a CPU that ignores the limit reads the second page

struct Probe {
    const char* name;
    void (*run)();
    Expect want;
    u32 rings;
    bool user_bit = false;        // #PF from ring 3 adds U (4) to the error code
    void (*before)() = nullptr;   // in ring 1, before
    void (*after)() = nullptr;    // in ring 1, after
};

void ts_on() { rung::hypercall(hcall::TS, 1); }

void ts_off()
{
    // TS 0 makes the FPU usable again: the instruction that trapped now runs.
    rung::hypercall(hcall::TS, 0);
    u64 one = 0;
    asm volatile("fninit; fld1; fstpl %0; fwait" : "=m"(one));
    test::check(one == 0x3FF0000000000000ull, "fld1 works again after TS 0");
}

void make_read_only(u32 address)
{
    auto* dir = reinterpret_cast<u32*>(rung::boot_info->pgdir);
    auto* table = reinterpret_cast<u32*>(dir[address >> 22] & 0xFFFFF000);
    u32& pte = table[(address >> 12) & 0x3FF];
    pte &= ~2u;
    rung::hypercall(hcall::SET_PTE, rung::boot_info->pgdir, address, pte);
}

void load_gdt(u32 index, Descriptor d) { rung::hypercall(hcall::LOAD_GDT_ENTRY, index, d.low, d.high); }

void stack_absent()
{
    if (rung::current_ring() == 3) RUNG_PROBE("movl %[s], %%eax", "movl %%eax, %%ss", "", [s] "i"(SEL_ABSENT3));
    else RUNG_PROBE("movl %[s], %%eax", "movl %%eax, %%ss", "", [s] "i"(SEL_ABSENT1));
}

u32 run_round(const Probe* probes, u32 count, u32 ring)
{
    u32 ok = 0, ran = 0;
    for (u32 i = 0; i < count; i++) {
        const Probe& p = probes[i];
        if (!(p.rings & (1u << ring))) continue;
        if (p.before) p.before();
        if (ring == 1) p.run();
        else rung::call_user(p.run);
        if (p.after) p.after();
        Expect want = p.want;
        if (ring == 3 && p.user_bit) want.error |= 4;
        ran++;
        if (rung::check_probe(p.name, want)) ok++;
    }
    test::check(ok == ran, "every exception as the CPU would deliver it");
    return ran;
}

void main_test()
{
    supervisor_page = rung::boot_info->free_start;
    make_read_only(reinterpret_cast<u32>(read_only_page));
    Descriptor absent3 = descriptor::segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 3);
    absent3.set_present(false);
    Descriptor absent1 = descriptor::segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1);
    absent1.set_present(false);
    load_gdt(20, absent3);
    load_gdt(21, absent1);

    const u32 ro = reinterpret_cast<u32>(read_only_page);
    const Probe probes[] = {
        {"#DE divide by zero", [] { RUNG_PROBE("xorl %%edx, %%edx; movl $1, %%eax", "divl %[z]", "", [z] "m"(zero)); },
         {.vector = 0}, BOTH},
        {"#DB single step", [] { RUNG_PROBE("pushfl; orl $0x100, (%%esp); popfl", "nop", ""); },
         {.vector = 1, .trap = true}, BOTH},
        {"#BP int3", [] { RUNG_PROBE("", "int3", ""); }, {.vector = 3, .trap = true}, BOTH},
        {"#OF into", [] { RUNG_PROBE("movl $0x7FFFFFFF, %%eax; addl $1, %%eax", "into", ""); },
         {.vector = 4, .trap = true}, BOTH},
        {"#BR bound", [] { RUNG_PROBE("movl $5, %%eax", "bound %%eax, %[b]", "", [b] "m"(bounds)); },
         {.vector = 5}, BOTH},
        {"#UD ud2", [] { RUNG_PROBE("", "ud2", ""); }, {.vector = 6}, BOTH},
        {"#NM fld1 with TS", [] { RUNG_PROBE("", "fld1", ""); }, {.vector = 7}, BOTH, false, ts_on, ts_off},
        // CR0.MP is on, as for any OS with a lazy FPU: with TS, fwait traps too.
        {"#NM fwait with TS", [] { RUNG_PROBE("", "fwait", ""); }, {.vector = 7}, BOTH, false, ts_on, ts_off},
        // A nested-task iret reads the back link of the current TSS (the
        // host's, link 0): the null selector is no TSS.
        {"#TS iret with NT", [] { RUNG_PROBE("pushfl; orl $0x4000, (%%esp); popfl", "iret", ""); },
         {.vector = 10, .error = 0}, BOTH},
        {"#NP data segment not present",
         [] { RUNG_PROBE("movl %[s], %%eax", "movl %%eax, %%es", "", [s] "i"(SEL_ABSENT3)); },
         {.vector = 11, .error = SEL_ABSENT3 & ~3u}, BOTH},
        {"#SS stack segment not present", stack_absent, {.vector = 12, .error = SEL_ABSENT1 & ~3u}, RING1},
        {"#SS stack segment not present", stack_absent, {.vector = 12, .error = SEL_ABSENT3 & ~3u}, RING3},
        {"#GP cli", [] { RUNG_PROBE("", "cli", ""); }, {.vector = 13}, BOTH},
        {"#GP selector past the GDT limit", [] { RUNG_PROBE("movl $0x103, %%eax", "movl %%eax, %%es", ""); },
         {.vector = 13, .error = 0x100}, BOTH},
        {"#GP int $0x20 (a host interrupt vector)", [] { RUNG_PROBE("", "int $0x20", ""); },
         {.vector = 13, .error = 0x20 * 8 + 2}, BOTH},
        {"#GP int $0x1f from ring 3 (the hypercall gate is DPL 1)", [] { RUNG_PROBE("", "int $0x1f", ""); },
         {.vector = 13, .error = 0x1F * 8 + 2}, RING3},
        {"#GP kernel data selector in ring 3", [] { RUNG_PROBE("movl $0x69, %%eax", "movl %%eax, %%es", ""); },
         {.vector = 13, .error = 0x68}, RING3},
        {"#PF read, not present", [] { RUNG_PROBE("", "movl 0x40000000, %%eax", ""); },
         {.vector = 14, .error = 0, .cr2 = 0x40000000}, BOTH, true},
        {"#PF write, not present", [] { RUNG_PROBE("", "movl %%eax, 0x40000000", ""); },
         {.vector = 14, .error = 2, .cr2 = 0x40000000}, BOTH, true},
        {"#PF write, read-only page", [] { RUNG_PROBE("", "movl %%eax, (%[p])", "", [p] "r"(read_only_page)); },
         {.vector = 14, .error = 3, .cr2 = ro}, BOTH, true},
        {"#PF read, supervisor page from ring 3",
         [] { RUNG_PROBE("", "movl (%[p]), %%eax", "", [p] "r"(supervisor_page)); },
         {.vector = 14, .error = 5, .cr2 = supervisor_page}, RING3},
        {"#PF write, supervisor page from ring 3",
         [] { RUNG_PROBE("", "movl %%eax, (%[p])", "", [p] "r"(supervisor_page)); },
         {.vector = 14, .error = 7, .cr2 = supervisor_page}, RING3},
        // CR0.NE is on: an unmasked x87 exception is #MF at the next waiting
        // instruction, not an IRQ 13.
        {"#MF x87 divide by zero, unmasked",
         [] { RUNG_PROBE("fninit; fldcw %[cw]; fld1; fdivl %[z]", "fwait", "fnclex; fninit",
                         [cw] "m"(zero_divide_unmasked), [z] "m"(zero64)); },
         {.vector = 16}, BOTH},
    };
    constexpr u32 count = sizeof probes / sizeof probes[0];

    for (u32 gate : GATES) {
        rung::probe_gates(gate);
        for (bool irq : IRQ_STATES) {
            for (u32 ring : RINGS) {
                if (irq) rung::irq_enable();
                else rung::irq_disable();
                u32 ran = run_round(probes, count, ring);
                rung::irq_enable();
                rung::print("ring %u, interrupts %s, %s gates: %u exceptions checked\n", ring, irq ? "on" : "off",
                            gate == rung::TRAP_GATE ? "trap" : "interrupt", ran);
            }
        }
    }
    test::check(read_only_page[0] == 0, "the read-only page kept its contents");
}

// Segment limits and types, checked by the CPU on every access.  QEMU's TCG
// does not check them (its accesses are flat), so a probe that does not
// trap at all is the CPU's doing, never rung's (the host sees no trap to
// lose): reported as a SKIP.  Each teardown puts SS and ESP back, so a CPU
// that lets the access through leaves the probe whole.
void segment_checks()
{
    load_gdt(22, descriptor::segment(0, 0xFFF, descriptor::TYPE_DATA_RW, 3));
    load_gdt(23, descriptor::segment(0, 0xFFFFFFFF, 0x0 /* read-only data */, 3));
    load_gdt(24, descriptor::segment(reinterpret_cast<u32>(small_data), 0xFFF, descriptor::TYPE_DATA_RW, 3));
    struct Check {
        const char* name;
        void (*run)();
        Expect want;
        u32 rings;
    };
    const Check checks[] = {
        // Only from ring 3: in ring 1 the frame would go on the same small
        // stack (as the CPU would put it there) and the handler could not run.
        {"#SS push past the stack limit",
         [] { RUNG_PROBE("movl %[s], %%eax; movl %%eax, %%ss", "pushl %%eax",
                         "movl %[u], %%eax; movl %%eax, %%ss; movl rung_probe_esp, %%esp", [s] "i"(SEL_SMALL3),
                         [u] "i"(0x7B)); },
         {.vector = 12, .error = 0, .ss = SEL_SMALL3}, RING3},
        {"#GP read past a data segment's limit",
         [] { RUNG_PROBE("movl %%ds, %%ecx; movl %[s], %%eax; movl %%eax, %%es", "movl %%es:0x1000, %%eax",
                         "movl %%ecx, %%es", [s] "i"(SEL_SMALL_DATA3)); },
         {.vector = 13, .error = 0}, BOTH},
        {"#GP write through CS", [] { RUNG_PROBE("", "movl %%eax, %%cs:exceptions_scratch", ""); },
         {.vector = 13, .error = 0}, BOTH},
        {"#GP write to a read-only data segment",
         [] { RUNG_PROBE("movl %%ds, %%ecx; movl %[s], %%eax; movl %%eax, %%es", "movl %%eax, %%es:exceptions_scratch",
                         "movl %%ecx, %%es", [s] "i"(SEL_READ_ONLY3)); },
         {.vector = 13, .error = 0}, BOTH},
    };
    for (u32 gate : GATES) {
        rung::probe_gates(gate);
        for (u32 ring : RINGS) {
            for (const Check& c : checks) {
                if (!(c.rings & (1u << ring))) continue;
                if (ring == 1) c.run();
                else rung::call_user(c.run);
                if (rung::probe.traps == 0) test::skip("%s (ring %u): the CPU did not check it", c.name, ring);
                else rung::check_probe(c.name, c.want);
            }
        }
    }
    rung::print("segment limit and type checks done\n");
}

// #AC needs CR0.AM, EFLAGS.AC and CPL 3.  rung does not promise CR0.AM (the
// ABI says nothing of it): if the unaligned load does not trap, say so.
void alignment_test()
{
    // Ring 1 never checks alignment.
    RUNG_PROBE("pushfl; orl $0x40000, (%%esp); popfl", "movl 1(%[p]), %%eax", "pushfl; andl $~0x40000, (%%esp); popfl",
               [p] "r"(user_buffer));
    test::check(rung::check_no_trap("unaligned load in ring 1 with EFLAGS.AC"), "no #AC in ring 1");
    rung::call_user([] {
        RUNG_PROBE("pushfl; orl $0x40000, (%%esp); popfl", "movl 1(%[p]), %%eax",
                   "pushfl; andl $~0x40000, (%%esp); popfl", [p] "r"(user_buffer));
    });
    if (rung::probe.traps == 0) {
        test::skip("#AC: an unaligned load in ring 3 with EFLAGS.AC set did not trap: CR0.AM is off in rung");
        return;
    }
    rung::check_probe("#AC unaligned load in ring 3", {.vector = 17, .error = 0});
}


u32 mxcsr_zero_divide_unmasked = 0x1D80; // the default MXCSR with ZM clear
u32 mxcsr_default = 0x1F80;
u32 one_float = 0x3F800000;

void simd_test()
{
    if (!rung::has_sse()) {
        test::skip("#XM: this CPU has no SSE (CPUID.1:EDX.SSE clear)");
        return;
    }
    // Masked, a divide by zero only sets ZE in MXCSR.
    u32 mxcsr = 0;
    asm volatile("ldmxcsr %[d]; xorps %%xmm0, %%xmm0; movss %[one], %%xmm1\n\t"
                 "divss %%xmm0, %%xmm1; stmxcsr %[m]; ldmxcsr %[d]"
                 : [m] "=m"(mxcsr)
                 : [d] "m"(mxcsr_default), [one] "m"(one_float));
    test::check(mxcsr == (0x1F80 | 0x4), "a masked SSE divide by zero sets ZE and does not trap");
    // Unmasked, with CR4.OSXMMEXCPT: #XM (19), a fault at the divss.
    for (u32 gate : GATES) {
        rung::probe_gates(gate);
        for (u32 ring : RINGS) {
            auto run = [] {
                RUNG_PROBE("ldmxcsr %[u]; xorps %%xmm0, %%xmm0; movss %[one], %%xmm1", "divss %%xmm0, %%xmm1",
                           "ldmxcsr %[d]", [u] "m"(mxcsr_zero_divide_unmasked), [d] "m"(mxcsr_default),
                           [one] "m"(one_float));
            };
            if (ring == 1) run();
            else rung::call_user(run);
            // No trap at all is the CPU's doing (QEMU's TCG sets the flag and
            // goes on); a host without CR4.OSXMMEXCPT would show #UD instead.
            if (rung::probe.traps == 0) test::skip("#XM (ring %u): the CPU did not raise it", ring);
            else rung::check_probe("#XM SSE divide by zero, unmasked", {.vector = 19});
        }
    }
    rung::print("#XM checked from rings 1 and 3\n");
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    rung::init_user();
    rung::irq_enable();
    const char* who = rung::name();
    if (strcmp(who, "alignment") == 0) {
        rung::probe_gates(rung::INTERRUPT_GATE);
        alignment_test();
    } else if (strcmp(who, "simd") == 0) {
        simd_test();
    } else if (strcmp(who, "segment_checks") == 0) {
        segment_checks();
    } else {
        main_test();
    }
    test::finish();
}
