// guest/tests/mmu_pressure.cc: more shadow page tables than the host keeps
// for one guest (1024; guest ABI section 7 promises only that the shadow
// follows the guest's tables).  Every directory slot but the identity map's
// points at one of eight guest page tables, each mapping the slot's first
// page to its own frame, so touching every slot of a few directories needs
// thousands of shadow tables.  Every read must show the right frame, every
// write must land in it, and the guest must live on (not killed for
// "host out of memory for shadow page tables"), round after round, with
// nothing shared and with kernel_address 0x80000000 (slots 512 up shared).
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 TABLES = 8;
constexpr u32 DIRECTORIES = 3;
constexpr u32 ROUNDS = 2;

u32 frames[TABLES];
u32 dirs[DIRECTORIES];

constexpr u32 pattern(u32 k) { return 0x70000000 | k << 20; }

void phase(u32 kernel_address)
{
    rung::lguest_data.kernel_address = kernel_address;
    u32 touched = 0, wrong = 0, token = 0;
    u32 counts[TABLES] = {};
    for (u32 k = 0; k < TABLES; k++) at(frames[k])[1] = 0;
    for (u32 round = 0; round < ROUNDS; round++) {
        for (u32 d = 0; d < DIRECTORIES; d++) {
            switch_to(dirs[d]);
            for (u32 s = 1; s < 1023; s++) {
                u32 k = s % TABLES;
                Access r = read(s << 22);
                Access w = write((s << 22) + 4, ++token);
                touched++;
                counts[k] = token;
                if (r.faulted || r.value != pattern(k) || w.faulted || at(frames[k])[1] != token) {
                    if (wrong++ < 4)
                        test::fail("slot %u: read %x (%s), expected %x; write %s", s, r.value,
                                   r.faulted ? "#PF" : "ok", pattern(k), w.faulted ? "#PF" : "ok");
                }
            }
        }
    }
    for (u32 k = 0; k < TABLES; k++)
        if (at(frames[k])[1] != counts[k]) wrong++;
    switch_to(boot_directory());
    rung::print("kernel_address %x: %u slots touched in %u directories, %u rounds: %u wrong\n", kernel_address,
                touched, DIRECTORIES, ROUNDS, wrong);
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    catch_page_faults();

    u32 tables[TABLES];
    for (u32 k = 0; k < TABLES; k++) {
        frames[k] = alloc_frame();
        fill(frames[k], pattern(k));
        tables[k] = alloc_frame();
        at(tables[k])[0] = frames[k] | P | W;
    }
    for (u32& d : dirs) {
        d = new_directory();
        for (u32 s = 1; s < 1023; s++) at(d)[s] = tables[s % TABLES] | P | W;
    }
    phase(0);
    phase(0x80000000);
    test::finish();
}
