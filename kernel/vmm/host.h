// kernel/vmm/host.h: from Multiboot modules to guests run to the end.
#pragma once
#include "boot/command_line.h"
#include "boot/multiboot.h"

namespace host {
// Loads one guest per module, runs them all, prints the final line of the
// ABI's section 8; true when the run succeeded (no kill, no reject, one ran).
bool run(const multiboot::Module* modules, u32 count, const KernelOptions& options);
}
