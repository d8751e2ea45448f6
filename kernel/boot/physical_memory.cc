// kernel/boot/physical_memory.cc
#include "boot/physical_memory.h"
#include "lib/string.h"

extern "C" char kernel_start[], kernel_end[];

namespace physical_memory {
namespace {

constexpr u32 MAX_FRAMES = 1u << 20; // 4 GiB of 4 KiB frames
u32 bitmap[MAX_FRAMES / 32];
FrameAllocator allocator;
MemoryMap memory;
u64 highest = 0;

void reserve_string(u32 address)
{
    if (address) allocator.reserve(address, address + strlen(reinterpret_cast<const char*>(address)) + 1);
}

} // namespace

void init(const multiboot::Info& info)
{
    if (info.flags & multiboot::INFO_MEMORY_MAP) {
        parse_multiboot_map(memory, reinterpret_cast<const u8*>(info.mmap_addr), info.mmap_length);
    } else if (info.flags & multiboot::INFO_MEMORY) {
        // An old loader: conventional memory and one block above 1 MiB.
        memory.add(0, static_cast<u64>(info.mem_lower) * 1024, 1);
        memory.add(1u << 20, static_cast<u64>(info.mem_upper) * 1024, 1);
        memory.finish();
    }
    u64 top = memory.top();
    highest = top;
    const auto* modules = reinterpret_cast<const multiboot::Module*>(info.mods_addr);
    u32 module_count = (info.flags & multiboot::INFO_MODULES) ? info.mods_count : 0;
    for (u32 i = 0; i < module_count; i++)
        if (modules[i].end > highest) highest = modules[i].end;

    u32 frames = static_cast<u32>((top + FRAME_SIZE - 1) / FRAME_SIZE);
    if (frames > MAX_FRAMES) frames = MAX_FRAMES;
    allocator.init(bitmap, frames);
    allocator.add_usable(memory);

    allocator.reserve(0, 1u << 20);
    allocator.reserve(reinterpret_cast<u32>(kernel_start), reinterpret_cast<u32>(kernel_end));
    allocator.reserve(reinterpret_cast<u32>(&info), reinterpret_cast<u32>(&info) + sizeof info);
    if (info.flags & multiboot::INFO_CMDLINE) reserve_string(info.cmdline);
    if (info.flags & multiboot::INFO_MEMORY_MAP)
        allocator.reserve(info.mmap_addr, static_cast<u64>(info.mmap_addr) + info.mmap_length);
    if (info.flags & multiboot::INFO_LOADER_NAME) reserve_string(info.boot_loader_name);
    if (module_count) {
        allocator.reserve(info.mods_addr, info.mods_addr + module_count * sizeof(multiboot::Module));
        for (u32 i = 0; i < module_count; i++) {
            allocator.reserve(modules[i].start, modules[i].end);
            reserve_string(modules[i].string);
        }
    }
}

FrameAllocator& frames() { return allocator; }
const MemoryMap& map() { return memory; }
u64 highest_address() { return highest; }

u32 zeroed_frame()
{
    u32 frame = allocator.alloc();
    if (frame == NO_FRAME) return 0;
    memset(reinterpret_cast<void*>(frame * FRAME_SIZE), 0, FRAME_SIZE);
    return frame * FRAME_SIZE;
}

} // namespace physical_memory
