// guest/tests/mmu_remap.cc: a changed PTE and the shadow (guest ABI section
// 7).  A PTE pointed at another frame without telling the host may still
// show the old frame (the host may have it cached; either is accepted and
// printed), but once the guest tells the host (SET_PTE, queued SET_PTE,
// FLUSH_TLB 1 or 0, SET_PGD for a changed PDE) every access must reach the
// new frame, reads and writes alike.  Also: SET_PTE naming a directory that
// is cached but not loaded, a permission downgrade, and a kernel mapping
// (at and above kernel_address, shared by every directory) changed through
// one directory, through a directory never loaded, and by FLUSH_TLB 1.
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 KERNEL_ADDRESS = 0xC0000000;
constexpr u32 USER_BASE = 0x40000000;   // one page per variant, slot 256
constexpr u32 PDE_BASE = 0x40400000;    // slot 257: the PDE itself is changed
constexpr u32 KERNEL_PAGE = 0xC0400000; // slot 769: one guest table, in every directory

u32 frame_a, frame_b, frame_c, frame_d;
constexpr u32 PATTERN_A = 0xA0000000, PATTERN_B = 0xB0000000, PATTERN_C = 0xC0000000, PATTERN_D = 0xD0000000;
u32 dir0, dir1, dir2; // dir0 is never loaded (as a kernel's own init directory)

const char* which(u32 value, u32 old_pattern, u32 new_pattern)
{
    if (value == old_pattern) return "the old page";
    if (value == new_pattern) return "the new page";
    return "neither page";
}

// The first word of the page at `va`, read through the guest's mappings; a
// fault is a failure here.
u32 word(const char* what, u32 va)
{
    Access r = read(va);
    if (r.faulted) {
        test::fail("%s: reading %x faulted (error %x)", what, va, r.error);
        return ~0u;
    }
    return r.value;
}

// After the change is told: reads and writes reach `fresh`, not `stale`.
void expect_new(const char* name, u32 va, u32 fresh, u32 fresh_pattern, u32 stale, u32 stale_pattern)
{
    u32 v = word(name, va);
    rung::print("%s: after telling the host: %s\n", name, which(v, stale_pattern, fresh_pattern));
    if (v != fresh_pattern) test::fail("%s: read %x, expected the new page's %x", name, v, fresh_pattern);
    static u32 token = 0x7E000000;
    token++;
    Access w = write(va + 12, token);
    if (w.faulted) test::fail("%s: write faulted (error %x)", name, w.error);
    if (at(fresh)[3] != token) test::fail("%s: the write did not reach the new frame", name);
    if (at(stale)[3] == token) test::fail("%s: the write reached the old frame", name);
    fill(fresh, fresh_pattern); // as it was, for the next variant
    fill(stale, stale_pattern);
}

void unflushed(const char* name, u32 va, u32 old_pattern, u32 new_pattern)
{
    u32 v = word(name, va);
    rung::print("%s: before telling the host: %s\n", name, which(v, old_pattern, new_pattern));
    if (v != old_pattern && v != new_pattern) test::fail("%s: read %x, neither page", name, v);
}

// Maps va -> A in `dir`, reads and writes it (the shadow has it now,
// writable), then points the PTE at B without telling.
void prepare(const char* name, u32 dir, u32 va)
{
    map(dir, va, frame_a, P | W);
    if (word(name, va) != PATTERN_A) test::fail("%s: the first mapping does not show its page", name);
    Access w = write(va + 8, 0x12345678);
    if (w.faulted || at(frame_a)[2] != 0x12345678) test::fail("%s: first write", name);
    fill(frame_a, PATTERN_A);
    raw_pte(dir, va) = frame_b | P | W;
}

void remap_current()
{
    u32 va = USER_BASE;

    prepare("SET_PTE", dir1, va);
    unflushed("SET_PTE", va, PATTERN_A, PATTERN_B);
    rung::hypercall(hcall::SET_PTE, dir1, va, frame_b | P | W);
    expect_new("SET_PTE", va, frame_b, PATTERN_B, frame_a, PATTERN_A);

    va += PAGE;
    prepare("queued SET_PTE", dir1, va);
    unflushed("queued SET_PTE", va, PATTERN_A, PATTERN_B);
    rung::queue_async(hcall::SET_PTE, dir1, va, frame_b | P | W);
    rung::hypercall(hcall::FLUSH_ASYNC);
    expect_new("queued SET_PTE", va, frame_b, PATTERN_B, frame_a, PATTERN_A);

    va += PAGE;
    prepare("FLUSH_TLB 1", dir1, va);
    unflushed("FLUSH_TLB 1", va, PATTERN_A, PATTERN_B);
    flush_tlb(true);
    expect_new("FLUSH_TLB 1", va, frame_b, PATTERN_B, frame_a, PATTERN_A);

    va += PAGE;
    prepare("FLUSH_TLB 0", dir1, va);
    unflushed("FLUSH_TLB 0", va, PATTERN_A, PATTERN_B);
    flush_tlb(false);
    expect_new("FLUSH_TLB 0", va, frame_b, PATTERN_B, frame_a, PATTERN_A);

    // A whole table swapped under a PDE: the old table maps A, the new one B.
    map(dir1, PDE_BASE, frame_a, P | W);
    if (word("SET_PGD", PDE_BASE) != PATTERN_A) test::fail("SET_PGD: the first table does not show its page");
    u32 other = alloc_frame();
    at(other)[index(PDE_BASE)] = frame_b | P | W;
    raw_pde(dir1, PDE_BASE) = other | P | W | U;
    unflushed("SET_PGD", PDE_BASE, PATTERN_A, PATTERN_B);
    rung::hypercall(hcall::SET_PGD, dir1, slot(PDE_BASE));
    expect_new("SET_PGD", PDE_BASE, frame_b, PATTERN_B, frame_a, PATTERN_A);

    // Read-write to read-only: the write the shadow allowed before must fault.
    va += PAGE;
    prepare("read-only", dir1, va);
    set_pte(dir1, va, frame_a | P);
    Access w = write(va + 16, 0xDEAD);
    rung::print("read-only: write after SET_PTE: %s\n", w.faulted ? "#PF" : "no fault");
    if (!w.faulted || w.error != 3 || w.cr2 != va + 16)
        test::fail("read-only: expected #PF error 3 cr2 %x, got %s error %x cr2 %x", va + 16,
                   w.faulted ? "#PF" : "no fault", w.error, w.cr2);
    if (at(frame_a)[4] == 0xDEAD) test::fail("read-only: the write reached the frame");
    if (word("read-only", va) != PATTERN_A) test::fail("read-only: the page is no longer readable");
    set_pte(dir1, va, frame_a | P | W);
    w = write(va + 16, 0xBEEF);
    if (w.faulted || at(frame_a)[4] != 0xBEEF) test::fail("read-only: writable again after SET_PTE");
    fill(frame_a, PATTERN_A);
}

