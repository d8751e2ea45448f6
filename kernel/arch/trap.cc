// kernel/arch/trap.cc: the host's traps.  An exception in the host is a bug:
// report it and end the run, unless the selftest is expecting exactly it.
#include "arch/trap.h"
#include "arch/clock.h"
#include "arch/cpu.h"
#include "arch/gdt.h"
#include "arch/lapic.h"
#include "arch/pic.h"
#include "console/log.h"
#include "console/serial.h"
#include "lib/panic.h"
#include "power.h"

namespace trap {

Expected expected;

namespace {
u32 nmis = 0;
PageFaultHook page_fault_hook = nullptr;
const char* const names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
    "device not available", "double fault", "coprocessor overrun", "invalid TSS",
    "segment not present", "stack fault", "general protection", "page fault", "reserved",
    "x87 error", "alignment check", "machine check", "SIMD error", "virtualization", "control protection",
    "reserved", "reserved", "reserved", "reserved", "reserved", "reserved", "reserved", "reserved",
    "security", "reserved"};
const char* const mnemonics[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#28", "#29", "#SX", "#31"};
} // namespace

const char* exception_name(u32 vector) { return vector < 32 ? names[vector] : "interrupt"; }
const char* exception_mnemonic(u32 vector) { return vector < 32 ? mnemonics[vector] : "interrupt"; }

u32 nmi_count() { return nmis; }
void set_page_fault_hook(PageFaultHook hook) { page_fault_hook = hook; }
void note_nmi() { nmis++; }
void note_nmis(u32 count) { nmis += count; }

static_assert(pic::VECTOR_BASE == 32 && lapic::TIMER_VECTOR == 0x30 && lapic::SPURIOUS_VECTOR == 0xFF,
              "is_host_interrupt() in trap.h names these vectors");

void dispatch_interrupt(u32 vector)
{
    if (vector == lapic::TIMER_VECTOR) {
        clock::on_lapic_timer();
        lapic::end_of_interrupt();
        return;
    }
    u32 irq = vector - pic::VECTOR_BASE;
    if (irq >= 16) return; // the APIC's spurious vector, or nothing of ours: no EOI
    if (pic::is_spurious(irq)) return;
    if (irq == 0) clock::on_pit_interrupt();
    if (irq == serial::IRQ) console::on_interrupt();
    pic::end_of_interrupt(irq);
}

} // namespace trap

extern "C" void host_trap(TrapFrame* frame)
{
    u32 v = frame->vector;
    if (trap::is_host_interrupt(v)) {
        trap::dispatch_interrupt(v);
        return;
    }
    if (v == 2) {
        trap::note_nmi();
        return;
    }
    if (v == host_tables::HOST_USER_VECTOR) return; // the native ring-3 round trip
    if (v == 14 && trap::page_fault_hook && trap::page_fault_hook(cpu::read_cr2())) return;
    if (v < 32 && trap::expected.armed) {
        u32 resume = trap::expected.resume;
        trap::expected = {false, true, resume, v, frame->error, frame->eip, cpu::read_cr2()};
        frame->eip = resume;
        return;
    }
    if (v >= 32) {
        console::info("unexpected interrupt vector %u ignored", v);
        return;
    }
    console::print("rung: PANIC: host exception %u (%s), error %x, at eip=%08x, cr2=%08x\n", v,
                   trap::exception_name(v), frame->error, frame->eip, cpu::read_cr2());
    dump_frame(*frame);
    power::finish(false);
}
