// guest/tests/mmu_kaddr.cc: where the shared kernel part begins (guest ABI
// section 4: "kernel_address: mappings at and above it are the same in
// every guest address space"; nothing is promised below it, and FLUSH_TLB 0
// forgets "only those below kernel_address").  Two directories map the
// 4 MiB slot that holds kernel_address through their own page tables:
// different private pages below kernel_address, the same kernel page at
// and above it.  Each directory must see its own private page, both the
// kernel page; and a PTE changed below kernel_address must show its new
// frame after FLUSH_TLB 0.  Once with kernel_address at a 4 MiB boundary
// (0xC0400000: the private pages lie in the slot below it), once inside a
// slot (0xC0200000: the private pages share the slot with the kernel page).
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 SLOT = 0xC0000000; // the slot under test (768)

u32 frame(u32 pattern)
{
    u32 f = alloc_frame();
    fill(f, pattern);
    return f;
}

const char* which(u32 value, u32 own, u32 other, const char* other_name)
{
    if (value == own) return "its own";
    if (value == other) return other_name;
    return "neither";
}

void run(u32 kernel_address)
{
    // kernel_address lies in SLOT's slot or at its end; private pages sit
    // at SLOT (below it) and at the last page below it.
    u32 below = kernel_address - PAGE;
    u32 d1 = new_directory(), d2 = new_directory();
    u32 p1 = frame(0x11000000), p2 = frame(0x22000000), kernel = frame(0x33000000), fresh = frame(0x44000000);
    u32 t1 = alloc_frame(), t2 = alloc_frame();
    at(t1)[index(SLOT)] = p1 | P | W;
    at(t2)[index(SLOT)] = p2 | P | W;
    at(t1)[index(below)] = p1 | P | W;
    at(t2)[index(below)] = p2 | P | W;
    raw_pde(d1, SLOT) = t1 | P | W;
    raw_pde(d2, SLOT) = t2 | P | W;
    // The kernel page, the same in both: in the slot's own tables when
    // kernel_address is inside it, else through one table in the next slot.
    if (slot(kernel_address) == slot(SLOT)) {
        at(t1)[index(kernel_address)] = kernel | P | W;
        at(t2)[index(kernel_address)] = kernel | P | W;
    } else {
        u32 kt = alloc_frame();
        at(kt)[index(kernel_address)] = kernel | P | W;
        raw_pde(d1, kernel_address) = kt | P | W;
        raw_pde(d2, kernel_address) = kt | P | W;
    }
    rung::lguest_data.kernel_address = kernel_address;

    switch_to(d1);
    u32 a1 = read(SLOT).value, k1 = read(kernel_address).value;
    switch_to(d2);
    u32 a2 = read(SLOT).value, k2 = read(kernel_address).value;
    switch_to(d1);
    u32 a1_again = read(SLOT).value;
    rung::print("kernel_address %x: directory 1 sees %s page, directory 2 %s, directory 1 again %s\n",
                kernel_address, which(a1, 0x11000000, 0x22000000, "directory 2's"),
                which(a2, 0x22000000, 0x11000000, "directory 1's"),
                which(a1_again, 0x11000000, 0x22000000, "directory 2's"));
    if (a1 != 0x11000000 || a2 != 0x22000000 || a1_again != 0x11000000)
        test::fail("kernel_address %x: a page below it at %x is not private to its directory", kernel_address, SLOT);
    if (k1 != 0x33000000 || k2 != 0x33000000)
        test::fail("kernel_address %x: the kernel page reads %x and %x", kernel_address, k1, k2);

    // FLUSH_TLB 0 forgets every mapping below kernel_address.
    u32 before = read(below).value;
    raw_pte(d1, below) = fresh | P | W;
    flush_tlb(false);
    u32 after = read(below).value;
    rung::print("kernel_address %x: page %x after FLUSH_TLB 0: %s\n", kernel_address, below,
                after == 0x44000000 ? "the new frame" : after == before ? "the old frame" : "neither");
    if (after != 0x44000000) test::fail("kernel_address %x: FLUSH_TLB 0 kept the old %x", kernel_address, below);

    switch_to(boot_directory());
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    catch_page_faults();
    run(0xC0400000);
    run(0xC0200000);
    test::finish();
}
