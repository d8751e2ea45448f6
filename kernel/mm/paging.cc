// kernel/mm/paging.cc
#include "mm/paging.h"
#include "arch/cpu.h"
#include "arch/features.h"
#include "lib/panic.h"
#include "lib/string.h"

namespace paging {
namespace {

alignas(4096) u32 host_directory[ENTRIES_PER_TABLE];
u32 top_mapped = 0;
// Memory-mapped devices live from here up; RAM mapping stops below it.
constexpr u64 DEVICE_HOLE = 0xFEC00000;

} // namespace

void init(u64 top, FrameAllocator& frames)
{
    if (top > DEVICE_HOLE) top = DEVICE_HOLE;
    u32 end = static_cast<u32>((top + LARGE_PAGE_SIZE - 1) & ~static_cast<u64>(LARGE_PAGE_SIZE - 1));
    bool large = features::cpu().pse;
    for (u32 address = 0; address < end; address += LARGE_PAGE_SIZE) {
        u32 slot = directory_index(address);
        if (large) {
            host_directory[slot] = address | pte::LARGE | pte::WRITABLE | pte::PRESENT;
            continue;
        }
        u32 frame = frames.alloc();
        if (frame == NO_FRAME) panic("out of memory building the host page tables");
        auto* table = reinterpret_cast<u32*>(frame * FRAME_SIZE);
        for (u32 i = 0; i < ENTRIES_PER_TABLE; i++)
            table[i] = (address + i * PAGE_SIZE) | pte::WRITABLE | pte::PRESENT;
        host_directory[slot] = frame * FRAME_SIZE | pte::WRITABLE | pte::PRESENT;
    }
    top_mapped = end;
    frames.reserve(end, 1ull << 32); // RAM the host cannot reach is never handed out
    // Page 0 stays unmapped so a null pointer in the host faults.  With 4 MiB
    // pages that would cost a table; there the first 4 MiB stay one page.
    if (!large) {
        auto* first = reinterpret_cast<u32*>(host_directory[0] & pte::FRAME_MASK);
        first[0] = 0;
    }
    if (large) cpu::write_cr4(cpu::read_cr4() | cpu::CR4_PSE);
    cpu::write_cr3(reinterpret_cast<u32>(host_directory));
    cpu::write_cr0(cpu::read_cr0() | cpu::CR0_PG | cpu::CR0_WP);
}

u32 directory() { return reinterpret_cast<u32>(host_directory); }
u32* directory_entries() { return host_directory; }
u32 mapped_top() { return top_mapped; }

bool map_mmio(u32 physical, FrameAllocator& frames)
{
    u32 slot = directory_index(physical);
    if (slot == 1023) return false;
    if (!(host_directory[slot] & pte::PRESENT)) {
        u32 frame = frames.alloc();
        if (frame == NO_FRAME) return false;
        memset(reinterpret_cast<void*>(frame * FRAME_SIZE), 0, PAGE_SIZE);
        host_directory[slot] = frame * FRAME_SIZE | pte::WRITABLE | pte::PRESENT;
    } else if (host_directory[slot] & pte::LARGE) {
        return true; // already inside an identity-mapped 4 MiB page
    }
    auto* table = reinterpret_cast<u32*>(host_directory[slot] & pte::FRAME_MASK);
    table[table_index(physical)] =
        (physical & pte::FRAME_MASK) | pte::NO_CACHE | pte::WRITE_THROUGH | pte::WRITABLE | pte::PRESENT;
    cpu::invlpg(physical);
    return true;
}

} // namespace paging
