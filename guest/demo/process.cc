// guest/demo/process.cc
#include "process.h"
#include "frames.h"
#include "paging.h"
#include "programs.h"
#include "scheduler.h"
#include "traps.h"
#include "arch/selectors.h"

namespace demo {

extern "C" char demo_first_run[];

u32 Process::kernel_stack_top() const
{
    return reinterpret_cast<u32>(kernel_stack) + process::KERNEL_STACK_PAGES * layout::PAGE;
}

namespace process {
namespace {
alignas(4096) u8 kernel_stacks[MAX][KERNEL_STACK_PAGES * layout::PAGE];
u32 next_pid = 1;
u32 alive = 0;

void emit_line(Process& p)
{
    p.line[p.line_length] = '\0';
    rung::print("pid %u %s: %s\n", p.pid, p.name, p.line);
    p.line_length = 0;
}

[[noreturn]] void finish(Process& p)
{
    if (p.line_length) emit_line(p);
    p.state = State::dead;
    alive--;
    scheduler::block();
    rung::shutdown("demo kernel bug: a dead process ran again");
}
} // namespace

Process table[MAX];
Process idle;
Process* current = &idle;

Process* spawn(const char* name, u32 entry, u32 arg, u32 exit_stub)
{
    u32 slot = 0;
    while (slot < MAX && table[slot].state != State::unused) slot++;
    if (slot == MAX) return nullptr;

    u32 dir = paging::create();
    if (!dir) return nullptr;
    // The user image, shared and read-only; the top page of the stack.
    bool ok = true;
    for (u32 va = reinterpret_cast<u32>(user_image_start); ok && va < reinterpret_cast<u32>(user_image_end);
         va += layout::PAGE)
        ok = paging::map(dir, layout::USER_IMAGE + (va - reinterpret_cast<u32>(user_image_start)),
                         rung::address_of(reinterpret_cast<void*>(va)), pte::USER);
    u32 stack_page = ok ? frames::alloc() : 0;
    if (stack_page)
        ok = paging::map(dir, layout::STACK_TOP - layout::PAGE, stack_page, pte::OWNED | pte::USER | pte::WRITABLE);
    if (!ok || !stack_page) {
        if (stack_page && !ok) frames::free(stack_page);
        paging::destroy(dir);
        return nullptr;
    }

    Process& p = table[slot];
    p = Process{};
    p.pid = next_pid++;
    p.name = name;
    p.directory = dir;
    p.kernel_stack = kernel_stacks[slot];
    p.brk = layout::HEAP_BASE;

    // The user stack: [return address][argument], so that ESP + 4 is 16-byte
    // aligned at entry, as after a call.
    u32 user_esp = layout::STACK_TOP - 28;
    u32* words = kernel_view<u32>(stack_page + (user_esp & (layout::PAGE - 1)));
    words[0] = exit_stub;
    words[1] = arg;

    // The kernel stack, as if the process had trapped from ring 3 and then
    // switched out: a trap frame to return to ring 3 through, under it what
    // switch_context pops (EDI, ESI, EBX, EBP, then demo_first_run to return to).
    auto* frame = reinterpret_cast<rung::GuestFrame*>(p.kernel_stack_top() - sizeof(rung::GuestFrame));
    *frame = rung::GuestFrame{};
    frame->eip = entry;
    frame->cs = SEL_USER_CODE;
    frame->eflags = 0x202; // IF: virtual interrupts on in ring 3
    frame->esp = user_esp;
    frame->ss = SEL_USER_DATA;
    u32* switch_frame = reinterpret_cast<u32*>(frame) - 5;
    switch_frame[4] = reinterpret_cast<u32>(demo_first_run);
    p.kernel_esp = reinterpret_cast<u32>(switch_frame);

    p.state = State::runnable;
    scheduler::ready(p);
    alive++;
    stats.processes++;
    return &p;
}

u32 live() { return alive; }

void output(Process& p, const char* bytes, u32 length)
{
    for (u32 i = 0; i < length; i++) {
        char c = bytes[i];
        if (c == '\n') {
            emit_line(p);
            continue;
        }
        p.line[p.line_length++] = (c >= 0x20 && c < 0x7F) || c == '\t' ? c : '?';
        if (p.line_length == sizeof p.line - 1) emit_line(p);
    }
}

void exit(u32 status)
{
    Process& p = *current;
    p.status = status;
    stats.exited++;
    if (p.line_length) emit_line(p);
    u64 cpu = p.cpu_ns + (scheduler::now() - scheduler::slice_start());
    rung::print("kernel: pid %u (%s) exited with status %u: %u system calls, %u page faults, ran %u ms\n",
                p.pid, p.name, status, p.syscalls, p.faults, static_cast<u32>(cpu / 1000000));
    finish(p);
}

void kill(const char* fmt, ...)
{
    Process& p = *current;
    p.killed = true;
    stats.killed++;
    if (p.line_length) emit_line(p);
    char reason[120];
    va_list args;
    va_start(args, fmt);
    vsnformat(reason, sizeof reason, fmt, args);
    va_end(args);
    rung::print("kernel: killed pid %u (%s): %s\n", p.pid, p.name, reason);
    finish(p);
}

void reap(Process& p)
{
    if (p.reaped) return;
    paging::destroy(p.directory);
    p.directory = 0;
    p.reaped = true;
}

} // namespace process

} // namespace demo
