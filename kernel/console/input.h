// kernel/console/input.h: bytes typed on the serial console, for the guest
// that has the console's focus (Linux guests: the virtio console's receive
// queue).  The UART's interrupt (and the tick, should one be lost) move
// them from its FIFO into a bounded buffer here; the platform takes them
// when the focused guest has room.  A full buffer drops what arrives and
// says so in one host line, so nothing is lost silently.  Ctrl-T is never
// input: it moves the focus to the next guest that takes input.
#pragma once
#include "lib/types.h"

namespace console_input {

constexpr u8 FOCUS_KEY = 0x14; // Ctrl-T
constexpr u32 BUFFER_BYTES = 4096;

// From the UART's interrupt and the tick: drain its receive FIFO.
void collect();
// Bytes waiting for the focused guest; take() removes them.
u32 waiting();
u32 peek(u8* out, u32 max);
void take(u32 count);
// How many times the focus key was pressed since the last call.
u32 focus_presses();

} // namespace console_input
