// guest/demo/paging.cc: non-PAE two-level tables, 4 KiB pages only.
//
// The host keeps shadow tables built from ours.  Filling an entry that was
// not present needs no word to the host (it never caches absence); changing
// or clearing a present one does, like a TLB flush: SET_PTE for a few pages,
// FLUSH_TLB (user half only) for many, SET_PGD for a directory entry.  They go
// on the asynchronous ring, and one FLUSH_ASYNC runs them all.
#include "paging.h"
#include "frames.h"
#include "layout.h"

namespace demo {

namespace paging {
namespace {
constexpr u32 KERNEL_SLOT = layout::KERNEL_BASE >> 22; // 768
constexpr u32 SWITCHER_SLOT = 1023;                    // never ours
constexpr u32 FEW_PAGES = 8;                           // more: one FLUSH_TLB instead of SET_PTEs

u32 kernel_dir = 0, table_count = 0, current_dir = 0;

u32* table_of(u32 pde) { return kernel_view<u32>(pde & pte::FRAME); }
} // namespace

bool init(u32 memory_bytes)
{
    kernel_dir = frames::alloc();
    if (!kernel_dir) return false;
    u32* dir = kernel_view<u32>(kernel_dir);
    table_count = (memory_bytes + (4u << 20) - 1) >> 22;
    for (u32 t = 0; t < table_count; t++) {
        u32 table = frames::alloc();
        if (!table) return false;
        u32* entries = kernel_view<u32>(table);
        for (u32 i = 0; i < 1024; i++) {
            u32 gpa = (t << 22) + i * layout::PAGE;
            if (gpa < memory_bytes) entries[i] = gpa | pte::WRITABLE | pte::PRESENT;
        }
        dir[KERNEL_SLOT + t] = table | pte::WRITABLE | pte::PRESENT;
    }
    load(kernel_dir);
    return true;
}

u32 kernel_directory() { return kernel_dir; }
u32 kernel_tables() { return table_count; }

u32 create()
{
    u32 gpa = frames::alloc();
    if (!gpa) return 0;
    u32* dir = kernel_view<u32>(gpa);
    const u32* kernel = kernel_view<u32>(kernel_dir);
    for (u32 i = KERNEL_SLOT; i < SWITCHER_SLOT; i++) dir[i] = kernel[i];
    return gpa;
}

void destroy(u32 gpa)
{
    if (gpa == current_dir) rung::shutdown("demo kernel bug: destroying the loaded address space");
    u32* dir = kernel_view<u32>(gpa);
    for (u32 i = 0; i < KERNEL_SLOT; i++) {
        if (!(dir[i] & pte::PRESENT)) continue;
        u32* table = table_of(dir[i]);
        for (u32 j = 0; j < 1024; j++)
            if ((table[j] & pte::PRESENT) && (table[j] & pte::OWNED)) frames::free(table[j] & pte::FRAME);
        frames::free(dir[i] & pte::FRAME);
    }
    frames::free(gpa);
}

bool map(u32 gpa_dir, u32 address, u32 gpa, u32 flags)
{
    u32& pde = kernel_view<u32>(gpa_dir)[address >> 22];
    if (!(pde & pte::PRESENT)) {
        u32 table = frames::alloc();
        if (!table) return false;
        // Was not present: the host has nothing to forget.
        pde = table | pte::USER | pte::WRITABLE | pte::PRESENT;
    }
    table_of(pde)[(address >> 12) & 1023] = gpa | flags | pte::PRESENT;
    return true;
}

u32 entry(u32 gpa_dir, u32 address)
{
    u32 pde = kernel_view<u32>(gpa_dir)[address >> 22];
    return (pde & pte::PRESENT) ? table_of(pde)[(address >> 12) & 1023] : 0;
}

u32 unmap(u32 gpa_dir, u32 start, u32 end)
{
    u32* dir = kernel_view<u32>(gpa_dir);
    bool few = (end - start) / layout::PAGE <= FEW_PAGES;
    u32 count = 0;
    for (u32 a = start; a < end; a += layout::PAGE) {
        u32 slot = a >> 22;
        if (!(dir[slot] & pte::PRESENT)) continue;
        u32& e = table_of(dir[slot])[(a >> 12) & 1023];
        if (!(e & pte::PRESENT)) continue;
        if (e & pte::OWNED) frames::free(e & pte::FRAME);
        e = 0;
        count++;
        if (few) rung::queue_async(hcall::SET_PTE, gpa_dir, a, 0);
    }
    // Page tables left empty go back too.
    for (u32 slot = start >> 22; start < end && slot <= (end - 1) >> 22; slot++) {
        if (!(dir[slot] & pte::PRESENT)) continue;
        const u32* table = table_of(dir[slot]);
        bool empty = true;
        for (u32 j = 0; j < 1024 && empty; j++) empty = !(table[j] & pte::PRESENT);
        if (!empty) continue;
        frames::free(dir[slot] & pte::FRAME);
        dir[slot] = 0;
        rung::queue_async(hcall::SET_PGD, gpa_dir, slot);
    }
    if (!few && count) rung::queue_async(hcall::FLUSH_TLB, 0); // the user half only
    rung::hypercall(hcall::FLUSH_ASYNC);
    return count;
}

void load(u32 gpa_dir)
{
    if (gpa_dir == current_dir) return;
    current_dir = gpa_dir;
    rung::hypercall(hcall::NEW_PGTABLE, gpa_dir); // also runs whatever waits on the async ring
}

u32 loaded() { return current_dir; }

} // namespace paging

} // namespace demo
