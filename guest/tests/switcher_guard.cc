// guest/tests/switcher_guard.cc: the switcher's slot, 0xFFC00000 up (ABI
// section 7).  Ring 1 may read the switcher text and its state page but
// writing them is a #PF reflected into the guest (present|write, cr2 the
// address); the rest of the slot is not mapped; ring 3 reaches nothing
// there (#PF with U set).  The register page is the guest's own: ring 1
// reads it, and no one here writes it from ring 1 (it holds the guest's
// saved registers).
#include "probe.h"
#include "test.h"

namespace {

constexpr u32 TEXT = 0xFFC00000, TEXT2 = 0xFFC01000, REGS = 0xFFC02000, STATE = 0xFFC03000,
              UNMAPPED = 0xFFC04000, LAST = 0xFFFFF000;

u32 address; // the probes' target
u32 value;   // what is there, read in ring 1: a write that got through would change nothing

void read() { RUNG_PROBE("", "movl (%[a]), %%eax", "", [a] "r"(address)); }
void write() { RUNG_PROBE("movl %[v], %%eax", "movl %%eax, (%[a])", "", [a] "r"(address), [v] "m"(value)); }

struct Access {
    const char* what;
    u32 address;
    bool writes;
    u32 ring;
    u32 error; // the #PF error code, or rung::ANY: no fault
};

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    rung::init_user();
    rung::probe_gates(rung::INTERRUPT_GATE);
    rung::irq_enable();

    const Access accesses[] = {
        {"ring 1 reads the switcher text", TEXT, false, 1, rung::ANY},
        {"ring 1 reads the switcher text, second page", TEXT2, false, 1, rung::ANY},
        {"ring 1 reads its register page", REGS, false, 1, rung::ANY},
        {"ring 1 reads the state page", STATE, false, 1, rung::ANY},
        // The reads above prove the pages present: a write is a protection fault.
        {"ring 1 writes the switcher text", TEXT, true, 1, 3},
        {"ring 1 writes the switcher text, second page", TEXT2 + 0x10, true, 1, 3},
        {"ring 1 writes the state page", STATE + 0x100, true, 1, 3},
        {"ring 1 reads past the switcher's pages", UNMAPPED, false, 1, 0},
        {"ring 1 reads the last page", LAST + 0xFFC, false, 1, 0},
        {"ring 3 reads the switcher text", TEXT, false, 3, 5},
        {"ring 3 reads the register page", REGS, false, 3, 5},
        {"ring 3 writes the register page", REGS + 0x800, true, 3, 7},
        {"ring 3 reads the state page", STATE, false, 3, 5},
        {"ring 3 writes the state page", STATE, true, 3, 7},
        {"ring 3 reads past the switcher's pages", UNMAPPED, false, 3, 4},
    };
    u32 faults = 0;
    for (const Access& a : accesses) {
        address = a.address;
        if (a.writes) value = *reinterpret_cast<const volatile u32*>(a.address);
        void (*run)() = a.writes ? write : read;
        if (a.ring == 1) run();
        else rung::call_user(run);
        if (a.error == rung::ANY) {
            rung::check_no_trap(a.what);
        } else {
            rung::check_probe(a.what, {.vector = 14, .error = a.error, .cr2 = a.address});
            faults++;
        }
    }
    // The text is the switcher's code: its first bytes are not all zero.
    u32 nonzero = 0;
    for (u32 offset = 0; offset < 4096; offset += 4) nonzero |= *reinterpret_cast<const volatile u32*>(TEXT + offset);
    test::check(nonzero != 0, "the switcher text reads as code, not zeros");
    rung::print("%u faults reflected, reads allowed where the ABI says\n", faults);
    test::finish();
}
