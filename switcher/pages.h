// switcher/pages.h: the two per-guest pages the switcher works from.  Their
// layouts are shared with switcher.S through generated offsets, and pinned
// here with static_assert.
#pragma once
#include "arch/cpu.h"
#include "arch/descriptor.h"
#include "arch/selectors.h"
#include "arch/trap_frame.h"
#include "arch/tss.h"
#include "switcher/layout.h"

// A descriptor-table register image for lgdt/lidt, its base 4-byte aligned.
struct TableRegister {
    u16 pad;
    u16 limit;
    u32 base;
};
static_assert(sizeof(TableRegister) == 8);

// The guest's registers.  The TSS's ring-0 stack pointer is the end of this
// page, so when a trap leaves the guest the CPU's own pushes (SS, ESP,
// EFLAGS, CS, EIP, error code) land in `frame`, and the switcher's stub
// pushes the rest below them: saving the guest costs no copy at all.
struct RegsPage {
    u8 stack_room[4096 - sizeof(TrapFrame)]; // what an NMI in the switcher may push
    TrapFrame frame;
};
static_assert(sizeof(RegsPage) == 4096);

// A trap the switcher took in ring 0 while it loaded the guest's state (a
// segment register it could not pop, an iret the CPU refused): never a guest
// exit.  `eip` is the switcher instruction that faulted.
struct SwitchFault {
    u32 vector, error, eip;
};
constexpr u32 SWITCH_FAULTED = 1u << 31;

// What the CPU needs to run the guest, and what the switcher needs to get
// back to the host.  The guest can read it but never write it.
struct StatePage {
    Descriptor gdt[GDT_ENTRIES];
    Descriptor idt[256];
    Tss tss;
    TableRegister guest_gdt;
    TableRegister guest_idt;
    u32 guest_cr3; // the shadow page directory (physical)
    TableRegister host_gdt;
    TableRegister host_idt;
    u32 host_cr3;
    u32 host_sp;
    // What happened inside the switch itself, written only while the host's
    // address space is loaded (where this page is writable, and the guest
    // cannot forge it): NMIs counted in the low bits, and SWITCH_FAULTED
    // when a trap hit the switcher's own ring-0 code, with `fault` saying
    // which.  The run loop reads this one word after every exit.
    u32 notes;
    SwitchFault fault;
};
static_assert(sizeof(StatePage) <= 4096);
static_assert(__builtin_offsetof(StatePage, gdt) == 0);
