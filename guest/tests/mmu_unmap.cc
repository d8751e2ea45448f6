// guest/tests/mmu_unmap.cc: an unmapped page is never reachable through a
// stale shadow entry (guest ABI section 7).  A page is mapped, read and
// written (so the shadow holds it, writable), then unmapped: its PTE
// cleared, or its whole PDE cleared, and the host told (SET_PTE, a queued
// SET_PTE, SET_PGD, FLUSH_TLB 1 or 0).  Every later read and write must
// raise #PF "not present" (error 0 / 2) with the address in cr2, and the
// frame must keep what it held.  Also for a PTE with the global bit (which
// the host ignores), for a directory that is cached but not loaded, for the
// kernel part shared by every directory, and over many map/unmap rounds.
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 KERNEL_ADDRESS = 0xC0000000;
constexpr u32 USER_BASE = 0x40000000;   // slot 256: one page per PTE variant
constexpr u32 KERNEL_PAGE = 0xC0400000; // slot 769: one guest table in every directory
constexpr u32 OFFSET = 0x80;
constexpr u32 PATTERN = 0x0F000000;
constexpr u32 G = 1u << 8; // the global bit

u32 dir1, dir2, kernel_table;

// Maps va -> a fresh frame in `dir` and uses it; returns the frame.
u32 map_and_use(const char* name, u32 dir, u32 va)
{
    u32 frame = alloc_frame();
    fill(frame, PATTERN);
    map(dir, va, frame, P | W);
    Access r = read(va + OFFSET);
    Access w = write(va + OFFSET + 4, 0x600D);
    if (r.faulted || r.value != PATTERN + OFFSET / 4 || w.faulted || at(frame)[OFFSET / 4 + 1] != 0x600D)
        test::fail("%s: the mapped page is not usable", name);
    at(frame)[OFFSET / 4 + 1] = PATTERN + OFFSET / 4 + 1;
    return frame;
}

// Reads and writes at va must both fault, not present.
void expect_gone(const char* name, u32 va, u32 frame, bool quiet = false)
{
    u32 a = va + OFFSET;
    Access r = read(a);
    Access w = write(a, 0xBAD);
    if (!quiet) {
        rung::print("%s: read %s error %x, write %s error %x\n", name, r.faulted ? "#PF" : "no fault", r.error,
                    w.faulted ? "#PF" : "no fault", w.error);
    }
    if (!r.faulted || r.error != 0 || r.cr2 != a)
        test::fail("%s: read of %x: %s error %x cr2 %x, expected #PF error 0", name, a,
                   r.faulted ? "#PF" : "no fault", r.error, r.cr2);
    if (!w.faulted || w.error != 2 || w.cr2 != a)
        test::fail("%s: write to %x: %s error %x cr2 %x, expected #PF error 2", name, a,
                   w.faulted ? "#PF" : "no fault", w.error, w.cr2);
    if (at(frame)[OFFSET / 4] != PATTERN + OFFSET / 4) test::fail("%s: the write reached the unmapped frame", name);
}

void tell(u32 method, u32 dir, u32 va)
{
    switch (method) {
    case 0: rung::hypercall(hcall::SET_PTE, dir, va, 0); break;
    case 1:
        rung::queue_async(hcall::SET_PTE, dir, va, 0);
        rung::hypercall(hcall::FLUSH_ASYNC);
        break;
    case 2: flush_tlb(true); break;
    default: flush_tlb(false); break;
    }
}

const char* const pte_names[] = {"PTE, SET_PTE", "PTE, queued SET_PTE", "PTE, FLUSH_TLB 1", "PTE, FLUSH_TLB 0"};

void unmap_ptes()
{
    u32 va = USER_BASE;
    for (u32 method = 0; method < 4; method++, va += PAGE) {
        u32 frame = map_and_use(pte_names[method], dir1, va);
        raw_pte(dir1, va) = 0;
        tell(method, dir1, va);
        expect_gone(pte_names[method], va, frame);
    }
    // The global bit is ignored (ABI section 7): such a page goes too.
    const char* name = "PTE with the global bit, SET_PTE";
    u32 frame = map_and_use(name, dir1, va);
    set_pte(dir1, va, raw_pte(dir1, va) | G);
    Access r = read(va + OFFSET);
    if (r.faulted || r.value != PATTERN + OFFSET / 4) test::fail("%s: not usable with G", name);
    unmap(dir1, va);
    expect_gone(name, va, frame);
}

// A whole table: two pages under one PDE, the PDE cleared.
void unmap_pdes()
{
    const char* names[] = {"PDE, SET_PGD", "PDE, FLUSH_TLB 1", "PDE, FLUSH_TLB 0"};
    for (u32 method = 0; method < 3; method++) {
        u32 va = 0x40400000 + method * 0x400000; // slots 257, 258, 259
        u32 f1 = map_and_use(names[method], dir1, va);
        u32 f2 = map_and_use(names[method], dir1, va + 0x3FF000); // the slot's last page
        raw_pde(dir1, va) = 0;
        if (method == 0) rung::hypercall(hcall::SET_PGD, dir1, slot(va));
        else flush_tlb(method == 1);
        expect_gone(names[method], va, f1);
        expect_gone(names[method], va + 0x3FF000, f2, true);
    }
}

