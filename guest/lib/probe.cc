// guest/lib/probe.cc
#include "probe.h"
#include "arch/selectors.h"
#include "test.h"

extern "C" {
volatile u32 rung_probe_fixup = 0, rung_probe_at = 0, rung_probe_next = 0, rung_probe_esp = 0;
// call_user's side (probe.S): the ring-1 ESP to come back to, and the way back.
volatile u32 rung_user_saved_esp = 0;
void rung_call_user(void (*fn)(), u32 stack_top);
extern char rung_user_resume[];
extern char _start[], image_end[];
}

namespace rung {

ProbeResult probe;

namespace {

constexpr u32 EFLAGS_TF = 1u << 8, EFLAGS_IF = 1u << 9, EFLAGS_NT = 1u << 14, EFLAGS_RF = 1u << 16,
              EFLAGS_AC = 1u << 18;

alignas(4096) u8 user_stack[8192];

void user_exit(GuestFrame& f)
{
    // Back to ring 1 where call_user left off: an iret to the same ring
    // takes only EIP, CS and EFLAGS, and rung_user_resume reloads the rest.
    f.eip = reinterpret_cast<u32>(rung_user_resume);
    f.cs = SEL_GUEST_CODE;
    f.eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_AC | EFLAGS_RF);
}

} // namespace

void probe_arm()
{
    u32 cs, ss;
    asm volatile("movl %%cs, %0\n\tmovl %%ss, %1" : "=r"(cs), "=r"(ss));
    probe.traps = 0;
    probe.vector = probe.error = probe.eip = probe.cs = probe.eflags = ANY;
    probe.esp = probe.ss = probe.cr2 = probe.irq_in_handler = ANY;
    probe.armed_cs = cs & 0xFFFF;
    probe.armed_ss = ss & 0xFFFF;
    probe.armed_irq = lguest_data.irq_enabled;
}

void probe_handler(GuestFrame& f)
{
    probe.traps++;
    probe.vector = f.vector;
    probe.error = f.error;
    probe.eip = f.eip;
    probe.cs = f.cs & 0xFFFF;
    probe.eflags = f.eflags;
    probe.esp = f.from_user() ? f.esp : ANY;
    probe.ss = f.from_user() ? f.ss & 0xFFFF : ANY;
    probe.cr2 = lguest_data.cr2;
    probe.irq_in_handler = lguest_data.irq_enabled;
    if (!rung_probe_fixup) {
        test::fail("trap %u (error %x) at %x cs %x with no probe armed", f.vector, f.error, f.eip, f.cs);
        test::finish();
    }
    // Resume after the probed instruction.  TF (single step) and NT (a
    // nested-task iret) would fire again on the way back: the probe is done
    // with them.
    f.eip = rung_probe_fixup;
    f.eflags &= ~(EFLAGS_TF | EFLAGS_NT);
    rung_probe_fixup = 0;
}

void probe_gates(u32 gate_type)
{
    for (u32 v = 0; v < 20; v++) {
        if (v == 2 || v == 8 || v == 15) continue; // the host's: LOAD_IDT_ENTRY ignores them
        set_trap_handler(v, probe_handler, gate_type, v == 3 || v == 4 ? 3 : 0);
    }
}

bool check_probe(const char* what, const Expect& want)
{
    const ProbeResult p = probe;

    const char* wrong = nullptr;
    u32 want_eip = want.trap ? rung_probe_next : rung_probe_at;
    u32 gate = gate_type(want.vector);
    bool user = (p.armed_cs & 3) == 3;
    if (p.traps == 0) wrong = "no trap";
    else if (p.traps > 1) wrong = "more than one trap";
    else if (p.vector != want.vector) wrong = "vector";
    else if (p.error != want.error) wrong = "error code";
    else if (p.eip != want_eip && want.trap) wrong = "EIP (a trap reports the next instruction)";
    else if (p.eip != want_eip) wrong = "EIP (a fault reports the instruction)";
    else if (p.cs != p.armed_cs) wrong = "CS";
    else if ((p.eflags & EFLAGS_IF) != (p.armed_irq & EFLAGS_IF)) wrong = "the frame's IF (should be irq_enabled)";
    else if (gate == INTERRUPT_GATE && p.irq_in_handler != 0)
        wrong = "irq_enabled in the handler (an interrupt gate clears it)";
    else if (gate == TRAP_GATE && p.irq_in_handler != p.armed_irq)
        wrong = "irq_enabled in the handler (a trap gate keeps it)";
    else if (user && p.ss != (want.ss != ANY ? want.ss : p.armed_ss)) wrong = "the frame's SS";
    else if (user && p.esp != rung_probe_esp) wrong = "the frame's ESP";
    else if (!user && p.esp != ANY) wrong = "a ring-1 frame with SS:ESP";
    else if (want.cr2 != ANY && p.cr2 != want.cr2) wrong = "cr2";
    if (!wrong) return true;
    test::fail("%s (ring %u, irq %s, %s gate): wrong %s", what, p.armed_cs & 3, p.armed_irq ? "on" : "off",
               gate == TRAP_GATE ? "trap" : gate == INTERRUPT_GATE ? "interrupt" : "no", wrong);
    print("  got %u traps: vector %u error %x eip %x cs %x eflags %x esp %x ss %x cr2 %x irq in handler %u\n",
          p.traps, p.vector, p.error, p.eip, p.cs, p.eflags, p.esp, p.ss, p.cr2, p.irq_in_handler);
    print("  wanted: vector %u error %x eip %x cs %x IF %u esp %x ss %x cr2 %x\n", want.vector, want.error,
          want_eip, p.armed_cs, p.armed_irq ? 1 : 0, user ? rung_probe_esp : ANY,
          user ? (want.ss != ANY ? want.ss : p.armed_ss) : ANY, want.cr2);
    return false;
}

bool check_no_trap(const char* what)
{
    if (probe.traps == 0) return true;
    test::fail("%s: unexpected trap %u (error %x) at %x cs %x", what, probe.vector, probe.error, probe.eip, probe.cs);
    return false;
}

void init_user()
{
    make_user(reinterpret_cast<u32>(_start), reinterpret_cast<u32>(image_end) - reinterpret_cast<u32>(_start));
    // Not a direct trap (only syscall_vec and vectors below 32 can be), so
    // the host reflects it; a trap gate leaves irq_enabled as ring 3 had it.
    set_trap_handler(USER_EXIT_VECTOR, user_exit, TRAP_GATE, 3);
}

void call_user(void (*fn)())
{
    rung_call_user(fn, reinterpret_cast<u32>(user_stack + sizeof user_stack));
}

} // namespace rung
