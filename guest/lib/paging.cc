// guest/lib/paging.cc
#include "paging.h"
#include "traps.h"

namespace paging {
namespace {

u32 next_free = 0;
u32 loaded = 0;

// The probe's state: written in ring 3 too, so it lives in the image.
volatile u32 resume_eip = 0;
volatile Access last;

void on_page_fault(rung::GuestFrame& f)
{
    u32 cr2 = rung::lguest_data.cr2;
    if (!resume_eip) {
        rung::print("unexpected page fault (error %x, cr2 %x) at %x cs %x\n", f.error, cr2, f.eip, f.cs);
        rung::shutdown("unexpected page fault");
    }
    last.faulted = true;
    last.error = f.error;
    last.cr2 = cr2;
    last.eip = f.eip;
    last.cs = f.cs;
    f.eip = resume_eip;
    resume_eip = 0;
}

void clear_last()
{
    last.faulted = false;
    last.error = 0;
    last.cr2 = 0;
    last.eip = 0;
    last.cs = 0;
}

Access result(u32 value, u32 insn)
{
    Access a;
    a.faulted = last.faulted;
    a.value = value;
    a.error = last.error;
    a.cr2 = last.cr2;
    a.eip = last.eip;
    a.cs = last.cs;
    a.at = insn;
    return a;
}

} // namespace

u32 alloc_frame()
{
    if (!next_free) next_free = rung::boot_info->free_start;
    if (next_free >= rung::boot_info->mem_bytes) rung::shutdown("paging: out of free frames");
    u32 frame = next_free;
    next_free += PAGE;
    for (u32 i = 0; i < PAGE / 4; i++) at(frame)[i] = 0;
    return frame;
}

u32 free_bytes()
{
    u32 from = next_free ? next_free : rung::boot_info->free_start;
    return rung::boot_info->mem_bytes - from;
}

u32 boot_directory() { return rung::boot_info->pgdir; }

u32 new_directory()
{
    u32 directory = alloc_frame();
    for (u32 i = 0; i < 1023; i++) at(directory)[i] = at(boot_directory())[i];
    return directory;
}

void switch_to(u32 directory)
{
    rung::hypercall(hcall::NEW_PGTABLE, directory);
    loaded = directory;
}

u32 current() { return loaded ? loaded : boot_directory(); }

volatile u32& raw_pde(u32 directory, u32 va) { return at(directory)[slot(va)]; }

volatile u32& raw_pte(u32 directory, u32 va) { return at(raw_pde(directory, va) & FRAME)[index(va)]; }

u32 table(u32 directory, u32 va, u32 pde_flags)
{
    u32 pde = raw_pde(directory, va);
    if (pde & P) return pde & FRAME;
    u32 t = alloc_frame();
    set_pde(directory, va, t | pde_flags);
    return t;
}

void set_pte(u32 directory, u32 va, u32 entry)
{
    raw_pte(directory, va) = entry;
    rung::hypercall(hcall::SET_PTE, directory, va & FRAME, entry);
}

void set_pde(u32 directory, u32 va, u32 entry)
{
    raw_pde(directory, va) = entry;
    rung::hypercall(hcall::SET_PGD, directory, slot(va));
}

void map(u32 directory, u32 va, u32 frame, u32 flags)
{
    table(directory, va);
    set_pte(directory, va, (frame & FRAME) | flags);
}

void unmap(u32 directory, u32 va) { set_pte(directory, va, 0); }

void flush_tlb(bool all) { rung::hypercall(hcall::FLUSH_TLB, all ? 1 : 0); }

u32 translate(u32 directory, u32 va)
{
    u32 pde = raw_pde(directory, va);
    if (!(pde & P) || (pde & PS)) return ~0u;
    u32 entry = raw_pte(directory, va);
    if (!(entry & P)) return ~0u;
    return (entry & FRAME) | (va & (PAGE - 1));
}

void fill(u32 frame, u32 pattern)
{
    for (u32 i = 0; i < PAGE / 4; i++) at(frame)[i] = pattern + i;
}

void catch_page_faults() { rung::set_trap_handler(14, on_page_fault, rung::INTERRUPT_GATE, 0); }

Access read(u32 va)
{
    clear_last();
    u32 value = 0, insn;
    asm volatile("movl $0f, %[insn]\n\t"
                 "movl $1f, %[resume]\n"
                 "0:\tmovl (%[va]), %[value]\n"
                 "1:\tmovl $0, %[resume]"
                 : [value] "+r"(value), [insn] "=m"(insn), [resume] "=m"(resume_eip)
                 : [va] "r"(va)
                 : "memory");
    return result(value, insn);
}

Access write(u32 va, u32 value)
{
    clear_last();
    u32 insn;
    asm volatile("movl $0f, %[insn]\n\t"
                 "movl $1f, %[resume]\n"
                 "0:\tmovl %[value], (%[va])\n"
                 "1:\tmovl $0, %[resume]"
                 : [insn] "=m"(insn), [resume] "=m"(resume_eip)
                 : [va] "r"(va), [value] "r"(value)
                 : "memory");
    return result(value, insn);
}

} // namespace paging
