// switcher/offsets.cc: compiled to assembly only, never linked.  Each DEFINE
// leaves a marker line that the Makefile turns into build/gen/offsets.h, so
// switcher.S reads the C++ layouts instead of numbers typed by hand.
#include "switcher/pages.h"

#define DEFINE(name, value) asm volatile("\n@@define " #name " %c0" ::"i"(value))
#define OFFSET(name, type, member) DEFINE(name, __builtin_offsetof(type, member))

void generate_offsets()
{
    OFFSET(REGS_FRAME, RegsPage, frame);
    OFFSET(FRAME_CS, TrapFrame, cs);
    OFFSET(STATE_GDT, StatePage, gdt);
    OFFSET(STATE_GUEST_GDT, StatePage, guest_gdt.limit);
    OFFSET(STATE_GUEST_IDT, StatePage, guest_idt.limit);
    OFFSET(STATE_GUEST_CR3, StatePage, guest_cr3);
    OFFSET(STATE_HOST_GDT, StatePage, host_gdt.limit);
    OFFSET(STATE_HOST_GDT_BASE, StatePage, host_gdt.base);
    OFFSET(STATE_HOST_IDT, StatePage, host_idt.limit);
    OFFSET(STATE_HOST_CR3, StatePage, host_cr3);
    OFFSET(STATE_HOST_SP, StatePage, host_sp);
    OFFSET(STATE_NOTES, StatePage, notes);
    OFFSET(STATE_FAULT_VECTOR, StatePage, fault.vector);
    OFFSET(STATE_FAULT_ERROR, StatePage, fault.error);
    OFFSET(STATE_FAULT_EIP, StatePage, fault.eip);
    DEFINE(SWITCH_FAULTED_BIT, 31);
}
