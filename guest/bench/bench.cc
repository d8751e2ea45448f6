// guest/bench/bench.cc: the nanobenchmarks, timed with rdtsc inside the
// guest.  Under QEMU TCG with -icount shift=0 the TSC counts executed
// instructions, so each figure is an exact instruction count (host and guest
// together); on a real PC it is cycles.  tools/bench.py reads the lines.
#include "rung.h"

namespace {

constexpr u32 SAMPLES = 1000;
u32 samples[SAMPLES];
u32 overhead = 0;

void sort(u32* v, u32 n)
{
    for (u32 i = 1; i < n; i++)
        for (u32 j = i; j > 0 && v[j] < v[j - 1]; j--) {
            u32 t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

void report(const char* what)
{
    for (u32 i = 0; i < SAMPLES; i++) samples[i] = samples[i] > overhead ? samples[i] - overhead : 0;
    sort(samples, SAMPLES);
    rung::print("bench: %s: min %u median %u (%u samples)\n", what, samples[0], samples[SAMPLES / 2], SAMPLES);
}

} // namespace

void guest_main()
{
    rung::init();
    overhead = ~0u;
    for (u32 i = 0; i < 100; i++) {
        u64 a = rung::rdtsc();
        u64 b = rung::rdtsc();
        if (b - a < overhead) overhead = static_cast<u32>(b - a);
    }
    rung::print("bench: rdtsc overhead %u\n", overhead);

    // The null hypercall: SEND_INTERRUPTS does nothing when nothing is pending.
    for (u32 i = 0; i < SAMPLES; i++) {
        u64 start = rung::rdtsc();
        rung::hypercall(hcall::SEND_INTERRUPTS);
        samples[i] = static_cast<u32>(rung::rdtsc() - start);
    }
    report("null hypercall round trip");
    rung::shutdown("bench done");
}
