// guest/tests/restart.cc: SHUTDOWN with reason 2 reloads the image: memory
// starts fresh and boot_count grows by one each time.
#include "test.h"

static u32 marker = 0; // in .bss: zero in every new life

void guest_main()
{
    u32 life = rung::boot_info->boot_count;
    rung::print("life %u\n", life);
    test::check(marker == 0, "memory is fresh after a restart");
    marker = 0xABCD;
    if (life < 2) rung::shutdown("again", hcall::SHUTDOWN_RESTART);
    test::check(life == 2, "boot_count counts the restarts");
    test::finish();
}
