// kernel/boot/multiboot.h: the Multiboot 1 information structures we read.
#pragma once
#include "lib/types.h"

namespace multiboot {

constexpr u32 LOADER_MAGIC = 0x2BADB002;
constexpr u32 INFO_MEMORY = 1u << 0, INFO_CMDLINE = 1u << 2, INFO_MODULES = 1u << 3,
              INFO_MEMORY_MAP = 1u << 6, INFO_LOADER_NAME = 1u << 9;

struct Info {
    u32 flags;
    u32 mem_lower, mem_upper; // KiB below 1 MiB and above it
    u32 boot_device;
    u32 cmdline;
    u32 mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
    u32 drives_length, drives_addr;
    u32 config_table;
    u32 boot_loader_name;
};
static_assert(sizeof(Info) == 68);

struct Module {
    u32 start, end; // [start, end)
    u32 string;
    u32 reserved;
};
static_assert(sizeof(Module) == 16);

// One entry of the memory map; `size` counts the bytes after itself.
struct [[gnu::packed]] MapEntry {
    u32 size;
    u64 base;
    u64 length;
    u32 type; // 1 = usable RAM
};
static_assert(sizeof(MapEntry) == 24);

} // namespace multiboot
