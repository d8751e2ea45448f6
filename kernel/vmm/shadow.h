// kernel/vmm/shadow.h: a guest's shadow page tables.  The CPU walks these,
// never the guest's own: the host fills them on demand from the guest's
// tables, translating guest-physical frames to host frames, so no entry the
// guest writes can ever reach memory that is not its own.
#pragma once
#include "lib/types.h"
#include "mm/page_table.h"
#include "vmm/page_walk.h"

struct Guest;

class ShadowMmu {
public:
    // Allocates the shadow directory; slot 1023 gets `switcher_table`.
    bool init(u32 switcher_table);
    void release(); // every frame back to the host

    u32 directory() const { return directory_; } // physical, for CR3
    u32 guest_directory() const { return guest_cr3_; }
    void set_guest_directory(u32 gpa) { guest_cr3_ = gpa; flush_all(); }

    // Forget every shadow entry (the switcher's slot stays).
    void flush_all();
    // Forget the shadow of one directory slot, or of one page.
    void flush_slot(u32 index);
    void flush_page(u32 address);

    // A page fault the CPU raised at `address`: fill the shadow from the
    // guest's tables, or say what the guest must see (or why it must die).
    WalkResult fill(Guest& guest, u32 address, u32 error);

    u32 table_count() const { return tables_in_use_; }

private:
    u32* entries(u32 frame_address) { return reinterpret_cast<u32*>(frame_address); }

    u32 directory_ = 0;    // physical
    u32 guest_cr3_ = 0;    // guest-physical
    u32 tables_in_use_ = 0;
};
