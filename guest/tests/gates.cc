// guest/tests/gates.cc: software interrupts and the two kinds of gate.  A
// system call from ring 3 through a trap gate with DPL 3 (int $0x80, which
// the ABI lets the CPU take directly) arrives in ring 1 on the SET_STACK
// stack with the user's CS, SS and ESP in the frame, and its result goes
// back in EAX.  Through an interrupt gate the handler finds irq_enabled 0
// (and the iret restores it); through a trap gate irq_enabled is untouched.
// Both with virtual interrupts on and off, from ring 3 and ring 1, for
// `int $n` and for the timer.  A gate's DPL decides who may `int` it.
#include "probe.h"
#include "test.h"

using rung::ANY;

namespace {

constexpr u32 GATES[] = {rung::TRAP_GATE, rung::INTERRUPT_GATE};
constexpr bool IRQ_STATES[] = {true, false};

// What the handler saw.
struct Seen {
    u32 count, eip, cs, eflags, esp, ss, eax, ebx, irq;
};
Seen seen;

// Written by the caller of `int`, in ring 1 or 3.
u32 esp_at_int, eip_after_int, result;

void on_call(rung::GuestFrame& f)
{
    seen = {seen.count + 1, f.eip, f.cs & 0xFFFF, f.eflags, f.from_user() ? f.esp : ANY,
            f.from_user() ? f.ss & 0xFFFF : ANY, f.eax, f.ebx, rung::lguest_data.irq_enabled};
    f.eax = f.eax + 2 * f.ebx; // the call's result
}

template <u32 VECTOR> void call()
{
    asm volatile("movl %%esp, %[esp]\n\t"
                 "movl $7, %%eax\n\t"
                 "movl $0x1234, %%ebx\n\t"
                 "int %[v]\n"
                 "1:\n\t"
                 "movl $1b, %[next]\n\t"
                 "movl %%eax, %[result]"
                 : [esp] "=m"(esp_at_int), [next] "=m"(eip_after_int), [result] "=m"(result)
                 : [v] "i"(VECTOR)
                 : "eax", "ebx", "memory");
}

// Runs one `int` and checks the frame and the flag, in and after the handler.
void check_call(const char* what, void (*caller)(), u32 ring, u32 gate, bool irq)
{
    seen = {};
    result = 0;
    if (irq) rung::irq_enable();
    else rung::irq_disable();
    if (ring == 3) rung::call_user(caller);
    else caller();
    u32 irq_after = rung::lguest_data.irq_enabled;
    rung::irq_enable();

    u32 want_irq = irq ? IRQ_ENABLED : 0;
    const char* wrong = nullptr;
    if (seen.count != 1) wrong = "the handler ran once";
    else if (seen.eip != eip_after_int) wrong = "EIP is the instruction after int";
    else if (seen.cs != (ring == 3 ? 0x73u : 0x61u)) wrong = "CS of the caller";
    else if (ring == 3 && (seen.ss != 0x7B || seen.esp != esp_at_int)) wrong = "the user's SS:ESP in the frame";
    else if (ring == 1 && seen.esp != ANY) wrong = "no SS:ESP from ring 1";
    else if (seen.eax != 7 || seen.ebx != 0x1234) wrong = "the caller's registers";
    else if ((seen.eflags & 0x200) != want_irq) wrong = "the frame's IF is irq_enabled";
    else if (seen.irq != (gate == rung::TRAP_GATE ? want_irq : 0))
        wrong = gate == rung::TRAP_GATE ? "a trap gate leaves irq_enabled" : "an interrupt gate clears irq_enabled";
    else if (irq_after != want_irq) wrong = "irq_enabled is back after the iret";
    else if (result != 7 + 2 * 0x1234) wrong = "the result came back in EAX";
    if (wrong)
        test::fail("%s (ring %u, %s gate, interrupts %s): %s (count %u eip %x/%x cs %x eflags %x esp %x/%x ss %x "
                   "eax %x ebx %x irq %u after %u result %x)",
                   what, ring, gate == rung::TRAP_GATE ? "trap" : "interrupt", irq ? "on" : "off", wrong, seen.count,
                   seen.eip, eip_after_int, seen.cs, seen.eflags, seen.esp, esp_at_int, seen.ss, seen.eax, seen.ebx,
                   seen.irq, irq_after, result);
}

// The timer through either gate: irq_enabled in the handler tells which.
volatile u32 ticks = 0, timer_irq = 0, timer_eflags = 0;
void on_timer(rung::GuestFrame& f)
{
    ticks = ticks + 1;
    timer_irq = rung::lguest_data.irq_enabled;
    timer_eflags = f.eflags;
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    rung::init_user();
    rung::irq_enable();

    // The system call: int $0x80 from ring 3, and ring 1 may use it too.
    for (u32 gate : GATES) {
        rung::set_trap_handler(0x80, on_call, gate, 3);
        for (bool irq : IRQ_STATES) {
            check_call("int $0x80 from ring 3", call<0x80>, 3, gate, irq);
            check_call("int $0x80 from ring 1", call<0x80>, 1, gate, irq);
        }
    }
    rung::print("system call int $0x80 from rings 3 and 1 through trap and interrupt gates\n");

    // Another vector, kernel only (DPL 1), and a moved system call vector.
    for (u32 gate : GATES) {
        rung::set_trap_handler(0x40, on_call, gate, 1);
        for (bool irq : IRQ_STATES) check_call("int $0x40 from ring 1", call<0x40>, 1, gate, irq);
    }
    rung::lguest_data.syscall_vec = 0x81;
    for (u32 gate : GATES) {
        rung::set_trap_handler(0x81, on_call, gate, 3);
        for (bool irq : IRQ_STATES) check_call("int $0x81 from ring 3 (syscall_vec)", call<0x81>, 3, gate, irq);
    }
    rung::print("int $0x40 from ring 1 and int $0x81 (syscall_vec) from ring 3\n");

    // A gate's DPL below the caller's ring: #GP with the vector's IDT error
    // code (vector * 8 + 2), the handler never runs.
    rung::probe_gates(rung::INTERRUPT_GATE);
    rung::set_trap_handler(0x80, on_call, rung::TRAP_GATE, 1);
    rung::set_trap_handler(0x40, on_call, rung::TRAP_GATE, 0);
    rung::set_trap_handler(3, on_call, rung::TRAP_GATE, 1);
    seen = {};
    rung::call_user([] { RUNG_PROBE("", "int $0x80", ""); });
    rung::check_probe("int $0x80 from ring 3 through a DPL 1 gate", {.vector = 13, .error = 0x80 * 8 + 2});
    RUNG_PROBE("", "int $0x40", "");
    rung::check_probe("int $0x40 from ring 1 through a DPL 0 gate", {.vector = 13, .error = 0x40 * 8 + 2});
    rung::call_user([] { RUNG_PROBE("", "int3", ""); });
    rung::check_probe("int3 from ring 3 through a DPL 1 gate", {.vector = 13, .error = 3 * 8 + 2});
    test::check(seen.count == 0, "no handler ran for a gate the caller may not use");
    rung::print("gates below the caller's ring give #GP\n");

    // The timer: IRQ 0 through a trap gate keeps irq_enabled in the
    // handler, through an interrupt gate clears it; the frame's IF is 1.
    for (u32 gate : GATES) {
        rung::set_trap_handler(32, on_timer, gate, 0);
        u32 before = ticks;
        rung::hypercall(hcall::SET_CLOCKEVENT, 1000000);
        while (ticks == before) rung::hypercall(hcall::HALT);
        test::check(ticks == before + 1, "one timer interrupt");
        test::check(timer_eflags & 0x200, "the timer's frame has IF");
        if (gate == rung::TRAP_GATE)
            test::check(timer_irq == IRQ_ENABLED, "the timer through a trap gate leaves irq_enabled");
        else
            test::check(timer_irq == 0, "the timer through an interrupt gate clears irq_enabled");
        test::check(rung::irq_enabled(), "irq_enabled is back after the timer's iret");
    }
    rung::print("the timer through a trap gate and an interrupt gate\n");
    test::finish();
}
