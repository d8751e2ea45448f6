// kernel/vmm/traps.cc
#include "vmm/traps.h"
#include "arch/trap_frame.h"

namespace traps {

Outcome page_fault(Guest& g, u32 address, u32 error)
{
    WalkResult r = g.mmu.fill(g, address, error);
    if (r.kind == WalkResult::mapped) return Outcome::resume;
    if (r.kind == WalkResult::kill) return kill(g, "%s (address %x)", r.reason, address);
    return reflect(g, 14, r.error);
}

Outcome reflect(Guest& g, u32 vector, u32 error)
{
    return kill(g, "unhandled trap %u (error %x) at %x", vector,
                vector_has_error_code(vector) ? error : 0, g.regs().eip);
}

Outcome deliver_pending(Guest&) { return Outcome::resume; }

} // namespace traps
