// guest/tests/spin.cc: spins without a single hypercall for a long while,
// then reports.  Next to another guest it shows round-robin preemption: the
// other guest's lines must appear while this one spins.
#include "test.h"

void guest_main()
{
    rung::print("spinning\n");
    volatile u32 counter = 0;
    for (u32 i = 0; i < 40000000; i++) counter = counter + 1;
    test::check(counter == 40000000, "the counter survived every preemption");
    rung::print("spin done\n");
    test::finish();
}
