// kernel/boot/physical_memory.h: from the Multiboot information to a frame
// allocator that never hands out the first MiB, the kernel, the Multiboot
// structures or the modules.
#pragma once
#include "boot/multiboot.h"
#include "mm/frame_allocator.h"
#include "mm/memory_map.h"

namespace physical_memory {

void init(const multiboot::Info& info);
FrameAllocator& frames();
const MemoryMap& map();
u64 highest_address(); // RAM top or the end of the last module, whichever is higher
// One zeroed frame's physical (and identity-mapped) address, or 0.
u32 zeroed_frame();

} // namespace physical_memory
