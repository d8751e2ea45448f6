// kernel/vmm/guest_access.h: the host writing into a guest's virtual
// memory as the guest's ring 1 would (through the guest's own page tables,
// setting their accessed and dirty bits), to build trap frames.
#pragma once
#include "vmm/guest.h"

namespace guest_access {

// False when some byte is not mapped writable for ring 1 (or lies in the
// switcher's slot); the guest must then die, not the host.
bool write_virtual(Guest& guest, u32 address, const void* bytes, u32 length);
// True when every page of [address, address + length) is mapped writable for ring 1.
bool writable(Guest& guest, u32 address, u32 length);
// Reads up to `length` bytes at `address` as ring 1 would fetch them,
// stopping where the guest's tables stop mapping (or at the switcher's
// slot, or at a device page): the count read.  For instruction fetches.
u32 read_virtual(Guest& guest, u32 address, u8* out, u32 length);

} // namespace guest_access
