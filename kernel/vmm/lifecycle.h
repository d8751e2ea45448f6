// kernel/vmm/lifecycle.h: how a guest's life ends, and how the next begins.
#pragma once
#include "vmm/guest.h"

namespace lifecycle {

// SHUTDOWN: powered off for good, or reloaded and started afresh.
Outcome shutdown(Guest& guest, bool restart, const char* message);

// One turn of a restarting guest: the next step of zeroing its memory, and
// once all is zero, its new life (or its end, if that cannot start).
void restart_step(Guest& guest);

// Counts for the final line.
struct Totals {
    u32 powered_off = 0, killed = 0, rejected = 0, ran = 0;
};
Totals& totals();

} // namespace lifecycle
