// guest/lib/probe.h: catching the trap of one instruction, XTF style, in
// ring 1 or in ring 3, and checking it against the frame the CPU would have
// built; running a function in ring 3 and coming back.
//
//   rung::probe_gates(rung::INTERRUPT_GATE);
//   RUNG_PROBE("xorl %%edx, %%edx; movl $1, %%eax", "divl %[z]", "", [z] "m"(zero));
//   rung::check_probe("divide error", {.vector = 0});
//
// RUNG_PROBE(setup, insn, teardown, inputs...) runs `setup`, then `insn`
// (label 1), then `teardown` (from label 2, where a caught trap resumes).
// `setup` must leave ESP as it found it, and none of the three may use the
// labels 1 or 2.  EAX, ECX and EDX are free to use; inputs are asm operands.
#pragma once
#include "traps.h"

// Written by RUNG_PROBE itself (plain C names, so the asm can name them).
extern "C" {
extern volatile u32 rung_probe_fixup; // where the handler resumes; 0 when nothing is armed
extern volatile u32 rung_probe_at;    // the probed instruction (label 1)
extern volatile u32 rung_probe_next;  // the one after it (label 2)
extern volatile u32 rung_probe_esp;   // ESP before the setup
}

#define RUNG_PROBE(setup, insn, teardown, ...)                                                     \
    do {                                                                                          \
        ::rung::probe_arm();                                                                      \
        asm volatile("movl %%esp, rung_probe_esp\n\t"                                             \
                     "movl $1f, rung_probe_at\n\t"                                                \
                     "movl $2f, rung_probe_next\n\t"                                              \
                     "movl $2f, rung_probe_fixup\n\t" setup "\n"                                  \
                     "1:\n\t" insn "\n"                                                           \
                     "2:\n\t"                                                                     \
                     "movl $0, rung_probe_fixup\n\t" teardown                                     \
                     :                                                                            \
                     : __VA_ARGS__                                                                \
                     : "eax", "ecx", "edx", "memory", "cc");                                      \
    } while (0)

namespace rung {

// What the last probe caught, and the state it was armed in.  (Not
// volatile: the probe's asm and call_user both clobber memory.)
struct ProbeResult {
    u32 traps;                  // how many traps reached probe_handler (1 is right)
    u32 vector, error, eip, cs, eflags;
    u32 esp, ss;                // the frame's, for a trap from ring 3
    u32 cr2;                    // lguest_data.cr2 as the handler found it
    u32 irq_in_handler;         // lguest_data.irq_enabled as the handler found it
    u32 armed_cs, armed_ss;     // where the probe ran
    u32 armed_irq;              // lguest_data.irq_enabled when it was armed
};
extern ProbeResult probe;

// Forgets the last result and notes CS, SS and the guest's interrupt flag
// (RUNG_PROBE calls it; it works in ring 3 too).
void probe_arm();
// The handler: records the trap and resumes at the armed fixup with TF and
// NT cleared; with no fixup armed, the trap is a test failure and the guest ends.
void probe_handler(GuestFrame& frame);
// probe_handler on every exception vector 0-19 a guest may set (LOAD_IDT_ENTRY
// ignores 2, 8 and 15), all of one gate type; #BP and #OF with DPL 3, since
// int3 and into are checked against the gate's DPL like `int $n`.
void probe_gates(u32 gate_type);

// What the CPU would have delivered.  A fault reports the probed instruction;
// a trap (want.trap: #DB single step, #BP, #OF) the next one.
constexpr u32 ANY = 0xFFFFFFFF;
struct Expect {
    u32 vector;
    u32 error = 0;
    bool trap = false;
    u32 cr2 = ANY;     // for #PF
    u32 ss = ANY;      // from ring 3: the frame's SS if not the one the probe was armed with
};
// Checks the last probe against `want`: vector, error code, EIP, CS, the
// frame's IF (= irq_enabled when armed), irq_enabled in the handler (0
// through an interrupt gate, unchanged through a trap gate), and from ring
// 3 the frame's SS and ESP.  Reports a failure naming `what`; true if all held.
bool check_probe(const char* what, const Expect& want);
// The last probe ran to its end without a trap.
bool check_no_trap(const char* what);

// Ring 3.  init_user opens the image's pages to ring 3 and installs the gate
// (USER_EXIT_VECTOR, DPL 3) that brings call_user back; call_user runs `fn`
// in ring 3 on the library's user stack, with DS=ES=0x7B, and returns when
// it does.
constexpr u32 USER_EXIT_VECTOR = 0x8F;
void init_user();
void call_user(void (*fn)());
// The ring the caller runs in (CS & 3).
inline u32 current_ring()
{
    u32 cs;
    asm volatile("movl %%cs, %0" : "=r"(cs));
    return cs & 3;
}

} // namespace rung
