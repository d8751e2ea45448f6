// guest/tests/ticker.cc: prints ten numbered lines with a short spin between
// them, so its lines interleave with a spinning guest's if, and only if,
// the host preempts.
#include "test.h"

void guest_main()
{
    for (u32 line = 1; line <= 10; line++) {
        volatile u32 counter = 0;
        for (u32 i = 0; i < 200000; i++) counter = counter + 1;
        rung::print("tick %u\n", line);
    }
    test::finish();
}
