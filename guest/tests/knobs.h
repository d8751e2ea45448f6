// guest/tests/knobs.h: how long the hostile and soak guests (witness, fuzzer,
// storm, flood) run, chosen by their names, since a module string takes no
// options but name, mem and on_kill:
//
//   NAME_nN   N rounds (passes, lives, ...)
//   NAME_tN   until N seconds after the machine booted (the TSC, which
//             counts from 0 at reset under QEMU and Bochs)
//   anything else: the guest's default number of rounds
//
// Guest memory starts zeroed in every life, so a guest that must know
// something across lives can only derive it from its name and boot_count.
#pragma once
#include "rung.h"

namespace knobs {

struct Knobs {
    u32 rounds = 0;  // 0: run by time
    u32 seconds = 0; // the deadline, when rounds is 0
};

inline Knobs from_name(u32 default_rounds)
{
    Knobs k;
    k.rounds = default_rounds;
    const char* name = rung::name();
    const char* last = nullptr; // the last "_n" or "_t" followed by digits only
    for (const char* p = name; *p; p++)
        if (p[0] == '_' && (p[1] == 'n' || p[1] == 't') && p[2] >= '0' && p[2] <= '9') {
            const char* q = p + 2;
            while (*q >= '0' && *q <= '9') q++;
            if (!*q) last = p;
        }
    if (!last) return k;
    u32 value = 0;
    for (const char* q = last + 2; *q; q++) value = value * 10 + static_cast<u32>(*q - '0');
    if (last[1] == 't' && rung::boot_info->tsc_khz) {
        k.rounds = 0;
        k.seconds = value;
    } else if (last[1] == 'n') {
        k.rounds = value ? value : 1;
    }
    return k;
}

// Milliseconds since the machine's reset (0 without a TSC).
inline u64 uptime_ms()
{
    u32 khz = rung::boot_info->tsc_khz;
    return khz ? rung::rdtsc() / khz : 0;
}

// True once `round` rounds are done, or the deadline has passed.
inline bool done(const Knobs& k, u32 round)
{
    if (k.rounds) return round >= k.rounds;
    return uptime_ms() >= static_cast<u64>(k.seconds) * 1000;
}

// Spins, without hypercalls, for about `ms` milliseconds (or `fallback`
// iterations without a TSC), so the host preempts us meanwhile.
inline void spin_ms(u32 ms, u32 fallback)
{
    u32 khz = rung::boot_info->tsc_khz;
    if (!khz) {
        for (u32 i = 0; i < fallback; i++) asm volatile("" ::: "memory");
        return;
    }
    u64 end = rung::rdtsc() + static_cast<u64>(ms) * khz;
    while (rung::rdtsc() < end) asm volatile("pause");
}

// A small fast generator (xorshift32); never returns to 0 from a non-zero seed.
struct Random {
    u32 state;
    explicit Random(u32 seed) : state(seed ? seed : 0x9E3779B9u) {}
    u32 next()
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    }
    u32 below(u32 n) { return n ? next() % n : 0; }
    bool one_in(u32 n) { return below(n) == 0; }
};

// FNV-1a of a string: a fixed number per name.
inline u32 hash(const char* s)
{
    u32 h = 2166136261u;
    for (; *s; s++) h = (h ^ static_cast<u8>(*s)) * 16777619u;
    return h;
}

} // namespace knobs
