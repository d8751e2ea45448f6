// kernel/vmm/fault_injection.cc
#include "vmm/fault_injection.h"
#include "lib/string.h"

namespace fault_injection {

bool enabled = false;

void break_saved_state(Guest& g)
{
    const char* name = g.name();
    if (memcmp(name, "inject_", 7) != 0 || strlen(name) != 9) return;
    TrapFrame& r = g.regs();
    // An LDT selector for the data registers (the LDT is null: #GP), GDT
    // entry 31 (the host's, always empty: #GP) for CS and SS at the iret.
    constexpr u32 LDT_SELECTOR = 0x80DD, EMPTY_ENTRY = 31 * 8 + 1;
    char reg = name[7];
    if (name[8] != 's') return;
    if (reg == 'g') r.gs = LDT_SELECTOR;
    else if (reg == 'f') r.fs = LDT_SELECTOR;
    else if (reg == 'e') r.es = LDT_SELECTOR;
    else if (reg == 'd') r.ds = LDT_SELECTOR;
    else if (reg == 'c') r.cs = EMPTY_ENTRY;
    else if (reg == 's') r.ss = EMPTY_ENTRY;
}

} // namespace fault_injection
