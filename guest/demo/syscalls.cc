// guest/demo/syscalls.cc
//
// int $0x80 is a direct trap: the CPU enters the handler on the process's
// kernel stack (SET_STACK) without a world switch, and a trap gate leaves
// virtual interrupts as they were (on).  Each call turns them off first, so
// the kernel's tables change under one owner; the iret turns them back on.
#include "syscalls.h"
#include "frames.h"
#include "layout.h"
#include "paging.h"
#include "process.h"
#include "scheduler.h"
#include "traps.h"

namespace demo {

namespace syscalls {
namespace {

u32 write(Process& p, u32 bytes, u32 length)
{
    // The bytes must lie in user space: the kernel half is not the
    // process's to print.  Pages not yet touched fault in as it reads.
    if (length > 4096 || bytes >= layout::KERNEL_BASE || length > layout::KERNEL_BASE - bytes) return sys::ERROR;
    process::output(p, reinterpret_cast<const char*>(bytes), length);
    return length;
}

u32 sbrk(Process& p, u32 increment)
{
    u32 old = p.brk;
    u32 brk = old + increment;
    bool grows = static_cast<i32>(increment) >= 0;
    if (grows ? brk < old : brk > old) return sys::ERROR; // wrapped
    if (brk < layout::HEAP_BASE || brk > layout::HEAP_BASE + layout::HEAP_MAX) return sys::ERROR;
    if (grows && (page_up(brk) - page_up(old)) / layout::PAGE > frames::available()) return sys::ERROR;
    // Growing maps nothing: the pages come on first touch (faults.cc).
    // Shrinking gives the pages above the new break back at once.
    if (!grows) paging::unmap(p.directory, page_up(brk), page_up(old));
    p.brk = brk;
    return old;
}

void on_syscall(rung::GuestFrame& f)
{
    rung::irq_disable();
    Process& p = *process::current;
    stats.syscalls++;
    p.syscalls++;
    u32 result = sys::ERROR;
    switch (f.eax) {
    case sys::EXIT:
        process::exit(f.ebx);
    case sys::WRITE:
        result = write(p, f.ebx, f.ecx);
        break;
    case sys::GETPID:
        result = p.pid;
        break;
    case sys::YIELD:
        scheduler::yield();
        result = 0;
        break;
    case sys::SLEEP:
        scheduler::sleep(f.ebx);
        result = 0;
        break;
    case sys::SBRK:
        result = sbrk(p, f.ebx);
        break;
    case sys::UPTIME:
        result = static_cast<u32>(scheduler::now() / 1000000);
        break;
    case sys::PROCESSES:
        result = process::live();
        break;
    }
    f.eax = result;
}

} // namespace

void init()
{
    rung::set_trap_handler(0x80, on_syscall, rung::TRAP_GATE, 3);
}

} // namespace syscalls

} // namespace demo
