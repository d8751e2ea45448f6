// kernel/console/serial.cc: COM1.
#include "console/serial.h"
#include "arch/ports.h"

namespace serial {
namespace {

constexpr u16 COM1 = 0x3F8;
constexpr u16 DATA = COM1 + 0, IER = COM1 + 1, FCR = COM1 + 2, LCR = COM1 + 3, MCR = COM1 + 4,
              LSR = COM1 + 5, SCRATCH = COM1 + 7;
constexpr u8 LSR_THRE = 1 << 5, LSR_TEMT = 1 << 6;
bool found = false;

} // namespace

void init()
{
    // A missing UART floats the bus: the scratch register will not hold a value.
    port::out8(SCRATCH, 0x5A);
    if (port::in8(SCRATCH) != 0x5A) return;
    port::out8(IER, 0x00);  // polled: no UART interrupts
    port::out8(LCR, 0x80);  // divisor latch on
    port::out8(DATA, 1);    // 115200 = 115200 / 1
    port::out8(IER, 0);
    port::out8(LCR, 0x03);  // 8 bits, no parity, 1 stop bit
    port::out8(FCR, 0x07);  // FIFOs on and cleared
    port::out8(MCR, 0x03);  // DTR, RTS
    found = true;
}

bool present() { return found; }

void write_byte(u8 byte)
{
    if (!found) return;
    // Bounded, so a wedged UART cannot hang the host forever.
    for (u32 spins = 0; !(port::in8(LSR) & LSR_THRE) && spins < 1000000; spins++) {
    }
    port::out8(DATA, byte);
}

void drain()
{
    if (!found) return;
    for (u32 spins = 0; !(port::in8(LSR) & LSR_TEMT) && spins < 1000000; spins++) {
    }
}

} // namespace serial
