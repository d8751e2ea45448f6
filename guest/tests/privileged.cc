// guest/tests/privileged.cc: a guest runs in ring 1 or 3, never ring 0, and
// IOPL is 0: every privileged or I/O instruction is a #GP (error 0)
// reflected into the guest, from ring 1 as from ring 3 (ABI section 5).
// And what ring 1 may do unprivileged cannot reach the real machine: popf
// does not change IF or IOPL.
#include "probe.h"
#include "test.h"

namespace {

struct Privileged {
    const char* name;
    void (*run)();
};

u32 scratch[2];

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    rung::init_user();
    rung::irq_enable();

    const Privileged instructions[] = {
        {"cli", [] { RUNG_PROBE("", "cli", ""); }},
        {"sti", [] { RUNG_PROBE("", "sti", ""); }},
        {"hlt", [] { RUNG_PROBE("", "hlt", ""); }},
        {"in", [] { RUNG_PROBE("", "inb $0x60, %%al", ""); }},
        {"in (dx)", [] { RUNG_PROBE("movl $0xCF8, %%edx", "inl %%dx, %%eax", ""); }},
        {"out", [] { RUNG_PROBE("", "outb %%al, $0x80", ""); }},
        {"out (dx)", [] { RUNG_PROBE("movl $0xF4, %%edx", "outb %%al, %%dx", ""); }},
        {"insb", [] { RUNG_PROBE("movl $0x60, %%edx", "insb", "", "D"(scratch)); }},
        {"outsb", [] { RUNG_PROBE("movl $0x80, %%edx", "outsb", "", "S"(scratch)); }},
        {"lgdt", [] { RUNG_PROBE("", "lgdt %[m]", "", [m] "m"(scratch)); }},
        {"lidt", [] { RUNG_PROBE("", "lidt %[m]", "", [m] "m"(scratch)); }},
        {"mov to cr3", [] { RUNG_PROBE("xorl %%eax, %%eax", "movl %%eax, %%cr3", ""); }},
        {"mov from cr3", [] { RUNG_PROBE("", "movl %%cr3, %%eax", ""); }},
        {"mov to cr0", [] { RUNG_PROBE("xorl %%eax, %%eax", "movl %%eax, %%cr0", ""); }},
        {"mov from cr0", [] { RUNG_PROBE("", "movl %%cr0, %%eax", ""); }},
        {"mov to dr7", [] { RUNG_PROBE("xorl %%eax, %%eax", "movl %%eax, %%dr7", ""); }},
        {"clts", [] { RUNG_PROBE("", "clts", ""); }},
        {"invlpg", [] { RUNG_PROBE("", "invlpg %[m]", "", [m] "m"(scratch)); }},
        {"wbinvd", [] { RUNG_PROBE("", "wbinvd", ""); }},
        {"rdmsr", [] { RUNG_PROBE("movl $0x10, %%ecx", "rdmsr", ""); }},
        {"wrmsr", [] { RUNG_PROBE("movl $0x10, %%ecx; xorl %%eax, %%eax; xorl %%edx, %%edx", "wrmsr", ""); }},
    };
    const u32 gates[] = {rung::INTERRUPT_GATE, rung::TRAP_GATE}, rings[] = {1, 3};
    for (u32 gate : gates) {
        rung::probe_gates(gate); // #GP is never direct: both are reflected
        for (u32 ring : rings) {
            u32 ok = 0, count = 0;
            for (const Privileged& p : instructions) {
                if (ring == 1) p.run();
                else rung::call_user(p.run);
                count++;
                if (rung::check_probe(p.name, {.vector = 13, .error = 0})) ok++;
            }
            rung::print("ring %u, %s gates: %u of %u privileged instructions gave #GP\n", ring,
                        gate == rung::TRAP_GATE ? "trap" : "interrupt", ok, count);
        }
    }

    // popf in ring 1 (CPL 1 > IOPL 0): IF and IOPL stay as they are, silently.
    u32 flags = 0;
    asm volatile("pushfl\n\t"
                 "pushfl\n\t"
                 "andl $~0x200, (%%esp)\n\t"   // IF off
                 "orl $0x3000, (%%esp)\n\t"    // IOPL 3
                 "popfl\n\t"
                 "pushfl\n\t"
                 "popl %0\n\t"
                 "popfl"
                 : "=r"(flags)
                 :
                 : "memory", "cc");
    test::check(flags & 0x200, "popf in ring 1 cannot clear the real IF");
    test::check((flags & 0x3000) == 0, "popf in ring 1 cannot raise IOPL");
    test::finish();
}
