// kernel/vmm/run_loop.h
#pragma once
#include "vmm/guest.h"

namespace run_loop {
// Runs `guest` until its slice ends, it sleeps, or its life ends.
void run_slice(Guest& guest);
} // namespace run_loop
