// guest/tests/async.cc: the asynchronous ring (ABI section 4): queued calls
// run, in order, before the next ordinary hypercall, and each slot is marked
// free (0xFF) once done; the ring wraps.
#include "test.h"

void guest_main()
{
    rung::init();
    static const char first[] = "queued line one\n", second[] = "queued line two\n";
    rung::queue_async(hcall::CONSOLE_WRITE, rung::address_of(first), sizeof first - 1);
    rung::queue_async(hcall::CONSOLE_WRITE, rung::address_of(second), sizeof second - 1);
    test::check(rung::lguest_data.hcall_status[0] == ASYNC_QUEUED, "slot 0 queued");
    rung::hypercall(hcall::FLUSH_ASYNC);
    test::check(rung::lguest_data.hcall_status[0] == ASYNC_FREE &&
                    rung::lguest_data.hcall_status[1] == ASYNC_FREE,
                "slots free after FLUSH_ASYNC");
    // Around the ring twice; an ordinary call drains it too.
    static const char dot[] = ".";
    for (u32 round = 0; round < 2 * ASYNC_SLOTS; round++) {
        rung::queue_async(hcall::CONSOLE_WRITE, rung::address_of(dot), 1);
        if (round % 10 == 9) rung::hypercall(hcall::SEND_INTERRUPTS);
    }
    rung::hypercall(hcall::FLUSH_ASYNC);
    rung::print("\n");
    bool all_free = true;
    for (u32 i = 0; i < ASYNC_SLOTS; i++) all_free = all_free && rung::lguest_data.hcall_status[i] == ASYNC_FREE;
    test::check(all_free, "every slot free after two laps");
    test::finish();
}
