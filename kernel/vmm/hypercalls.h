// kernel/vmm/hypercalls.h: the calls a guest makes with int $0x1F (guest
// ABI, section 3) and the asynchronous ring (section 4).
#pragma once
#include "vmm/guest.h"

namespace hypercalls {
// `make bench`: after each console write, print the guest's exit count.
extern bool trace_exits;
// The guest trapped on the hypercall vector: run its queued asynchronous
// calls, then the call in its registers.
Outcome handle(Guest& guest);
} // namespace hypercalls
