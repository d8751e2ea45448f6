// kernel/console/vga.h: a mirror of the console on the VGA text screen, for a
// PC with no serial cable attached.
#pragma once
#include "lib/types.h"

namespace vga {
void init();
void write_byte(u8 byte);
} // namespace vga
