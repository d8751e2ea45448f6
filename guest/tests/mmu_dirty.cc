// guest/tests/mmu_dirty.cc: accessed and dirty bits in the guest's own
// entries (guest ABI section 7: "the host sets the accessed and dirty bits
// in guest PTEs as the CPU would").  A mapped page untouched has neither; a
// read sets A (and the PDE's A) but not D; a write sets D, also when the
// shadow already holds the page read-only from an earlier read; a first
// write sets both.  Bits the guest clears (and tells with SET_PTE) come back
// on the next access.  A read-only page written keeps D clear; a PTE the
// guest made dirty itself stays dirty.  A kernel page (one guest table in
// every directory) read in one directory and written in another gets D.
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 KERNEL_ADDRESS = 0xC0000000;
constexpr u32 BASE = 0x40000000;
constexpr u32 KERNEL_PAGE = 0xC0400000;

u32 dir1, dir2;

// Prints the PTE's A and D and checks them.
void expect_bits(const char* what, u32 dir, u32 va, bool a, bool d)
{
    u32 entry = raw_pte(dir, va);
    bool got_a = entry & A, got_d = entry & D;
    rung::print("%s: A=%u D=%u\n", what, got_a ? 1 : 0, got_d ? 1 : 0);
    if (got_a != a || got_d != d) test::fail("%s: PTE %x, expected A=%u D=%u", what, entry, a ? 1 : 0, d ? 1 : 0);
}

void must_read(const char* what, u32 va)
{
    if (read(va).faulted) test::fail("%s: read of %x faulted", what, va);
}

void must_write(const char* what, u32 va)
{
    if (write(va, 0x1234).faulted) test::fail("%s: write to %x faulted", what, va);
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
    u32 kernel_table = alloc_frame();
    raw_pde(dir1, KERNEL_PAGE) = kernel_table | P | W;
    raw_pde(dir2, KERNEL_PAGE) = kernel_table | P | W;
    switch_to(dir1);

    // Read, then write: the shadow has the page read-only in between.
    u32 v = BASE;
    map(dir1, v, alloc_frame(), P | W);
    expect_bits("mapped, untouched", dir1, v, false, false);
    test::check(!(raw_pde(dir1, v) & A), "the new PDE is not accessed before any access");
    must_read("read", v);
    expect_bits("after a read", dir1, v, true, false);
    test::check(raw_pde(dir1, v) & A, "the PDE is accessed after a read");
    must_read("read again", v + 8);
    expect_bits("after a second read", dir1, v, true, false);
    must_write("write after read", v + 4);
    expect_bits("after a write that follows a read", dir1, v, true, true);

    // The guest clears both and tells: they come back, read first.
    set_pte(dir1, v, raw_pte(dir1, v) & ~(A | D));
    expect_bits("cleared by the guest", dir1, v, false, false);
    must_read("read after clearing", v);
    expect_bits("read after clearing", dir1, v, true, false);
    must_write("write after clearing", v);
    expect_bits("write after clearing", dir1, v, true, true);

    // Only D cleared, while the shadow had the page writable.
    set_pte(dir1, v, raw_pte(dir1, v) & ~D);
    must_write("write after clearing D", v);
    expect_bits("write after clearing D", dir1, v, true, true);

    // A first write sets both at once.
    v += PAGE;
    map(dir1, v, alloc_frame(), P | W);
    must_write("first access a write", v);
    expect_bits("first access a write", dir1, v, true, true);

    // Read-only: read sets A, the faulting write leaves D clear.
    v += PAGE;
    map(dir1, v, alloc_frame(), P);
    must_read("read-only", v);
    Access w = write(v, 1);
    test::check(w.faulted && w.error == 3, "a write to a read-only page faults (error 3)");
    expect_bits("read-only, read then written", dir1, v, true, false);

    // Made dirty by the guest itself: a read keeps D, a write goes through.
    v += PAGE;
    map(dir1, v, alloc_frame(), P | W | D);
    must_read("dirty already", v);
    expect_bits("dirty already, read", dir1, v, true, true);
    must_write("dirty already", v);

    // The kernel part: read in dir1 (the shared shadow has it read-only),
    // written in dir2.
    at(kernel_table)[index(KERNEL_PAGE)] = alloc_frame() | P | W;
    expect_bits("kernel page, untouched", dir1, KERNEL_PAGE, false, false);
    must_read("kernel page", KERNEL_PAGE);
    expect_bits("kernel page, read in one directory", dir1, KERNEL_PAGE, true, false);
    switch_to(dir2);
    must_read("kernel page", KERNEL_PAGE);
    expect_bits("kernel page, read in both", dir2, KERNEL_PAGE, true, false);
    must_write("kernel page", KERNEL_PAGE);
    expect_bits("kernel page, written in the other", dir2, KERNEL_PAGE, true, true);
    switch_to(dir1);
    must_write("kernel page", KERNEL_PAGE + 4);
    expect_bits("kernel page, written in both", dir1, KERNEL_PAGE, true, true);

    test::finish();
}
