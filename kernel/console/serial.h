// kernel/console/serial.h: the 16550 UART on COM1, 115200 baud, 8N1, polled.
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

} // namespace serial
