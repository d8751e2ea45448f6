// guest/demo/process.h: the process table.  A process is an address space,
// a kernel stack (the ring-1 stack its traps from ring 3 arrive on), the
// kernel stack pointer saved while it is switched out, and its heap.
#pragma once
#include "layout.h"

namespace demo {

enum class State : u8 { unused, runnable, sleeping, dead };

struct Process {
    u32 pid;
    const char* name;
    State state;
    bool killed;
    bool reaped;
    u32 directory;  // guest-physical address of its page directory
    u32 kernel_esp; // saved by switch_context while switched out
    u8* kernel_stack;
    u32 brk;        // the heap is [HEAP_BASE, brk)
    u64 wake_at;    // while sleeping, in scheduler::now() nanoseconds
    u64 cpu_ns;     // time it ran, up to its last switch out
    u32 syscalls, faults, status;
    char line[120]; // console output waits here for its newline
    u32 line_length;

    u32 kernel_stack_top() const;
};

namespace process {
constexpr u32 MAX = 8;
constexpr u32 KERNEL_STACK_PAGES = 2;

extern Process table[MAX];
extern Process idle; // the kernel's own context (pid 0): setup, then the idle loop
extern Process* current;

// A new process that starts in ring 3 at `entry` (a user address) with `arg`
// as its one argument and `exit_stub` as the return address; nullptr when
// out of slots or memory.
Process* spawn(const char* name, u32 entry, u32 arg, u32 exit_stub);
u32 live(); // runnable or sleeping

// Output from the process (write): whole lines, prefixed with its pid.
void output(Process& p, const char* bytes, u32 length);

// The end of the current process: it never runs again.  Interrupts off.
[[noreturn]] void exit(u32 status);
[[noreturn]] void kill(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Gives a dead process's memory back (it is not running, nor its directory loaded).
void reap(Process& p);
} // namespace process

} // namespace demo
