// kernel/vmm/scheduler.h: round robin over the guests, one host tick each.
#pragma once
#include "vmm/guest.h"

namespace scheduler {

void init(Guest* guests, u32 count);
// The next guest to run, or nullptr when every guest is dead.  When all that
// live are asleep, halts the CPU until an interrupt wakes one.
Guest* next();
// The running guest's slice is used up (set by the timer tick).
extern volatile bool slice_expired;
inline bool slice_over() { return slice_expired; }
// HALT: sleep until a virtual interrupt can be delivered.
Outcome halt(Guest& guest);

} // namespace scheduler
