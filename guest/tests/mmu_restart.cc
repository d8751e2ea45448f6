// guest/tests/mmu_restart.cc: a new life starts with a clean shadow (guest
// ABI sections 1 and 3: a restart reloads the image and starts it afresh).
// Each life builds the same directories at the same guest-physical
// addresses (the frames come in the same order), and maps the same virtual
// page to a different frame than the life before; a shadow entry left from
// an earlier life would show that life's frame.  Life 0 ends with SHUTDOWN
// restart, life 1 is killed (on_kill=restart), life 2 checks and finishes.
// The kernel part (kernel_address 0xC0000000) is checked the same way.
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 V = 0x40000000, K = 0xC0400000;
constexpr u32 SPACES = 20; // more than the host caches: some of them evicted

constexpr u32 pattern(u32 life, u32 frame) { return 0x10000000 * (life + 1) + (frame << 16); }

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    catch_page_faults();
    u32 life = rung::boot_info->boot_count;
    rung::lguest_data.kernel_address = 0xC0000000;

    u32 frames[3];
    for (u32 f = 0; f < 3; f++) {
        frames[f] = alloc_frame();
        fill(frames[f], pattern(life, f));
    }
    u32 kernel_table = alloc_frame();
    at(kernel_table)[index(K)] = frames[(life + 1) % 3] | P | W;
    u32 dirs[SPACES];
    // Every life maps V to frame `life % 3` in every space (written, not
    // told: in this life the entries were never present); the frames hold
    // this life's patterns.  Read them all, private and kernel page.
    for (u32& d : dirs) {
        d = new_directory();
        raw_pde(d, K) = kernel_table | P | W;
        u32 t = alloc_frame();
        at(t)[index(V)] = frames[life % 3] | P | W;
        raw_pde(d, V) = t | P | W;
    }
    u32 wrong = 0;
    for (u32 round = 0; round < 2; round++) {
        for (u32 d : dirs) {
            switch_to(d);
            Access v = read(V), k = read(K);
            if (v.faulted || v.value != pattern(life, life % 3)) {
                if (wrong++ < 4) test::fail("life %u: V reads %x, expected %x", life, v.value, pattern(life, life % 3));
            }
            if (k.faulted || k.value != pattern(life, (life + 1) % 3)) {
                if (wrong++ < 4)
                    test::fail("life %u: K reads %x, expected %x", life, k.value, pattern(life, (life + 1) % 3));
            }
            write(V + 4, life); // writable shadow entries, for the next life to trip on
            write(K + 4, life);
        }
    }
    rung::print("life %u: %u spaces, %u wrong\n", life, SPACES, wrong);
    if (life == 0) rung::shutdown("again", hcall::SHUTDOWN_RESTART);
    if (life == 1) rung::hypercall(hcall::SET_PGD, dirs[0], 1023); // killed, and restarted
    test::finish();
}
