// kernel/vmm/shadow.cc
#include "vmm/shadow.h"
#include "boot/physical_memory.h"
#include "lib/string.h"
#include "switcher/layout.h"
#include "vmm/guest.h"

using physical_memory::zeroed_frame;

namespace {

u32* entries(u32 frame) { return reinterpret_cast<u32*>(frame); }

} // namespace

bool ShadowMmu::init(u32 switcher_table)
{
    // No directory yet: the first switch_to() makes one, so no slot ever
    // stands for a guest directory the guest did not name.
    *this = ShadowMmu{};
    switcher_table_ = switcher_table;
    while (reserved_ < RESERVED_FRAMES) {
        u32 frame = zeroed_frame();
        if (!frame) return false;
        reserve_[reserved_++] = frame;
    }
    return true;
}

u32 ShadowMmu::new_frame()
{
    u32 frame = zeroed_frame();
    if (!frame && reserved_) {
        frame = reserve_[--reserved_];
        memset(reinterpret_cast<void*>(frame), 0, PAGE_SIZE);
    }
    return frame;
}

void ShadowMmu::give_back(u32 frame)
{
    if (reserved_ < RESERVED_FRAMES) reserve_[reserved_++] = frame;
    else physical_memory::frames().free(frame / FRAME_SIZE);
}

void ShadowMmu::release()
{
    flush_all();
    for (Cached& c : cache_)
        if (c.frame) physical_memory::frames().free(c.frame / FRAME_SIZE);
    for (u32 i = 0; i < reserved_; i++) physical_memory::frames().free(reserve_[i] / FRAME_SIZE);
    *this = ShadowMmu{};
}

u32 ShadowMmu::new_table()
{
    u32 frame = tables_ < MAX_TABLES ? new_frame() : 0;
    if (frame) tables_++;
    return frame;
}

void ShadowMmu::free_table(u32 frame)
{
    give_back(frame);
    tables_--;
}

ShadowMmu::Cached* ShadowMmu::lookup(u32 gpa)
{
    if (current_ && current_->guest_directory == gpa) return current_; // the usual case
    for (Cached& c : cache_)
        if (c.frame && c.guest_directory == gpa) return &c;
    return nullptr;
}

// A free slot, or else the least recently used directory that is not current.
ShadowMmu::Cached* ShadowMmu::victim()
{
    Cached* best = nullptr;
    for (Cached& c : cache_) {
        if (&c == current_) continue;
        if (!c.frame) return &c;
        if (!best || c.last_used < best->last_used) best = &c;
    }
    return best;
}

void ShadowMmu::clear_user(Cached& c)
{
    u32* dir = entries(c.frame);
    for (u32 i = 0; i < kernel_slot_ && i < 1023; i++)
        if (dir[i] & pte::PRESENT) {
            free_table(dir[i] & pte::FRAME_MASK);
            dir[i] = 0;
        }
}

void ShadowMmu::drop_kernel_slot(u32 index)
{
    if (!kernel_tables_[index]) return;
    for (Cached& c : cache_)
        if (c.frame) entries(c.frame)[index] = 0;
    free_table(kernel_tables_[index]);
    kernel_tables_[index] = 0;
}

bool ShadowMmu::switch_to(u32 gpa, bool* was_cached)
{
    Cached* c = lookup(gpa);
    if (was_cached) *was_cached = c != nullptr;
    if (!c) {
        c = victim();
        if (!c->frame) {
            c->frame = new_frame();
            if (!c->frame) {
                // The host's pool is dry: take over the least recently used
                // directory we have (at worst the one being left) instead.
                Cached* oldest = nullptr;
                for (Cached& other : cache_)
                    if (other.frame && (!oldest || other.last_used < oldest->last_used)) oldest = &other;
                if (!oldest) return false;
                c = oldest;
                clear_user(*c);
            } else {
                entries(c->frame)[1023] = switcher_table_ | pte::WRITABLE | pte::PRESENT;
            }
        } else {
            clear_user(*c);
        }
        c->guest_directory = gpa;
        // The shared kernel tables go in at once: they are already filled.
        u32* dir = entries(c->frame);
        for (u32 i = kernel_slot_; i < 1023; i++)
            dir[i] = kernel_tables_[i] ? kernel_tables_[i] | pte::USER | pte::WRITABLE | pte::PRESENT : 0;
    }
    c->last_used = ++clock_;
    current_ = c;
    return true;
}

