// kernel/vmm/fault_injection.h: for tests only (kernel option
// `inject_switch_faults`).  No guest can make the switcher's reloads of its
// segment registers or its iret fault any more: every selector is checked
// before the switcher loads it.  So the last line of defence, the switch
// fault (world_switch.S switcher_fault, run_loop.cc switch_fault), is
// exercised by breaking a guest's saved state from the host's side: a guest
// named inject_gs, inject_fs, inject_es, inject_ds, inject_cs or inject_ss
// gets that saved register replaced by a selector the CPU refuses, at its
// LGUEST_INIT (a call made once a life, off every fast path); the switcher
// must then kill it with the register named.
#pragma once
#include "vmm/guest.h"

namespace fault_injection {
extern bool enabled;
void break_saved_state(Guest& guest);
} // namespace fault_injection
