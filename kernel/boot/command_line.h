// kernel/boot/command_line.h: the kernel's own options (guest ABI, section 1).
// Pure: unit-tested on the build machine.
#pragma once
#include "lib/types.h"

enum class OnExit { poweroff, halt, reboot };

struct KernelOptions {
    OnExit on_exit = OnExit::poweroff;
    bool quiet = false;
    bool selftest = false; // raise and catch host exceptions at boot
    bool bench = false;    // run the host's native measurements before the guests
    bool inject_switch_faults = false; // tests only: see vmm/fault_injection.h
    // Words that were neither an option nor a flag, space-separated, for one report line.
    char unknown[256] = {};
};

void parse_kernel_command_line(const char* line, KernelOptions& options);
