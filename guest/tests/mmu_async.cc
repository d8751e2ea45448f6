// guest/tests/mmu_async.cc: the MMU calls through the asynchronous ring
// (guest ABI sections 4 and 7), as a guest batching its page-table updates
// and its address-space switch (lguest's lazy MMU mode) makes them.  Queued
// NEW_PGTABLE, SET_PTE, SET_PGD and FLUSH_TLB take effect, in ring order,
// when the guest next makes an ordinary hypercall (here a CONSOLE_WRITE)
// or FLUSH_ASYNC, and the guest comes back in the address space the last
// queued NEW_PGTABLE chose.
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 V = 0x40000000;  // slot 256: d1 and d2 have their own tables
constexpr u32 V2 = 0x40400000; // slot 257: a PDE swapped
u32 d1, d2;
u32 frame_a, frame_b, frame_c, frame_d;

u32 frame(u32 pattern)
{
    u32 f = alloc_frame();
    fill(f, pattern);
    return f;
}

const char* name_of(u32 value)
{
    switch (value) {
    case 0xA0000000: return "A";
    case 0xB0000000: return "B";
    case 0xC0000000: return "C";
    case 0xD0000000: return "D";
    default: return "?";
    }
}

// What V shows in the current address space, printed and checked.
void expect(const char* when, u32 va, u32 want)
{
    Access r = read(va);
    const char* got = r.faulted ? "#PF" : name_of(r.value);
    rung::print("%s: %s\n", when, got);
    if (r.faulted || r.value != want) test::fail("%s: %x shows %s, expected %s", when, va, got, name_of(want));
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    catch_page_faults();
    frame_a = frame(0xA0000000);
    frame_b = frame(0xB0000000);
    frame_c = frame(0xC0000000);
    frame_d = frame(0xD0000000);
    d1 = new_directory();
    d2 = new_directory();
    switch_to(d1);
    map(d1, V, frame_a);
    map(d2, V, frame_c);
    expect("d1 at start", V, 0xA0000000);

    // A PTE change and a switch, queued; an ordinary call runs them.
    raw_pte(d1, V) = frame_b | P | W;
    rung::queue_async(hcall::SET_PTE, d1, V, frame_b | P | W);
    rung::queue_async(hcall::NEW_PGTABLE, d2);
    rung::print("queued SET_PTE d1, NEW_PGTABLE d2; this line runs them\n");
    expect("after the line, in d2", V, 0xC0000000);
    switch_to(d1);
    expect("back in d1", V, 0xB0000000);

    // A switch alone, then FLUSH_ASYNC.
    rung::queue_async(hcall::NEW_PGTABLE, d2);
    rung::hypercall(hcall::FLUSH_ASYNC);
    expect("queued NEW_PGTABLE d2, FLUSH_ASYNC", V, 0xC0000000);

    // In ring order: to d1, change d2's PTE, to d2.
    raw_pte(d2, V) = frame_d | P | W;
    rung::queue_async(hcall::NEW_PGTABLE, d1);
    rung::queue_async(hcall::SET_PTE, d2, V, frame_d | P | W);
    rung::queue_async(hcall::NEW_PGTABLE, d2);
    rung::hypercall(hcall::FLUSH_ASYNC);
    expect("queued NEW_PGTABLE d1, SET_PTE d2, NEW_PGTABLE d2", V, 0xD0000000);

    // FLUSH_TLB 1 queued.
    raw_pte(d2, V) = frame_a | P | W;
    rung::queue_async(hcall::FLUSH_TLB, 1);
    rung::hypercall(hcall::FLUSH_ASYNC);
    expect("queued FLUSH_TLB 1", V, 0xA0000000);

    // FLUSH_TLB 0 queued.
    raw_pte(d2, V) = frame_b | P | W;
    rung::queue_async(hcall::FLUSH_TLB, 0);
    rung::hypercall(hcall::FLUSH_ASYNC);
    expect("queued FLUSH_TLB 0", V, 0xB0000000);

    // A swapped PDE, SET_PGD queued.
    map(d2, V2, frame_c);
    expect("d2 before the PDE swap", V2, 0xC0000000);
    u32 t = alloc_frame();
    at(t)[index(V2)] = frame_d | P | W;
    raw_pde(d2, V2) = t | P | W | U;
    rung::queue_async(hcall::SET_PGD, d2, slot(V2));
    rung::hypercall(hcall::FLUSH_ASYNC);
    expect("queued SET_PGD", V2, 0xD0000000);

    // Unmapped through the ring: gone.
    raw_pte(d2, V) = 0;
    rung::queue_async(hcall::SET_PTE, d2, V, 0);
    rung::hypercall(hcall::FLUSH_ASYNC);
    Access r = read(V);
    rung::print("queued SET_PTE clearing the entry: %s\n", r.faulted ? "#PF" : "still mapped");
    test::check(r.faulted && r.error == 0 && r.cr2 == V, "an entry cleared through the ring is gone");

    // Every slot went back to free.
    u32 busy = 0;
    for (u32 i = 0; i < ASYNC_SLOTS; i++)
        if (rung::lguest_data.hcall_status[i] != ASYNC_FREE) busy++;
    test::check(busy == 0, "every queued slot is free again");
    test::finish();
}