void ShadowMmu::set_kernel_address(u32 address)
{
    // Only whole slots at or above kernel_address are shared: round up.
    u32 slot = address ? directory_index(address) + ((address & (LARGE_PAGE_SIZE - 1)) != 0) : 1023;
    if (slot > 1023) slot = 1023;
    if (slot == kernel_slot_) return;
    flush_all(); // what was shared is per directory now, or the other way round
    kernel_slot_ = slot;
}

void ShadowMmu::flush_all()
{
    for (u32 i = 0; i < 1023; i++) drop_kernel_slot(i);
    for (Cached& c : cache_)
        if (c.frame) clear_user(c);
}

void ShadowMmu::flush_user()
{
    for (Cached& c : cache_)
        if (c.frame) clear_user(c);
}

void ShadowMmu::flush_slot(u32 directory, u32 index)
{
    if (index >= 1023) return;
    if (shared(index)) {
        drop_kernel_slot(index);
        return;
    }
    Cached* c = lookup(directory);
    if (!c) return;
    u32& entry = entries(c->frame)[index];
    if (entry & pte::PRESENT) {
        free_table(entry & pte::FRAME_MASK);
        entry = 0;
    }
}

void ShadowMmu::flush_page(u32 directory, u32 address)
{
    u32 index = directory_index(address);
    if (index >= 1023) return;
    u32 table = 0;
    if (shared(index)) {
        table = kernel_tables_[index];
    } else if (Cached* c = lookup(directory)) {
        u32 entry = entries(c->frame)[index];
        if (entry & pte::PRESENT) table = entry & pte::FRAME_MASK;
    }
    if (table) entries(table)[table_index(address)] = 0;
}

// The demand fill: the guest's tables say what the access may do; the shadow
// gets the host frame with those rights, and write access only on a write
// (or once the guest's entry is dirty), so the guest's dirty bits are exact.
bool ShadowMmu::fill(Guest& guest, u32 address, u32 error, u32* guest_error, const char** reason)
{
    *reason = nullptr;
    u32 access = error & (pf::WRITE | pf::USER);
    if (address >= SWITCHER_BASE) { // the switcher's slot: the guest sees the fault the CPU raised
        *guest_error = error & (pf::PRESENT | pf::WRITE | pf::USER);
        return false;
    }
    u8* memory = guest.host_address(0);
    WalkResult r = walk_guest_tables(memory, guest.memory_size, current_->guest_directory, address, access);
    if (r.kind != WalkResult::mapped) {
        if (r.kind == WalkResult::kill) *reason = r.reason;
        else *guest_error = r.error;
        return false;
    }

    // Accessed and dirty bits, as the CPU would have set them.
    u32 pde = r.pde | pte::ACCESSED;
    u32 gpte = r.pte | pte::ACCESSED | ((access & pf::WRITE) ? pte::DIRTY : 0);
    if (pde != r.pde) store32(memory + r.pde_gpa, pde);
    if (gpte != r.pte) store32(memory + r.pte_gpa, gpte);

    u32 index = directory_index(address);
    u32& slot = entries(current_->frame)[index];
    if (!(slot & pte::PRESENT)) {
        u32 table = new_table();
        if (!table) {
            // Out of host frames (or this guest's share): start its shadow
            // afresh; what is dropped refills on demand.
            flush_all();
            table = new_table();
            if (!table) {
                *reason = "host out of memory for shadow page tables";
                return false;
            }
        }
        if (shared(index)) {
            kernel_tables_[index] = table;
            for (Cached& c : cache_)
                if (c.frame) entries(c.frame)[index] = table | pte::USER | pte::WRITABLE | pte::PRESENT;
        } else {
            slot = table | pte::USER | pte::WRITABLE | pte::PRESENT;
        }
    }
    u32 flags = pte::PRESENT | (r.user ? pte::USER : 0) |
                (r.writable && (gpte & pte::DIRTY) ? pte::WRITABLE : 0);
    entries(slot & pte::FRAME_MASK)[table_index(address)] = (guest.memory_base + r.page) | flags;
    return true;
}


