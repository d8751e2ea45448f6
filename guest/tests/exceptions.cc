// guest/tests/exceptions.cc: CPU exceptions raised in ring 1, each caught
// by the guest's own handler (reflected by the host, or direct), checked
// for vector, error code, faulting EIP, CS and the guest's interrupt flag.
#include "test.h"
#include "traps.h"

namespace {

// Runs `body` (an asm snippet that faults at label 1 and resumes at label 2)
// and checks what was caught.
#define EXPECT_TRAP(name, want_vector, want_error, setup, asm_body, ...)                           \
    do {                                                                                          \
        u32 fault_eip, resume_eip;                                                                \
        asm volatile("movl $1f, %0\n\tmovl $2f, %1\n\tjmp 3f\n" setup "\n1:\n\t" asm_body "\n2:\n\tjmp 4f\n3:\n\t" \
                     "pushl %1\n\tcall *%[arm]\n\taddl $4, %%esp\n\tjmp 0f\n0:\n\t" setup "\n\tjmp 1b\n4:"                   \
                     : "=&r"(fault_eip), "=&r"(resume_eip)                                          \
                     : [arm] "r"(&rung::arm_fixup), ##__VA_ARGS__                                   \
                     : "eax", "ecx", "edx", "memory", "cc");                                        \
        check_caught(name, want_vector, want_error, fault_eip);                                    \
    } while (0)

void check_caught(const char* name, u32 vector, u32 error, u32 eip)
{
    const volatile rung::Caught& c = rung::caught;
    bool ok = c.caught && c.vector == vector && c.error == error && c.eip == eip && (c.cs & 0xFFFF) == 0x61 &&
              (c.eflags & 0x200) == 0x200;
    rung::print("%s: %s (vector %u error %x eip %x cs %x if %u)\n", name, ok ? "ok" : "WRONG", c.vector, c.error,
                c.eip, c.cs, (c.eflags >> 9) & 1);
    if (!ok) test::fail("%s: expected vector %u error %x at %x", name, vector, error, eip);
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    for (u32 v = 0; v < 20; v++)
        if (v != 2 && v != 8 && v != 15) rung::set_trap_handler(v, rung::fixup_handler, rung::INTERRUPT_GATE, 0);
    rung::irq_enable();
    static u32 zero = 0;

    EXPECT_TRAP("divide error", 0, 0, "", "divl %[zero]", [zero] "m"(zero));
    EXPECT_TRAP("invalid opcode", 6, 0, "", "ud2");
    EXPECT_TRAP("cli is privileged", 13, 0, "", "cli");
    EXPECT_TRAP("hlt is privileged", 13, 0, "", "hlt");
    EXPECT_TRAP("in from a port", 13, 0, "", "inb $0x60, %%al");
    EXPECT_TRAP("out to a port", 13, 0, "", "outb %%al, $0x80");
    EXPECT_TRAP("mov to cr3", 13, 0, "", "movl %%eax, %%cr3");
    EXPECT_TRAP("lgdt", 13, 0, "", "lgdt (%%esp)");
    EXPECT_TRAP("int 0x20 (host vector)", 13, 0x20 * 8 + 2, "", "int $0x20");
    EXPECT_TRAP("page fault, not present", 14, 0x2, "", "movl %%eax, 0x40000000");
    test::check(rung::caught.cr2 == 0x40000000, "cr2 of the page fault");
    test::finish();
}
