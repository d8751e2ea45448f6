// kernel/vmm/lazy_fpu.h: each guest's FPU state is its own, switched only
// when a guest actually uses the FPU (CR0.TS makes the first use trap, #NM),
// and the guest's own TS hypercall is honoured on top.
#pragma once
#include "vmm/guest.h"

namespace lazy_fpu {
// Before running `guest`: CR0.TS on unless it owns the FPU and wants it.
void prepare(Guest& guest);
// #NM from the guest: hand it the FPU, or reflect #NM if its virtual TS is set.
Outcome device_not_available(Guest& guest);
// TS hypercall.
Outcome set_virtual_ts(Guest& guest, u32 value);
// The guest's life ended: its state in the FPU is nobody's.
void forget(Guest& guest);
} // namespace lazy_fpu
