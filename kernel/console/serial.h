// kernel/console/serial.h: the 16550 UART on COM1, 115200 baud, 8N1.  Before
// guests run it is polled a byte at a time; after, console/log.cc feeds it
// from a queue, a FIFO's worth at a time, from its transmit interrupt (IRQ 4).
#pragma once
#include "lib/types.h"

namespace serial {

void init();
bool present();
// Waits for the transmit holding register before each byte: a real UART (and
// Bochs) drops bytes written while it is busy.
void write_byte(u8 byte);
// Waits until the last bit has left the wire (LSR.TEMT), before power-off.
void drain();

constexpr u32 IRQ = 4;
// The transmitter can take fifo_depth() bytes without waiting (16 on a
// 16550A with its FIFO, 1 on an older UART).
bool transmitter_empty();
u32 fifo_depth();
void write_unchecked(u8 byte);
// The "transmitter empty" interrupt on or off; reading the UART's
// identification register acknowledges it.
void set_transmit_interrupt(bool on);
void acknowledge();

// Input: the "data available" interrupt on or off, and one received byte
// (false when none is waiting).
void set_receive_interrupt(bool on);
bool read_byte(u8* byte);

} // namespace serial
