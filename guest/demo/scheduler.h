// guest/demo/scheduler.h: round-robin scheduling, preemption by the virtual
// timer (a one-shot SET_CLOCKEVENT, re-armed at every IRQ 0), sleeping, and
// the idle loop that HALTs with interrupts on.
#pragma once
#include "rung.h"

namespace demo {

struct Process;

namespace scheduler {
constexpr u32 SLICE_MS = 10;

void init(); // the clock, and the handler for IRQ 0 (vector 32)
u64 now();   // nanoseconds since init
u64 slice_start();

// The run queue holds the runnable processes but the current one: the
// timer's preempted go to its back, sleepers it woke to its front.
// Virtual interrupts must be off for all of these.
void ready(Process& p);       // a new process: to the back of the queue
void yield();                 // the current process to the back, and the next one runs
void block();                 // the current process has stopped being runnable: the next one runs
void sleep(u32 milliseconds); // the current process
// Runs the processes until none is left (the idle loop of the kernel's own context).
void run();
} // namespace scheduler

} // namespace demo
