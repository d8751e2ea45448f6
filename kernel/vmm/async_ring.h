// kernel/vmm/async_ring.h: the asynchronous hypercall ring of lguest_data
// (guest ABI, section 4), drained in order from where the host stopped,
// one lap at most.  Pure: unit-tested with a fake `run`.
#pragma once
#include "vmm/abi.h"

// `run(call)` returns false when the call ended the guest: the drain stops at
// once, and that slot stays queued.  Returns false in that case.
template <typename Run>
bool drain_async_ring(LguestData& data, u32& next, Run run)
{
    for (u32 n = 0; n < ASYNC_SLOTS; n++) {
        u32 slot = next;
        if (data.hcall_status[slot] != ASYNC_QUEUED) return true;
        AsyncCall call = data.hcalls[slot];
        next = (slot + 1) % ASYNC_SLOTS;
        if (!run(call)) return false;
        data.hcall_status[slot] = ASYNC_FREE;
    }
    return true;
}
