// guest/demo/faults.cc: what the kernel does when ring 3 (or the kernel on
// its behalf, reading a user buffer) faults.  A page fault in the heap below
// the break or in the stack's 64 KiB gets a fresh zeroed page; any other
// fault from a process ends it, and the others go on.  A fault in the kernel
// itself is a bug: the guest stops.
#include "frames.h"
#include "layout.h"
#include "paging.h"
#include "process.h"
#include "syscalls.h"
#include "traps.h"

namespace demo {

namespace faults {
namespace {

[[noreturn]] void kernel_bug(const rung::GuestFrame& f, u32 address)
{
    rung::print("kernel: trap %u (error %x) in the kernel at %x, address %x\n", f.vector, f.error, f.eip, address);
    rung::shutdown("demo kernel bug: a fault in the kernel");
}

bool demand_paged(const Process& p, u32 address)
{
    return (address >= layout::HEAP_BASE && address < p.brk) ||
           (address >= layout::STACK_TOP - layout::STACK_MAX && address < layout::STACK_TOP);
}

void on_page_fault(rung::GuestFrame& f)
{
    u32 address = rung::lguest_data.cr2;
    Process& p = *process::current;
    if (&p == &process::idle || (!f.from_user() && address >= layout::KERNEL_BASE)) kernel_bug(f, address);
    bool present = f.error & 1, write = f.error & 2;
    if (!present && demand_paged(p, address)) {
        u32 frame = frames::alloc();
        if (!frame || !paging::map(p.directory, page_down(address), frame, pte::OWNED | pte::USER | pte::WRITABLE)) {
            if (frame) frames::free(frame);
            process::kill("out of memory at %p", reinterpret_cast<void*>(address));
        }
        stats.faults_served++;
        p.faults++;
        return;
    }
    process::kill("page fault at %p (%s, %s%s) at eip %p", reinterpret_cast<void*>(address), write ? "write" : "read",
                  present ? "protection" : "not mapped", f.from_user() ? "" : ", in a system call",
                  reinterpret_cast<void*>(f.eip));
}

void on_exception(rung::GuestFrame& f)
{
    if (!f.from_user()) kernel_bug(f, rung::lguest_data.cr2);
    if (f.vector == 13)
        process::kill("general protection fault (error %x) at eip %p", f.error, reinterpret_cast<void*>(f.eip));
    process::kill("exception %u (error %x) at eip %p", f.vector, f.error, reinterpret_cast<void*>(f.eip));
}

} // namespace

void init()
{
    for (u32 v = 0; v < 20; v++) {
        if (v == 2 || v == 8 || v == 15) continue; // the host's, or reserved
        rung::set_trap_handler(v, v == 14 ? on_page_fault : on_exception, rung::INTERRUPT_GATE);
    }
}

} // namespace faults

} // namespace demo
