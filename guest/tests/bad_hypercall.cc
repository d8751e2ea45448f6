// guest/tests/bad_hypercall.cc: an unknown call number must kill the guest
// with "bad hypercall 99"; a hypercall before LGUEST_INIT (name=early) must
// kill it too.  Surviving is a failure.
#include "test.h"
#include "lib/string.h"

void guest_main()
{
    const char* who = rung::name();
    if (strcmp(who, "early") == 0) {
        rung::print("HALT before LGUEST_INIT\n");
        rung::hypercall(hcall::HALT);
    } else if (strcmp(who, "twice") == 0) {
        rung::init();
        rung::print("second LGUEST_INIT\n");
        rung::init();
    } else if (strcmp(who, "pae") == 0) {
        rung::init();
        rung::hypercall(hcall::SET_PMD, 0, 0);
    } else {
        rung::init();
        rung::print("calling hypercall 99\n");
        rung::hypercall(99);
    }
    test::fail("still running after a forbidden hypercall");
    test::finish();
}