// Changes told for dir2 while dir1 is loaded.
void unmap_other()
{
    u32 va = USER_BASE + 0x20 * PAGE;
    switch_to(dir2);
    u32 frame = map_and_use("other directory, SET_PTE", dir2, va);
    switch_to(dir1);
    raw_pte(dir2, va) = 0;
    rung::hypercall(hcall::SET_PTE, dir2, va, 0);
    switch_to(dir2);
    expect_gone("other directory, SET_PTE", va, frame);

    va = 0x41000000; // slot 260, only in dir2
    frame = map_and_use("other directory, SET_PGD", dir2, va);
    switch_to(dir1);
    raw_pde(dir2, va) = 0;
    rung::hypercall(hcall::SET_PGD, dir2, slot(va));
    switch_to(dir2);
    expect_gone("other directory, SET_PGD", va, frame);
    switch_to(dir1);
}

void unmap_kernel()
{
    u32 frame = alloc_frame();
    fill(frame, PATTERN);
    at(kernel_table)[index(KERNEL_PAGE)] = frame | P | W;
    // Used from both directories: the shared shadow has it.
    const u32 both[] = {dir1, dir2};
    for (u32 d : both) {
        switch_to(d);
        Access r = read(KERNEL_PAGE + OFFSET);
        Access w = write(KERNEL_PAGE + OFFSET + 4, PATTERN + OFFSET / 4 + 1);
        if (r.faulted || r.value != PATTERN + OFFSET / 4 || w.faulted) test::fail("kernel page: not usable");
    }
    switch_to(dir1);
    raw_pte(dir1, KERNEL_PAGE) = 0; // the one table both directories use
    rung::hypercall(hcall::SET_PTE, dir1, KERNEL_PAGE, 0);
    expect_gone("kernel PTE, SET_PTE", KERNEL_PAGE, frame);
    switch_to(dir2);
    expect_gone("kernel PTE, SET_PTE, other directory", KERNEL_PAGE, frame);

    // The kernel PDE cleared in every directory, told once.
    at(kernel_table)[index(KERNEL_PAGE)] = frame | P | W;
    set_pte(dir2, KERNEL_PAGE, frame | P | W);
    Access r = read(KERNEL_PAGE + OFFSET);
    switch_to(dir1);
    Access r2 = read(KERNEL_PAGE + OFFSET);
    if (r.faulted || r2.faulted) test::fail("kernel page: not usable again after SET_PTE");
    raw_pde(dir1, KERNEL_PAGE) = 0;
    raw_pde(dir2, KERNEL_PAGE) = 0;
    rung::hypercall(hcall::SET_PGD, dir1, slot(KERNEL_PAGE));
    expect_gone("kernel PDE, SET_PGD", KERNEL_PAGE, frame);
    switch_to(dir2);
    expect_gone("kernel PDE, SET_PGD, other directory", KERNEL_PAGE, frame);
    switch_to(dir1);
}

// Map, use, unmap, touch: many rounds over a few pages and frames.
void rounds()
{
    u32 frames[4];
    for (u32& f : frames) f = alloc_frame();
    u32 bad = 0;
    for (u32 round = 0; round < 64; round++) {
        u32 va = 0x42000000 + (round % 3) * PAGE;
        u32 frame = frames[round % 4];
        fill(frame, PATTERN);
        map(dir1, va, frame, P | W);
        Access r = read(va + OFFSET);
        Access w = write(va + OFFSET + 4, round);
        if (r.faulted || r.value != PATTERN + OFFSET / 4 || w.faulted || at(frame)[OFFSET / 4 + 1] != round) bad++;
        at(frame)[OFFSET / 4 + 1] = PATTERN + OFFSET / 4 + 1;
        raw_pte(dir1, va) = 0;
        tell(round % 4, dir1, va);
        expect_gone("rounds", va, frame, true);
    }
    test::check(bad == 0, "rounds: every mapping was usable while mapped");
    rung::print("rounds: 64 map/use/unmap/touch rounds done\n");
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    catch_page_faults();
    rung::lguest_data.kernel_address = KERNEL_ADDRESS;

    dir1 = new_directory();
    dir2 = new_directory();
    kernel_table = alloc_frame();
    raw_pde(dir1, KERNEL_PAGE) = kernel_table | P | W;
    raw_pde(dir2, KERNEL_PAGE) = kernel_table | P | W;
    switch_to(dir1);

    unmap_ptes();
    unmap_pdes();
    unmap_other();
    unmap_kernel();
    rounds();
    test::finish();
}
