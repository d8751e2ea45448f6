// guest/demo/scheduler.cc
//
// Each process has its own kernel stack; a switch saves the callee-saved
// registers on the old one, stores its ESP, loads the new one's and returns
// on it (switch_context).  A process that is switched out always sits in
// block(), called from a trap handler, with its trap frame higher up on the
// same stack: switching back returns through that handler and its iret.
// A new process's stack is built to look like that (process::spawn).
//
// The host must know where the next process's traps from ring 3 land:
// SET_STACK with its kernel stack, queued on the asynchronous ring, then
// NEW_PGTABLE with its page directory, which runs the queue first: one
// hypercall per switch.
#include "scheduler.h"
#include "layout.h"
#include "paging.h"
#include "process.h"
#include "traps.h"
#include "arch/selectors.h"

// switch_context(save, next): saves the callee-saved registers and ESP in
// *save, and resumes the context whose ESP is `next`.
// demo_first_run: where a new process's first switch returns to.
// demo_idle_halt: HALT with virtual interrupts on.  An interrupt that arrives
// between the enabling store and the hypercall (the host may deliver one at
// any exit) is handled first; its handler then moves EIP past the HALT
// (demo_halt_window -> demo_halt_end), so the idle loop looks again instead
// of sleeping on what it has not seen.
asm(R"(
    .pushsection .text
    .globl demo_switch_context, demo_first_run, demo_idle_halt, demo_halt_window, demo_halt_end
demo_switch_context:
    movl 4(%esp), %eax
    movl 8(%esp), %edx
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, (%eax)
    movl %edx, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

demo_first_run:
    call demo_finish_switch
    movl $0x7B, %eax                /* user data: ring 3 needs it in DS and ES */
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    popal
    addl $8, %esp                   /* vector and error code */
    jmp rung_iret                   /* the frame's IF turns virtual interrupts on */

demo_idle_halt:
    movl $10, %eax                  /* HALT */
    movl $512, _ZN4rung11lguest_dataE /* rung::lguest_data.irq_enabled */
demo_halt_window:
    int $0x1f
demo_halt_end:
    ret
    .popsection
)");

extern "C" {
void demo_switch_context(u32* save, u32 next);
void demo_finish_switch();
void demo_idle_halt();
extern char demo_halt_window[], demo_halt_end[];
}


