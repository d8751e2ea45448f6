// kernel/vmm/shadow.h: a guest's shadow page tables.  The CPU walks these,
// never the guest's own: the host fills them on demand from the guest's
// tables, translating guest-physical frames to host frames, so no entry the
// guest writes can reach memory that is not its own.
//
// Each guest keeps a cache of shadow directories, one per guest page
// directory it has used lately, so a guest switching between processes does
// not rebuild its shadow at every switch.  lguest kept four and threw one
// away at random; rung keeps sixteen and evicts the least recently used:
// a guest OS with a handful of busy processes keeps all of them warm, and
// one with many loses only the coldest.  The kernel part of the address
// space (at and above lguest_data.kernel_address) is the same in every
// directory by the ABI's promise, so its shadow page tables are shared by
// all the cached directories and filled only once.
#pragma once
#include "lib/types.h"
#include "mm/page_table.h"
#include "vmm/page_walk.h"

struct Guest;

class ShadowMmu {
public:
    static constexpr u32 CACHED_DIRECTORIES = 16;
    static constexpr u32 MAX_TABLES = 1024; // shadow page tables per guest (4 MiB of host memory)
    // Frames each guest keeps back for itself, so that when other guests
    // have drained the host's pool it can still make progress: enough for
    // every 4 MiB slot one instruction can touch (code, stack, operands,
    // each perhaps across a slot boundary).
    static constexpr u32 RESERVED_FRAMES = 8;

    // False when the host cannot give the guest its reserve.
    bool init(u32 switcher_table);
    void release(); // every frame back to the host

    u32 directory() const { return current_->frame; } // physical, for CR3
    u32 guest_directory() const { return current_->guest_directory; }

    // NEW_PGTABLE (and a new life): make `gpa` current; false if out of host memory.
    bool switch_to(u32 gpa, bool* was_cached = nullptr);
    // The guest moved kernel_address: what was shared may not be any more.
    void set_kernel_address(u32 address);

    void flush_all();                          // every mapping of every cached directory
    void flush_user();                         // every mapping below kernel_address
    void flush_slot(u32 directory, u32 index); // one directory entry of one guest directory
    void flush_page(u32 directory, u32 address);

    // A page fault the CPU raised at `address`: fill the shadow from the
    // guest's tables (true), or say what the guest must see: `error` for a
    // #PF to reflect, or a non-null `reason` why it must die (false).  (An
    // entry into a guest's device window is one of those reasons; the
    // caller looks for it there, off this path.)
    bool fill(Guest& guest, u32 address, u32 error, u32* guest_error, const char** reason);

    // Where a ring-1 write to `address` would land, if the shadow already
    // allows it (then the guest's own entry is accessed and dirty too); 0 if
    // not, and the caller walks the guest's tables instead.
    u8* writable_host_address(u32 address) const
    {
        u32 slot = reinterpret_cast<const u32*>(current_->frame)[directory_index(address)];
        if (!(slot & pte::PRESENT) || directory_index(address) == 1023) return nullptr;
        u32 entry = reinterpret_cast<const u32*>(slot & pte::FRAME_MASK)[table_index(address)];
        if ((entry & (pte::PRESENT | pte::WRITABLE)) != (pte::PRESENT | pte::WRITABLE)) return nullptr;
        return reinterpret_cast<u8*>((entry & pte::FRAME_MASK) + (address & (PAGE_SIZE - 1)));
    }

    u32 table_count() const { return tables_; }

    // The guest's translation of `address` for `access`, through its current tables.
    WalkResult walk(const u8* memory, u32 size, u32 address, u32 access, DeviceWindow devices = {}) const
    {
        return walk_guest_tables(memory, size, current_->guest_directory, address, access, devices);
    }

private:
    struct Cached {
        u32 guest_directory = 0; // guest-physical; 0 = slot unused
        u32 frame = 0;           // the shadow directory (physical)
        u32 last_used = 0;
    };

    Cached* lookup(u32 gpa);
    Cached* victim();
    void clear_user(Cached& c);
    void drop_kernel_slot(u32 index);
    bool shared(u32 index) const { return index >= kernel_slot_; }
    u32 new_table();
    void free_table(u32 frame);
    u32 new_frame();          // zeroed, from the host's pool or else the reserve
    void give_back(u32 frame); // to the reserve first, then the host

    Cached cache_[CACHED_DIRECTORIES];
    Cached* current_ = nullptr;
    u32 kernel_tables_[1023] = {}; // shared shadow tables of the kernel slots
    u32 kernel_slot_ = 1023;       // first shared directory index
    u32 switcher_table_ = 0;
    u32 clock_ = 0;
    u32 tables_ = 0;
    u32 reserve_[RESERVED_FRAMES] = {};
    u32 reserved_ = 0;
};
