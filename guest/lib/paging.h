// guest/lib/paging.h: building and changing a guest's own page tables (guest
// ABI section 7), and catching the page faults they cause.
//
// Frames come from the free memory above boot_info->free_start, zeroed.
// Guest-physical memory is reached through the boot tables' identity map
// (virtual == guest-physical), which every directory made by
// new_directory() keeps: the guest must be identity-linked or keep the
// identity map, as every guest built with guest/lib/guest.ld does.
//
// Each change is written first and told to the host after (SET_PTE,
// SET_PGD), as the ABI asks; raw_pte()/raw_pde() change an entry without
// telling, for tests that want exactly that.
#pragma once
#include "rung.h"

namespace paging {

// Entry bits.
constexpr u32 P = 1u << 0, W = 1u << 1, U = 1u << 2, A = 1u << 5, D = 1u << 6, PS = 1u << 7;
constexpr u32 PAGE = 4096;
constexpr u32 FRAME = 0xFFFFF000;

constexpr u32 slot(u32 va) { return va >> 22; }
constexpr u32 index(u32 va) { return (va >> 12) & 0x3FF; }

// A word of guest-physical memory, through the identity map.
inline volatile u32* at(u32 gpa) { return reinterpret_cast<volatile u32*>(gpa); }

// A zeroed frame of free memory (guest-physical); the guest shuts down
// with a message when there is none left.
u32 alloc_frame();
// Free memory left for alloc_frame(), in bytes.
u32 free_bytes();

// The host's initial directory (boot_info->pgdir).
u32 boot_directory();
// A new directory: a copy of the boot directory's entries (so it shares
// the boot page tables: the identity map of all guest memory), 1023 clear.
u32 new_directory();
// NEW_PGTABLE; current() is the last directory loaded through switch_to()
// (at first the boot one; a NEW_PGTABLE queued on the async ring is not seen).
void switch_to(u32 directory);
u32 current();

// The entries themselves, in guest memory (the host sets A and D there).
volatile u32& raw_pde(u32 directory, u32 va);
// The PTE of `va`; its table must exist (table() makes one).
volatile u32& raw_pte(u32 directory, u32 va);
// The page table of `va`'s slot; if the PDE is not present, a new zeroed
// table is put there with `pde_flags` (and SET_PGD).
u32 table(u32 directory, u32 va, u32 pde_flags = P | W | U);

// Write an entry, then tell the host (SET_PTE / SET_PGD).
void set_pte(u32 directory, u32 va, u32 entry);
void set_pde(u32 directory, u32 va, u32 entry);
// table(), then set_pte() with `frame | flags`.
void map(u32 directory, u32 va, u32 frame, u32 flags = P | W);
void unmap(u32 directory, u32 va); // set_pte() with 0
void flush_tlb(bool all);          // FLUSH_TLB 1 or 0

// What the guest's tables say `va` maps to (guest-physical, with the page
// offset), or ~0u when they say nothing.
u32 translate(u32 directory, u32 va);

// Fills a frame with `pattern + word index`.
void fill(u32 frame, u32 pattern);

// Page-fault probes.  catch_page_faults() points vector 14 at a handler
// (and needs rung::init() first); then read() and write() make one 32-bit
// access and say whether it faulted, and with what.  A faulting access is
// skipped.  They work in ring 3 too when the guest image is user-accessible
// (rung::make_user), since the probe's state lives in the image.  A page
// fault outside a probe prints what it was and shuts the guest down.
struct Access {
    bool faulted;
    u32 value;      // read: the word read (when no fault)
    u32 error, cr2; // the #PF's error code and lguest_data.cr2 in the handler
    u32 eip, cs;    // the frame's
    u32 at;         // the address of the access instruction (eip must be this)
};
void catch_page_faults();
Access read(u32 va);
Access write(u32 va, u32 value);

} // namespace paging
