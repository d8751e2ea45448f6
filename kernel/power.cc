// kernel/power.cc
#include "power.h"
#include "arch/cpu.h"
#include "arch/ports.h"
#include "console/log.h"
#include "console/serial.h"

namespace power {
namespace {
OnExit policy = OnExit::poweroff;
}

void set_policy(OnExit p) { policy = p; }

void finish(bool success)
{
    cpu::disable_interrupts();
    console::flush(); // the last line must reach the wire before the machine goes
    serial::drain();
    if (policy == OnExit::poweroff) {
        port::out32(0xF4, success ? 0 : 1);
        for (const char* s = "Shutdown"; *s; s++) port::out8(0x8900, static_cast<u8>(*s));
    } else if (policy == OnExit::reboot) {
        // The keyboard controller's reset line; if that does nothing, a triple
        // fault through an empty IDT resets any PC.
        for (u32 spins = 0; (port::in8(0x64) & 0x02) && spins < 100000; spins++) {
        }
        port::out8(0x64, 0xFE);
        cpu::TablePointer empty{0, 0};
        cpu::lidt(empty);
        asm volatile("int3");
    }
    cpu::halt_forever();
}

} // namespace power
