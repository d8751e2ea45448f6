// guest/tests/kill_restart.cc: run with on_kill=restart.  The first life
// breaks a rule and is killed; the host restarts it with boot_count 1, and
// that life ends cleanly, so the run ends with 0 guests killed.
#include "test.h"

void guest_main()
{
    rung::init();
    u32 life = rung::boot_info->boot_count;
    rung::print("life %u\n", life);
    if (life == 0) {
        rung::hypercall(99);
        test::fail("survived a bad hypercall");
    }
    test::check(life == 1, "restarted once after the kill");
    test::finish();
}
