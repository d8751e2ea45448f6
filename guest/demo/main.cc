// guest/demo/main.cc: the demo guest shown by `make run`: a small operating
// system, linked at 0xC0000000 like Linux, running ring-3 processes in
// address spaces of its own on rung's paravirtual interface.
//
//   layout.h     the address-space layout, the system call numbers
//   frames.cc    the page-frame allocator
//   paging.cc    page directories and tables, and what the host is told
//   process.cc   the process table: creation, output, exit and kill
//   scheduler.cc round robin on the virtual timer, sleep, idle, the switch
//   syscalls.cc  int $0x80
//   faults.cc    demand paging, and the end of processes that fault
//   programs.cc  the programs, which run in ring 3
#include "frames.h"
#include "layout.h"
#include "paging.h"
#include "process.h"
#include "programs.h"
#include "scheduler.h"
#include "syscalls.h"
#include "traps.h"

namespace demo {

Stats stats;

namespace {
BootInfo boot;
alignas(16) u8 kernel_stack[16384]; // the kernel's own (idle) context

[[noreturn]] void kernel_main()
{
    const char* name = rung::name();
    rung::init_traps();
    faults::init();
    syscalls::init();
    scheduler::init();

    frames::init(boot.free_start, boot.mem_bytes);
    if (!paging::init(boot.mem_bytes)) rung::shutdown("demo: no memory for the kernel's page tables");
    u32 kernel_frames = frames::in_use();
    u32 user_kib = static_cast<u32>(user_image_end - user_image_start) / 1024;
    rung::print("%s: rung demo OS, kernel at %p, %u MiB, guest %u; %u pages free\n", name,
                reinterpret_cast<void*>(&kernel_main), boot.mem_bytes >> 20, boot.guest_id, frames::available());
    rung::print("kernel: in every address space: kernel at 0xc0000000 (%u shared page tables), user image at %p "
                "(%u KiB, read-only), heap at %p, stack below %p\n",
                paging::kernel_tables(), reinterpret_cast<void*>(layout::USER_IMAGE), user_kib,
                reinterpret_cast<void*>(layout::HEAP_BASE), reinterpret_cast<void*>(layout::STACK_TOP));

    Program list[process::MAX];
    u32 count = programs::list(boot.guest_id, list, process::MAX);
    for (u32 i = 0; i < count; i++) {
        Process* p = process::spawn(list[i].name, list[i].entry, list[i].arg, programs::exit_stub());
        if (!p) rung::shutdown("demo: cannot create a process");
        rung::print("kernel: pid %u %s: page directory at %p, entry %p, argument %u\n", p->pid, p->name,
                    reinterpret_cast<void*>(p->directory), reinterpret_cast<void*>(list[i].entry), list[i].arg);
    }
    rung::print("kernel: running %u processes, round robin in %u ms slices\n", count, scheduler::SLICE_MS);

    u64 start = scheduler::now();
    scheduler::run(); // until every process has exited or been killed
    u32 ms = static_cast<u32>((scheduler::now() - start) / 1000000);

    rung::print("kernel: all %u processes done in %u ms: %u exited, %u killed; %u pages in use after them (%u before)\n",
                stats.processes, ms, stats.exited, stats.killed, frames::in_use(), kernel_frames);
    rung::print("status: %u processes run, %u context switches, %u page faults served, %u system calls, "
                "%u timer interrupts, %u idle halts\n",
                stats.processes, stats.switches, stats.faults_served, stats.syscalls, stats.timer_interrupts,
                stats.halts);
    if (frames::in_use() != kernel_frames) rung::shutdown("demo: the processes leaked memory");
    static char message[96];
    snformat(message, sizeof message, "demo OS done: %u processes, %u switches, %u ms", stats.processes,
             stats.switches, ms);
    rung::shutdown(message);
}
} // namespace

} // namespace demo

void guest_main()
{
    rung::init();
    rung::lguest_data.kernel_address = demo::layout::KERNEL_BASE;
    // The boot stack, the boot information and the command line are at
    // identity addresses, which our own address spaces do not map: keep
    // what we need, and move to a stack in the kernel's half.
    rung::name();
    demo::boot = *rung::boot_info;
    rung::boot_info = &demo::boot;
    asm volatile("movl %0, %%esp\n\t"
                 "xorl %%ebp, %%ebp\n\t"
                 "call *%1"
                 :
                 : "r"(demo::kernel_stack + sizeof demo::kernel_stack), "r"(&demo::kernel_main)
                 : "memory");
    __builtin_unreachable();
}
