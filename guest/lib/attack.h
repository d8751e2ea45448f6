// guest/lib/attack.h: the verdict lines of the attack guests (guest/tests/
// hostile.cc, devices.cc): one attack per guest, picked by its name, and a
// line for each outcome it checks, which the boot cases match exactly.
#pragma once
#include "probe.h"

namespace rung {

// The attack this guest runs: its name (set first thing in guest_main).
extern const char* attack;

// The last probe against the fault the CPU must raise; on success the line
// "attack NAME: WHAT: got #GP (error E) as expected".
bool expect_fault(const char* what, u32 vector, u32 error, u32 cr2 = ANY);
// Something harmless the guest checked: "attack NAME: WHAT as expected".
void ok(const char* what);

} // namespace rung
