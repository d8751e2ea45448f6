// kernel/arch/gdt.cc: the host's descriptor tables.  The host runs in ring 0
// on entries 10 and 11, the same selectors the switcher uses inside every
// guest's GDT, so a world switch never has to reload CS.
#include "arch/gdt.h"
#include "arch/trap_stub_size.h"

extern "C" char host_trap_stubs[]; // kernel/arch/vectors.S: 256 stubs, 16 bytes each
extern "C" char boot_stack_top[];

namespace host_tables {

alignas(8) Descriptor gdt[GDT_ENTRIES];
alignas(8) Descriptor idt[256];
alignas(16) Tss tss;
cpu::TablePointer gdt_pointer;
cpu::TablePointer idt_pointer;

Descriptor default_gate(u32 v)
{
    return descriptor::gate(SEL_HOST_CODE, reinterpret_cast<u32>(host_trap_stubs) + TRAP_STUB_SIZE * v,
                            descriptor::TYPE_INTERRUPT_GATE, v == HOST_USER_VECTOR ? 3 : 0);
}

void install()
{
    using namespace descriptor;
    gdt[GDT_HOST_CODE] = segment(0, 0xFFFFFFFF, TYPE_CODE_RX, 0);
    gdt[GDT_HOST_DATA] = segment(0, 0xFFFFFFFF, TYPE_DATA_RW, 0);
    // Flat ring-3 segments for the host's own user-mode measurement only.
    gdt[GDT_USER_CODE] = segment(0, 0xFFFFFFFF, TYPE_CODE_RX, 3);
    gdt[GDT_USER_DATA] = segment(0, 0xFFFFFFFF, TYPE_DATA_RW, 3);

    tss.ss0 = SEL_HOST_DATA;
    tss.esp0 = reinterpret_cast<u32>(boot_stack_top);
    tss.iomap_base = TSS_NO_IOMAP;
    gdt[GDT_TSS] = system(reinterpret_cast<u32>(&tss), TSS_LIMIT, TYPE_TSS32_AVAILABLE, 0);

    for (u32 v = 0; v < 256; v++) idt[v] = default_gate(v);

    gdt_pointer = {sizeof gdt - 1, reinterpret_cast<u32>(gdt)};
    idt_pointer = {sizeof idt - 1, reinterpret_cast<u32>(idt)};
    cpu::lgdt(gdt_pointer);
    asm volatile("ljmp %0, $1f\n1:\n\t"
                 "movw %w1, %%ds\n\tmovw %w1, %%es\n\tmovw %w1, %%ss\n\t"
                 "xorl %%eax, %%eax\n\tmovw %%ax, %%fs\n\tmovw %%ax, %%gs"
                 :
                 : "i"(SEL_HOST_CODE), "r"(SEL_HOST_DATA)
                 : "eax", "memory");
    cpu::ltr(SEL_TSS);
    // A null LDT.  The CPU keeps its reset LDTR otherwise, a usable table at
    // linear 0: a selector with TI set would then read its descriptor from
    // whatever the current address space maps there, a guest's own memory.
    cpu::lldt(0);
    cpu::lidt(idt_pointer);
}

} // namespace host_tables
