// guest/demo/layout.h: the demo OS's memory layout and the numbers the
// kernel and the user programs share.
//
// Every address space (one page directory per process) looks like this:
//
//   0x00400000  the user image: the kernel image's user-program pages
//               (section .user), mapped read-only with the U bit, shared
//   0x10000000  the heap: grows with sbrk, each page mapped on first touch
//   0xBFFF0000  the user stack, 64 KiB up to 0xC0000000: its top page is
//               mapped at the start, the others on first touch
//   0xC0000000  the kernel: all guest memory, supervisor, the same page
//               tables in every directory (lguest_data.kernel_address)
//   0xFFC00000  the switcher's slot (directory entry 1023): never ours
#pragma once
#include "rung.h"

namespace demo {

namespace layout {
constexpr u32 PAGE = 4096;
constexpr u32 KERNEL_BASE = 0xC0000000;
constexpr u32 USER_IMAGE = 0x00400000;
constexpr u32 HEAP_BASE = 0x10000000;
constexpr u32 HEAP_MAX = 16u << 20;
constexpr u32 STACK_TOP = KERNEL_BASE;
constexpr u32 STACK_MAX = 64u << 10;
} // namespace layout

// The kernel's view of a guest-physical address (all guest memory is
// mapped at KERNEL_BASE in every address space).
template <typename T = u8> T* kernel_view(u32 gpa)
{
    return reinterpret_cast<T*>(gpa + layout::KERNEL_BASE);
}

inline u32 page_down(u32 a) { return a & ~(layout::PAGE - 1); }
inline u32 page_up(u32 a) { return (a + layout::PAGE - 1) & ~(layout::PAGE - 1); }

// The system calls (int $0x80: number in EAX, arguments in EBX, ECX, EDX,
// result in EAX; -1 is an error).
namespace sys {
enum : u32 {
    EXIT = 1,      // (status): never returns
    WRITE = 2,     // (bytes, length): to the console, one line at a time
    GETPID = 3,    // (): the process id
    YIELD = 4,     // (): the rest of the slice to the next process
    SLEEP = 5,     // (milliseconds)
    SBRK = 6,      // (increment): the old break; the heap's pages come on first touch
    UPTIME = 7,    // (): milliseconds since the kernel started
    PROCESSES = 8, // (): how many processes are alive (runnable or sleeping)
};
constexpr u32 ERROR = 0xFFFFFFFF;
} // namespace sys

// What the status line reports.
struct Stats {
    u32 processes, exited, killed;
    u32 switches, faults_served, syscalls, timer_interrupts, halts;
};
extern Stats stats;

} // namespace demo
