// guest/tests/usermode.cc: ring 3.  A system call through a direct trap gate
// (int $0x80, DPL 3) reaches the guest kernel in ring 1 on the SET_STACK
// stack with the user's CS, SS and ESP in the frame, and no world switch.
#include "test.h"
#include "traps.h"

namespace {
alignas(4096) u8 user_stack[4096];
volatile u32 user_value = 0;

void user_code()
{
    user_value = 42;
    asm volatile("movl $7, %%eax\n\tint $0x80" ::: "eax", "memory");
    for (;;) {
    }
}

void after_syscall()
{
    test::finish();
}

void on_syscall(rung::GuestFrame& f)
{
    test::check(f.from_user(), "the system call came from ring 3");
    test::check((f.cs & 0xFFFF) == 0x73 && (f.ss & 0xFFFF) == 0x7B, "user CS 0x73 and SS 0x7B in the frame");
    test::check(f.esp > reinterpret_cast<u32>(user_stack) && f.esp <= reinterpret_cast<u32>(user_stack) + 4096,
                "the user's ESP in the frame");
    test::check(f.eax == 7, "EAX carried the call number");
    test::check(user_value == 42, "ring 3 wrote its data");
    rung::print("system call %u from ring 3 at %x\n", f.eax, f.eip);
    // Finish in ring 1: resume in the kernel instead of going back.
    f.eip = reinterpret_cast<u32>(after_syscall);
    f.cs = 0x61;
}
} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    rung::set_trap_handler(0x80, on_syscall, rung::TRAP_GATE, 3);
    rung::irq_enable();
    extern char image_end[];
    rung::make_user(0x100000, reinterpret_cast<u32>(image_end) - 0x100000);
    rung::enter_user(user_code, reinterpret_cast<u32>(user_stack) + sizeof user_stack);
    test::fail("came back from ring 3");
    test::finish();
}
