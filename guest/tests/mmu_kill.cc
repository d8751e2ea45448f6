// guest/tests/mmu_kill.cc: forbidden mappings kill the guest (guest ABI
// sections 3 and 7), at the call that names them or at the fault that
// reaches them.  One sub-case per guest, chosen by name; each first does
// the nearest legal thing (the last page of memory, index 1022, a
// not-present entry...) and says so, then the forbidden one, then prints
// "survived" if it is still alive.
#include "lib/string.h"
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 V = 0x40000000;

u32 mem() { return rung::boot_info->mem_bytes; }
u32 last_page() { return mem() - PAGE; }

void say_read(const char* what, u32 va)
{
    Access r = read(va);
    if (r.faulted) rung::print("%s: #PF error %x\n", what, r.error);
    else rung::print("%s: read %x\n", what, r.value);
}

// A copy of the boot directory in the last page of memory.
u32 directory_at_last_page()
{
    u32 d = last_page();
    for (u32 i = 0; i < 1024; i++) at(d)[i] = i < 1023 ? at(boot_directory())[i] : 0;
    return d;
}

void pte_fault(u32 dir)
{
    table(dir, V);
    raw_pte(dir, V) = last_page() | P | W; // not present before: nothing to tell
    *at(last_page()) = 0x1A57;
    say_read("last page", V);
    raw_pte(dir, V + PAGE) = mem() | P | W;
    say_read("one past the end", V + PAGE);
}

void pte_set(u32 dir)
{
    table(dir, V);
    set_pte(dir, V, last_page() | P | W);
    set_pte(dir, V + PAGE, mem() | W); // not present: its frame means nothing
    rung::print("last page and a not-present entry: accepted\n");
    set_pte(dir, V + PAGE, mem() | P | W);
}

void pte_async(u32 dir)
{
    table(dir, V);
    raw_pte(dir, V) = mem() | P | W;
    rung::queue_async(hcall::SET_PTE, dir, V, last_page() | P | W);
    rung::queue_async(hcall::SET_PTE, dir, V, mem() | P | W);
    rung::print("queued\n"); // this line's CONSOLE_WRITE runs the queue first
}

void pde_fault(u32 dir)
{
    raw_pde(dir, V) = last_page() | P | W; // a zeroed table in the last page
    say_read("table in the last page", V);
    raw_pde(dir, V + 0x400000) = mem() | P | W;
    say_read("table one past the end", V + 0x400000);
}

void pde_set(u32 dir)
{
    set_pde(dir, V, last_page() | P | W);
    set_pde(dir, V + 0x400000, mem() | W);
    rung::print("last page and a not-present entry: accepted\n");
    set_pde(dir, V + 0x400000, mem() | P | W);
}

void large_fault(u32 dir)
{
    raw_pde(dir, V) = PS | W; // not present: a plain not-present fault
    say_read("not-present 4 MiB entry", V);
    raw_pde(dir, V) = PS | W | P;
    say_read("4 MiB page", V);
}

void large_set(u32 dir)
{
    set_pde(dir, V, PS | W);
    rung::print("not-present 4 MiB entry: accepted\n");
    set_pde(dir, V, PS | W | P);
}

void pgd_1023(u32 dir)
{
    rung::hypercall(hcall::SET_PGD, dir, 1022);
    rung::print("index 1022: accepted\n");
    rung::hypercall(hcall::SET_PGD, dir, 1023);
}

void pgd_1024(u32 dir) { rung::hypercall(hcall::SET_PGD, dir, 1024); }

void pgtable_0(u32) { rung::hypercall(hcall::NEW_PGTABLE, 0); }

void pgtable_unaligned(u32 dir)
{
    u32 d = directory_at_last_page();
    switch_to(d);
    switch_to(dir);
    rung::print("directory in the last page: accepted\n");
    rung::hypercall(hcall::NEW_PGTABLE, d + 0x800);
}

void pgtable_end(u32 dir)
{
    u32 d = directory_at_last_page();
    switch_to(d);
    say_read("directory in the last page", V);
    switch_to(dir);
    rung::hypercall(hcall::NEW_PGTABLE, mem());
}

void pgtable_1023(u32)
{
    u32 d = directory_at_last_page();
    at(d)[1023] = alloc_frame() | P | W;
    rung::hypercall(hcall::NEW_PGTABLE, d);
}

void pte_switcher(u32 dir)
{
    rung::hypercall(hcall::SET_PTE, dir, 0xFFBFF000, 0);
    rung::print("address ffbff000: accepted\n");
    rung::hypercall(hcall::SET_PTE, dir, 0xFFC00000, 0);
}

struct SubCase {
    const char* name;
    void (*run)(u32 dir);
};
const SubCase cases[] = {
    {"pte_fault", pte_fault},       {"pte_set", pte_set},           {"pte_async", pte_async},
    {"pde_fault", pde_fault},       {"pde_set", pde_set},           {"large_fault", large_fault},
    {"large_set", large_set},       {"pgd_1023", pgd_1023},         {"pgd_1024", pgd_1024},
    {"pgtable_0", pgtable_0},       {"pgtable_unalign", pgtable_unaligned},
    {"pgtable_end", pgtable_end},   {"pgtable_1023", pgtable_1023}, {"pte_switcher", pte_switcher},
};

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    catch_page_faults();
    for (const SubCase& c : cases) {
        if (strcmp(c.name, rung::name()) != 0) continue;
        c.run(boot_directory());
        rung::print("survived %s\n", c.name);
        test::fail("the forbidden mapping did not kill the guest");
        test::finish();
    }
    test::error("no sub-case named %s", rung::name());
    test::finish();
}