namespace demo {
namespace scheduler {
namespace {
constexpr u64 SLICE_NS = SLICE_MS * 1000000ull;
constexpr u64 SLACK_NS = 100000;    // a timer this close to a deadline counts as at it
constexpr u64 MIN_DELAY_NS = 50000; // never ask the host for less

u64 tsc_start = 0, wall_start = 0;
u32 tsc_khz = 0;
u64 slice_began = 0, slice_end = 0;
u64 timer_deadline = 0; // what SET_CLOCKEVENT was last asked for (0: nothing pending)
u32 kernel_stack_set = 0;
Process* switched_from = nullptr;

// The run queue: a ring of the runnable processes, current one excepted.
Process* queue[process::MAX];
u32 queue_head = 0, queue_length = 0;

void push_back(Process& p) { queue[(queue_head + queue_length++) % process::MAX] = &p; }

void push_front(Process& p)
{
    queue_head = (queue_head + process::MAX - 1) % process::MAX;
    queue[queue_head] = &p;
    queue_length++;
}

Process* pop_front()
{
    if (!queue_length) return nullptr;
    Process* p = queue[queue_head];
    queue_head = (queue_head + 1) % process::MAX;
    queue_length--;
    return p;
}

u64 wall_ns()
{
    return static_cast<u64>(rung::lguest_data.time_sec) * 1000000000ull + rung::lguest_data.time_nsec;
}

// The one-shot timer: for the end of the running process's slice or the
// first sleeper's wake-up, whichever comes first.  An earlier request still
// pending stands (its interrupt re-arms).
void program_timer(u64 t)
{
    u64 deadline = process::current != &process::idle ? slice_end : 0;
    for (Process& p : process::table)
        if (p.state == State::sleeping && (!deadline || p.wake_at < deadline)) deadline = p.wake_at;
    if (!deadline || (timer_deadline && timer_deadline <= deadline)) return;
    u64 delay = deadline > t + MIN_DELAY_NS ? deadline - t : MIN_DELAY_NS;
    timer_deadline = t + delay;
    rung::hypercall(hcall::SET_CLOCKEVENT, static_cast<u32>(delay));
}

// Moves the sleepers whose time has come to the front of the run queue, in
// the order they went to sleep in the table; returns how many.
u32 wake_sleepers(u64 t)
{
    u32 woken = 0;
    for (u32 i = process::MAX; i-- > 0;) {
        Process& p = process::table[i];
        if (p.state != State::sleeping || p.wake_at > t + SLACK_NS) continue;
        p.state = State::runnable;
        push_front(p);
        woken++;
    }
    return woken;
}

void on_timer(rung::GuestFrame& f)
{
    stats.timer_interrupts++;
    timer_deadline = 0;
    u64 t = now();
    u32 woken = wake_sleepers(t);
    Process* p = process::current;
    if (p == &process::idle) {
        if (f.eip == reinterpret_cast<u32>(demo_halt_window)) f.eip = reinterpret_cast<u32>(demo_halt_end);
        program_timer(t);
        return; // the idle loop switches
    }
    if (t + SLACK_NS >= slice_end) {
        yield(); // its slice is over: round robin
    } else if (woken) {
        // A sleeper that woke runs at once: it has waited, and will not keep
        // the CPU long.  The process it interrupts is next in line after it.
        Process* first = pop_front();
        push_front(*p);
        push_front(*first);
        block();
    } else {
        program_timer(t);
    }
}
} // namespace

void init()
{
    tsc_khz = rung::lguest_data.tsc_khz;
    tsc_start = rung::rdtsc();
    wall_start = wall_ns();
    rung::set_trap_handler(32, on_timer, rung::INTERRUPT_GATE);
}

u64 now()
{
    if (!tsc_khz) return wall_ns() - wall_start; // refreshed by the host at each interrupt
    u64 ticks = rung::rdtsc() - tsc_start;
    return ticks / tsc_khz * 1000000 + ticks % tsc_khz * 1000000 / tsc_khz;
}

u64 slice_start() { return slice_began; }

void ready(Process& p) { push_back(p); }

void yield()
{
    Process* p = process::current;
    if (p != &process::idle && p->state == State::runnable) push_back(*p);
    block();
}

void block()
{
    if (rung::irq_enabled()) rung::shutdown("demo kernel bug: switching with interrupts on");
    Process* prev = process::current;
    Process* next = pop_front();
    if (!next) next = &process::idle;
    u64 t = now();
    if (prev != &process::idle) prev->cpu_ns += t - slice_began;
    slice_began = t;
    slice_end = t + SLICE_NS;
    process::current = next;
    program_timer(t);
    if (next == prev) return;

    stats.switches++;
    if (next != &process::idle) {
        if (kernel_stack_set != next->kernel_stack_top()) {
            kernel_stack_set = next->kernel_stack_top();
            rung::queue_async(hcall::SET_STACK, SEL_GUEST_DATA, kernel_stack_set, process::KERNEL_STACK_PAGES);
        }
        if (paging::loaded() != next->directory) paging::load(next->directory);
        else rung::hypercall(hcall::FLUSH_ASYNC);
    } else if (prev->state == State::dead) {
        paging::load(paging::kernel_directory()); // its directory is about to go
    }
    switched_from = prev;
    demo_switch_context(&prev->kernel_esp, next->kernel_esp);
    demo_finish_switch();
}

void sleep(u32 milliseconds)
{
    Process& p = *process::current;
    p.wake_at = now() + milliseconds * 1000000ull;
    p.state = State::sleeping;
    block();
}

void run()
{
    for (;;) {
        rung::irq_disable();
        if (!process::live()) return;
        if (queue_length) {
            block();
            continue;
        }
        program_timer(now()); // a sleeper's wake-up is armed
        stats.halts++;
        demo_idle_halt();
    }
}

} // namespace scheduler

// After every switch, on the new stack: the process switched away from, if
// it died, gives its memory back now that nothing runs on its stack and its
// directory is not loaded.
extern "C" void demo_finish_switch()
{
    Process* p = scheduler::switched_from;
    if (p && p->state == State::dead) process::reap(*p);
}

} // namespace demo
