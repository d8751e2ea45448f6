// kernel/lib/panic.cc
#include "lib/panic.h"
#include "arch/cpu.h"
#include "arch/trap_frame.h"
#include "console/log.h"
#include "power.h"

void dump_frame(const TrapFrame& f)
{
    console::print("  eax=%08x ebx=%08x ecx=%08x edx=%08x\n", f.eax, f.ebx, f.ecx, f.edx);
    console::print("  esi=%08x edi=%08x ebp=%08x esp=%08x\n", f.esi, f.edi, f.ebp,
                   (f.cs & 3) ? f.esp : f.esp_unused + 20);
    console::print("  cs=%04x ds=%04x es=%04x fs=%04x gs=%04x eflags=%08x\n", f.cs & 0xFFFF,
                   f.ds & 0xFFFF, f.es & 0xFFFF, f.fs & 0xFFFF, f.gs & 0xFFFF, f.eflags);
    console::print("  cr0=%08x cr2=%08x cr3=%08x cr4=%08x\n", cpu::read_cr0(), cpu::read_cr2(),
                   cpu::read_cr3(), cpu::read_cr4());
}

[[noreturn]] void panic(const char* fmt, ...)
{
    cpu::disable_interrupts();
    va_list args;
    va_start(args, fmt);
    console::print("rung: PANIC: ");
    console::vprint(fmt, args);
    console::print("\n");
    va_end(args);
    // Registers as they are here: the caller's state is in them or on the stack.
    TrapFrame here{};
    asm volatile("movl %%eax, %0; movl %%ebx, %1; movl %%ecx, %2; movl %%edx, %3; "
                 "movl %%esi, %4; movl %%edi, %5; movl %%ebp, %6; movl %%esp, %7"
                 : "=m"(here.eax), "=m"(here.ebx), "=m"(here.ecx), "=m"(here.edx),
                   "=m"(here.esi), "=m"(here.edi), "=m"(here.ebp), "=m"(here.esp_unused));
    here.esp_unused -= 20;
    here.eip = reinterpret_cast<u32>(__builtin_return_address(0));
    here.eflags = cpu::read_eflags();
    asm volatile("movl %%cs, %0; movl %%ds, %1; movl %%es, %2; movl %%fs, %3; movl %%gs, %4"
                 : "=r"(here.cs), "=r"(here.ds), "=r"(here.es), "=r"(here.fs), "=r"(here.gs));
    console::print("  called from eip=%08x\n", here.eip);
    dump_frame(here);
    power::finish(false);
}
