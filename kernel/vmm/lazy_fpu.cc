// kernel/vmm/lazy_fpu.cc
#include "vmm/lazy_fpu.h"
#include "arch/fpu.h"
#include "vmm/traps.h"

namespace lazy_fpu {
namespace {
Guest* owner = nullptr; // whose state the FPU registers hold
bool ts_on = true;      // the real CR0.TS, as last written
fpu::State clean;       // what a new user starts from (made at first use)
bool clean_made = false;

void write_ts(bool on)
{
    if (on == ts_on) return;
    if (on) fpu::set_ts();
    else fpu::clts();
    ts_on = on;
}
} // namespace

void prepare(Guest& g) { write_ts(owner != &g || g.virtual_ts); }

Outcome device_not_available(Guest& g)
{
    if (g.virtual_ts || !features::cpu().fpu) return traps::reflect(g, 7, 0);
    write_ts(false);
    if (owner != &g) {
        if (owner) fpu::save(owner->fpu_state);
        if (!g.fpu_used && !clean_made) {
            fpu::make_clean(clean);
            clean_made = true;
        }
        fpu::restore(g.fpu_used ? g.fpu_state : clean);
        g.fpu_used = true;
        owner = &g;
    }
    return Outcome::resume;
}

Outcome set_virtual_ts(Guest& g, u32 value)
{
    if (value > 1) return kill(g, "TS: value %u is not 0 or 1", value);
    g.virtual_ts = value;
    prepare(g);
    return Outcome::resume;
}

void forget(Guest& g)
{
    if (owner == &g) owner = nullptr;
    g.fpu_used = false;
    g.virtual_ts = false;
}

} // namespace lazy_fpu
