// kernel/selftest.h: `selftest` on the kernel command line raises a divide
// error, a breakpoint and a page fault in the host and checks each is caught
// as expected: proof that the exception path works before any guest runs.
#pragma once

namespace selftest {
bool run(); // true when every check passed
}
