// kernel/arch/gdt.h: the host's GDT, TSS and IDT.
#pragma once
#include "arch/cpu.h"
#include "arch/descriptor.h"
#include "arch/selectors.h"
#include "arch/tss.h"

namespace host_tables {

extern Descriptor gdt[GDT_ENTRIES];
extern Descriptor idt[256];
extern Tss tss;
extern cpu::TablePointer gdt_pointer;
extern cpu::TablePointer idt_pointer;

// Vector a host ring-3 test uses to enter ring 0 (the native side of `make bench`).
constexpr u32 HOST_USER_VECTOR = 0x81;

// The gate install() puts at `vector`: the host's own stub.
Descriptor default_gate(u32 vector);

// Builds and loads the GDT, TSS and IDT, then reloads every segment register.
void install();

} // namespace host_tables
