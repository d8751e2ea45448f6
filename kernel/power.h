// kernel/power.h: how a run ends (guest ABI, section 8): a status on port
// 0xF4 for QEMU's isa-debug-exit, "Shutdown" on port 0x8900 for Bochs, then
// halt, or a reset, as `on_exit` asks.
#pragma once
#include "boot/command_line.h"

namespace power {
void set_policy(OnExit policy);
[[noreturn]] void finish(bool success);
} // namespace power
