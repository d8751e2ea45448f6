// guest/demo/frames.h: the demo kernel's page-frame allocator, over the guest
// memory the host left free (boot_info->free_start to the end).
#pragma once
#include "rung.h"

namespace demo {

namespace frames {
void init(u32 first, u32 end); // guest-physical, page aligned
u32 alloc();                   // a zeroed frame's guest-physical address, 0 if none is left
void free(u32 gpa);
u32 in_use();
u32 available();
} // namespace frames

} // namespace demo
