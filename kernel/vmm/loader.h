// kernel/vmm/loader.h: making a guest from a module (guest ABI, sections 1-2).
#pragma once
#include "vmm/guest.h"

namespace loader {

// Parses the options, takes memory and pages from the host, loads the image.
// False (with a reason for the "rejected" line) leaves nothing allocated.
// A bzImage is a Linux guest (Linux addendum); `initrd` is its initrd_for=
// module (size 0 for none).
// `slot` is its index in the host's table of guests.
bool create(Guest& guest, u32 slot, u32 id, const u8* image, u32 size, const char* module_string,
            const u8* initrd, u32 initrd_size, char* error, usize error_size);

// Loads the image afresh into the guest's memory and sets the entry state:
// the start of every life, the first and each restart.  It zeroes whatever
// zero_step() has not zeroed yet.
bool boot(Guest& guest, char* error, usize error_size);

// A restart zeroes the old life's memory a step at a time, one step per
// turn of the scheduler (lifecycle.cc), because zeroing 16 MiB at once is
// tens of milliseconds every other guest would wait.  True when all is zero.
bool zero_step(Guest& guest);

// Gives every page and frame back to the host.
void destroy(Guest& guest);

} // namespace loader
