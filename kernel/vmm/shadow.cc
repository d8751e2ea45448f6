// kernel/vmm/shadow.cc
#include "vmm/shadow.h"
#include "boot/physical_memory.h"
#include "lib/string.h"
#include "switcher/layout.h"
#include "vmm/guest.h"

namespace {

u32 new_zeroed_frame()
{
    u32 frame = physical_memory::frames().alloc();
    if (frame == NO_FRAME) return 0;
    memset(reinterpret_cast<void*>(frame * FRAME_SIZE), 0, PAGE_SIZE);
    return frame * FRAME_SIZE;
}

} // namespace

bool ShadowMmu::init(u32 switcher_table)
{
    directory_ = new_zeroed_frame();
    if (!directory_) return false;
    entries(directory_)[1023] = switcher_table | pte::WRITABLE | pte::PRESENT;
    tables_in_use_ = 0;
    return true;
}

void ShadowMmu::release()
{
    if (!directory_) return;
    flush_all();
    physical_memory::frames().free(directory_ / FRAME_SIZE);
    directory_ = 0;
}

void ShadowMmu::flush_slot(u32 index)
{
    u32* dir = entries(directory_);
    if (index >= 1023 || !(dir[index] & pte::PRESENT)) return;
    physical_memory::frames().free(dir[index] / FRAME_SIZE);
    dir[index] = 0;
    tables_in_use_--;
}

void ShadowMmu::flush_all()
{
    if (!directory_) return;
    for (u32 i = 0; i < 1023 && tables_in_use_; i++) flush_slot(i);
}

void ShadowMmu::flush_page(u32 address)
{
    u32* dir = entries(directory_);
    u32 index = directory_index(address);
    if (index >= 1023 || !(dir[index] & pte::PRESENT)) return;
    entries(dir[index] & pte::FRAME_MASK)[table_index(address)] = 0;
}

// The demand fill: the guest's tables say what the access may do; the shadow
// gets the host frame with those rights, and write access only on a write,
// so the guest's dirty bits are exact.
WalkResult ShadowMmu::fill(Guest& guest, u32 address, u32 error)
{
    u32 access = error & (pf::WRITE | pf::USER);
    if (address >= SWITCHER_BASE) {
        // The switcher's slot is not the guest's to map: its own tables are
        // never consulted, and the guest sees the fault the CPU raised.
        WalkResult r;
        r.error = error & (pf::PRESENT | pf::WRITE | pf::USER);
        return r;
    }
    u8* memory = guest.host_address(0);
    WalkResult r = walk_guest_tables(memory, guest.memory_size, guest_cr3_, address, access);
    if (r.kind != WalkResult::mapped) return r;

    // Accessed and dirty bits, as the CPU would have set them.
    u32 pde = r.pde | pte::ACCESSED;
    u32 gpte = r.pte | pte::ACCESSED | ((access & pf::WRITE) ? pte::DIRTY : 0);
    if (pde != r.pde) memcpy(memory + r.pde_gpa, &pde, 4);
    if (gpte != r.pte) memcpy(memory + r.pte_gpa, &gpte, 4);

    u32* dir = entries(directory_);
    u32 index = directory_index(address);
    if (!(dir[index] & pte::PRESENT)) {
        u32 table = new_zeroed_frame();
        if (!table) {
            // Out of host frames: start this guest's shadow afresh and retry
            // once; the tables we drop refill on demand.
            flush_all();
            table = new_zeroed_frame();
            if (!table) {
                r.kind = WalkResult::kill;
                r.reason = "host out of memory for shadow page tables";
                return r;
            }
        }
        dir[index] = table | pte::USER | pte::WRITABLE | pte::PRESENT;
        tables_in_use_++;
    }
    u32 flags = pte::PRESENT | (r.user ? pte::USER : 0) |
                (r.writable && (gpte & pte::DIRTY) ? pte::WRITABLE : 0);
    entries(dir[index] & pte::FRAME_MASK)[table_index(address)] =
        (guest.memory_base + r.page) | flags;
    return r;
}