// The PTE of a directory that is cached but not loaded.
void remap_other()
{
    u32 va = USER_BASE + 0x10 * PAGE;
    const char* names[] = {"SET_PTE, other directory", "FLUSH_TLB 1, other directory",
                           "FLUSH_TLB 0, other directory"};
    for (u32 method = 0; method < 3; method++, va += PAGE) {
        const char* name = names[method];
        switch_to(dir2);
        prepare(name, dir2, va);
        switch_to(dir1);
        if (method == 0) rung::hypercall(hcall::SET_PTE, dir2, va, frame_b | P | W);
        else flush_tlb(method == 1);
        switch_to(dir2);
        if (method < 2) {
            expect_new(name, va, frame_b, PATTERN_B, frame_a, PATTERN_A);
        } else {
            // Whether FLUSH_TLB 0 reaches directories that are not loaded is
            // not said (lguest flushed only the current one): either is
            // accepted, then SET_PTE must do it.
            u32 v = word(name, va);
            rung::print("%s: %s (either accepted)\n", name, which(v, PATTERN_A, PATTERN_B));
            if (v != PATTERN_A && v != PATTERN_B) test::fail("%s: read %x, neither page", name, v);
            switch_to(dir1);
            rung::hypercall(hcall::SET_PTE, dir2, va, frame_b | P | W);
            switch_to(dir2);
            expect_new("SET_PTE after FLUSH_TLB 0, other directory", va, frame_b, PATTERN_B, frame_a, PATTERN_A);
        }
    }
    switch_to(dir1);
}

// The kernel part: one guest table under slot 769 of every directory.
void remap_kernel()
{
    const char* name = "kernel page";
    if (word(name, KERNEL_PAGE) != PATTERN_A) test::fail("kernel page: dir1 does not show A");
    switch_to(dir2);
    if (word(name, KERNEL_PAGE) != PATTERN_A) test::fail("kernel page: dir2 does not show A");

    raw_pte(dir2, KERNEL_PAGE) = frame_b | P | W;
    rung::hypercall(hcall::SET_PTE, dir2, KERNEL_PAGE, frame_b | P | W);
    switch_to(dir1);
    expect_new("kernel page, SET_PTE in the other directory", KERNEL_PAGE, frame_b, PATTERN_B, frame_a, PATTERN_A);

    raw_pte(dir0, KERNEL_PAGE) = frame_c | P | W;
    rung::hypercall(hcall::SET_PTE, dir0, KERNEL_PAGE, frame_c | P | W);
    expect_new("kernel page, SET_PTE in a directory never loaded", KERNEL_PAGE, frame_c, PATTERN_C, frame_b,
               PATTERN_B);
    switch_to(dir2);
    expect_new("kernel page, SET_PTE in a directory never loaded, other", KERNEL_PAGE, frame_c, PATTERN_C,
               frame_b, PATTERN_B);

    raw_pte(dir2, KERNEL_PAGE) = frame_d | P | W;
    flush_tlb(true);
    expect_new("kernel page, FLUSH_TLB 1", KERNEL_PAGE, frame_d, PATTERN_D, frame_c, PATTERN_C);
    switch_to(dir1);
    expect_new("kernel page, FLUSH_TLB 1, other", KERNEL_PAGE, frame_d, PATTERN_D, frame_c, PATTERN_C);
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    catch_page_faults();
    rung::lguest_data.kernel_address = KERNEL_ADDRESS;

    frame_a = alloc_frame();
    frame_b = alloc_frame();
    frame_c = alloc_frame();
    frame_d = alloc_frame();
    fill(frame_a, PATTERN_A);
    fill(frame_b, PATTERN_B);
    fill(frame_c, PATTERN_C);
    fill(frame_d, PATTERN_D);

    // Three directories (identity map of memory shared from the boot
    // tables); one kernel table for all three, mapping KERNEL_PAGE to A.
    dir0 = new_directory();
    dir1 = new_directory();
    dir2 = new_directory();
    u32 kernel_table = alloc_frame();
    at(kernel_table)[index(KERNEL_PAGE)] = frame_a | P | W;
    const u32 all[] = {dir0, dir1, dir2};
    for (u32 d : all) raw_pde(d, KERNEL_PAGE) = kernel_table | P | W;
    switch_to(dir1);

    remap_current();
    remap_other();
    remap_kernel();
    test::finish();
}
