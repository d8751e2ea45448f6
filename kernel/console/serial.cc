// kernel/console/serial.cc: COM1.
#include "console/serial.h"
#include "arch/ports.h"

namespace serial {
namespace {

constexpr u16 COM1 = 0x3F8;
constexpr u16 DATA = COM1 + 0, IER = COM1 + 1, FCR = COM1 + 2, IIR = COM1 + 2, LCR = COM1 + 3,
              MCR = COM1 + 4, LSR = COM1 + 5, SCRATCH = COM1 + 7;
constexpr u8 LSR_DR = 1 << 0, LSR_THRE = 1 << 5, LSR_TEMT = 1 << 6, IER_RDI = 1 << 0, IER_THRI = 1 << 1,
             IIR_FIFOS = 0xC0;
bool found = false;
u32 depth = 1;
u8 interrupts = 0; // IER as last written: receive, transmit or both

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
    // A 16550A says so in the top bits of IIR; an 8250 or a 16450 has none.
    depth = (port::in8(IIR) & IIR_FIFOS) == IIR_FIFOS ? 16 : 1;
    port::out8(MCR, 0x0B);  // DTR, RTS, and OUT2, which gates the IRQ line on a PC
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

bool transmitter_empty() { return !found || (port::in8(LSR) & LSR_THRE); }
u32 fifo_depth() { return depth; }
void write_unchecked(u8 byte)
{
    if (found) port::out8(DATA, byte);
}
void set_transmit_interrupt(bool on)
{
    u8 want = static_cast<u8>(on ? interrupts | IER_THRI : interrupts & ~IER_THRI);
    if (!found || want == interrupts) return;
    interrupts = want;
    port::out8(IER, interrupts);
}
void set_receive_interrupt(bool on)
{
    u8 want = static_cast<u8>(on ? interrupts | IER_RDI : interrupts & ~IER_RDI);
    if (!found || want == interrupts) return;
    interrupts = want;
    port::out8(IER, interrupts);
}
bool read_byte(u8* byte)
{
    if (!found || !(port::in8(LSR) & LSR_DR)) return false;
    *byte = port::in8(DATA);
    return true;
}
void acknowledge()
{
    if (found) (void)port::in8(IIR);
}

void drain()
{
    if (!found) return;
    for (u32 spins = 0; !(port::in8(LSR) & LSR_TEMT) && spins < 1000000; spins++) {
    }
}

} // namespace serial
