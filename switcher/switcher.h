// switcher/switcher.h: the host's side of the switcher: mapping it, making
// a guest's pages current, and the call that runs the guest until it traps.
#pragma once
#include "mm/frame_allocator.h"
#include "switcher/pages.h"

namespace switcher {

// Maps the switcher text at 0xFFC00000 in the host's page directory.
void init(FrameAllocator& frames);

// The address in the switcher of the stub for `vector` (for IDT gates).
u32 stub_address(u32 vector);

// Fills a new guest's state page: the ABI's boot GDT, an IDT whose every
// gate leads back to the host, and a TSS whose ring-0 stack is the register page.
void init_state_page(StatePage& state, u32 shadow_directory);

// Fills the page table a guest's shadow directory uses for slot 1023: the
// switcher text and its state page read-only, its register page writable.
void fill_guest_slot(u32* table, u32 regs_page, u32 state_page);

// Puts a guest's register and state pages behind the host's switcher mapping.
void make_current(u32 regs_page, u32 state_page);

// Runs the current guest until it traps.  Interrupts must be off: one taken
// inside the switch would land on the guest's stubs in ring 0.
extern void (*entry)(); // switcher_enter at its mapped address, set by init()
inline void enter() { entry(); }

// Which reload of the guest's state a switcher address is (world_switch.S):
// "GS", "FS", "ES", "DS", "iret", or nullptr for any other instruction.
const char* reload_at(u32 switcher_eip);

RegsPage& regs();   // the current guest's, at 0xFFC02000
StatePage& state(); // the current guest's, at 0xFFC03000

} // namespace switcher
