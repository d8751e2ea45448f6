// guest/lib/traps.cc
#include "traps.h"
#include "arch/selectors.h"
#include "arch/trap_stub_size.h"

extern "C" char rung_trap_stubs[], rung_noirq_iret[];

namespace rung {

volatile Caught caught;

namespace {
TrapHandler handlers[256];
u8 gate_types[256];
u32 fixup = 0;
alignas(4096) u8 ring1_stack[8192];

void unexpected(GuestFrame& f)
{
    print("unexpected trap %u (error %x) at %x cs %x\n", f.vector, f.error, f.eip, f.cs);
    shutdown("unexpected trap");
}
} // namespace

u32 gate_low(u32 vector)
{
    u32 offset = reinterpret_cast<u32>(rung_trap_stubs) + TRAP_STUB_SIZE * vector;
    return (SEL_GUEST_CODE << 16) | (offset & 0xFFFF);
}

u32 gate_high(u32 vector, u32 gate_type, u32 dpl, bool present)
{
    u32 offset = reinterpret_cast<u32>(rung_trap_stubs) + TRAP_STUB_SIZE * vector;
    return (offset & 0xFFFF0000) | (present ? 1u << 15 : 0) | ((dpl & 3) << 13) | (gate_type << 8);
}

void set_trap_handler(u32 vector, TrapHandler handler, u32 gate_type, u32 dpl)
{
    handlers[vector] = handler;
    gate_types[vector] = static_cast<u8>(gate_type);
    hypercall(hcall::LOAD_IDT_ENTRY, vector, gate_low(vector), gate_high(vector, gate_type, dpl));
}

void clear_gate(u32 vector)
{
    handlers[vector] = nullptr;
    hypercall(hcall::LOAD_IDT_ENTRY, vector, 0, 0);
}

u32 gate_type(u32 vector)
{
    return vector < 256 && handlers[vector] ? gate_types[vector] : 0;
}

void init_traps()
{
    lguest_data.noirq_iret = reinterpret_cast<u32>(rung_noirq_iret);
    hypercall(hcall::SET_STACK, SEL_GUEST_DATA, reinterpret_cast<u32>(ring1_stack + sizeof ring1_stack), 2);
}

void irq_enable()
{
    lguest_data.irq_enabled = IRQ_ENABLED;
    if (lguest_data.irq_pending) hypercall(hcall::SEND_INTERRUPTS);
}

void arm_fixup(u32 resume)
{
    caught.caught = false;
    fixup = resume;
}

void fixup_handler(GuestFrame& f)
{
    caught.caught = true;
    caught.vector = f.vector;
    caught.error = f.error;
    caught.eip = f.eip;
    caught.cs = f.cs;
    caught.eflags = f.eflags;
    caught.cr2 = lguest_data.cr2;
    if (!fixup) unexpected(f);
    f.eip = fixup;
    fixup = 0;
}

void make_user(u32 start, u32 length)
{
    auto* dir = reinterpret_cast<u32*>(boot_info->pgdir);
    for (u32 page = start & ~0xFFFu; page < start + length; page += 4096) {
        u32& pde = dir[page >> 22];
        pde |= 4;
        auto* table = reinterpret_cast<u32*>(pde & 0xFFFFF000);
        table[(page >> 12) & 0x3FF] |= 4;
    }
    hypercall(hcall::FLUSH_TLB, 1);
}

void enter_user(void (*entry)(), u32 stack_top)
{
    asm volatile("pushl %[ss]\n\t"
                 "pushl %[esp]\n\t"
                 "pushl $0x202\n\t"
                 "pushl %[cs]\n\t"
                 "pushl %[eip]\n\t"
                 "movl %[ss], %%eax\n\t"
                 "movl %%eax, %%ds\n\t"
                 "movl %%eax, %%es\n\t"
                 "iret"
                 :
                 : [ss] "i"(SEL_USER_DATA), [esp] "r"(stack_top), [cs] "i"(SEL_USER_CODE),
                   [eip] "r"(reinterpret_cast<u32>(entry))
                 : "eax", "memory");
}

void dispatch(GuestFrame& f)
{
    // A trap gate leaves the guest's interrupt flag alone, whoever delivered
    // it: the frame must say what to restore.  (The CPU, delivering a direct
    // trap, wrote the real IF, which is always 1 in a guest.)
    if (gate_types[f.vector] == TRAP_GATE)
        f.eflags = (f.eflags & ~0x200u) | (lguest_data.irq_enabled & 0x200u);
    TrapHandler h = handlers[f.vector];
    if (h) h(f);
    else unexpected(f);
}

} // namespace rung

extern "C" void rung_trap_dispatch(rung::GuestFrame* f)
{
    rung::dispatch(*f);
}
