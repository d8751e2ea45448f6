// guest/tests/mmu_isolation.cc: two guests at once write and check patterns
// over all of their free memory (boot_info->free_start to mem_bytes), pass
// after pass with a different pattern each time, spinning between quarters
// so the host switches to the other guest in the middle of a pass.  Free
// memory must start zeroed, and every word must hold this guest's pattern
// of this pass: a word with the other guest's pattern (of any pass), or
// anything else, is a failure.  The pattern depends on boot_info->guest_id
// (0 or 1), so run exactly two guests.
#include "test.h"

namespace {

constexpr u32 PASSES = 4;
constexpr u32 PARTS = 4; // a spin after each part of a pass

u32 pattern(u32 guest, u32 pass, u32 address)
{
    return (address * 0x9E3779B1u) ^ ((pass + 1) * 0x85EBCA77u) ^ ((guest + 1) * 0xC2B2AE3Du);
}

u32 preemptions = 0;
u32 spins = 0;

// Spins about 15 ms (by the TSC, when there is one), counting a jump of the
// TSC of over 1 ms as a moment another guest ran.
void spin()
{
    spins++;
    u32 khz = rung::boot_info->tsc_khz;
    if (!khz) {
        volatile u32 counter = 0;
        for (u32 i = 0; i < 300000; i++) counter = counter + 1;
        return;
    }
    u64 start = rung::rdtsc(), last = start, gap = khz, length = 15ull * khz;
    bool seen = false;
    for (;;) {
        u64 now = rung::rdtsc();
        if (now - last > gap) seen = true;
        last = now;
        if (now - start > length) break;
    }
    if (seen) preemptions++;
}

u32 bad = 0;

void report(u32 guest, u32 pass, u32 address, u32 value, u32 expected)
{
    bad++;
    if (bad > 6) return;
    const char* what = "garbage";
    if (value == 0) what = "zero";
    for (u32 p = 0; p < PASSES; p++) {
        if (value == pattern(guest ^ 1, p, address)) what = "THE OTHER GUEST's pattern";
        if (value == pattern(guest, p, address)) what = "our pattern of another pass";
    }
    test::fail("pass %u: word at %x holds %x (%s), expected %x", pass, address, value, what, expected);
}

// Checks [from, to) against pass `pass` (or zero, for pass ~0u).
void verify(u32 guest, u32 pass, u32 from, u32 to)
{
    for (u32 a = from; a < to; a += 4) {
        u32 value = *reinterpret_cast<volatile u32*>(a);
        u32 expected = pass == ~0u ? 0 : pattern(guest, pass, a);
        if (value != expected) report(guest, pass, a, value, expected);
    }
}

} // namespace

void guest_main()
{
    const BootInfo& b = *rung::boot_info;
    u32 guest = b.guest_id;
    u32 from = b.free_start, to = b.mem_bytes;
    u32 part = ((to - from) / PARTS) & ~3u;
    rung::print("guest %u: free memory %x-%x, %u passes\n", guest, from, to, PASSES);
    if (guest > 1) test::error("run exactly two guests (guest_id 0 and 1)");

    verify(guest, ~0u, from, to);
    rung::print("free memory was zeroed: %s\n", bad ? "no" : "yes");
    for (u32 pass = 0; pass < PASSES; pass++) {
        u32 before = bad;
        for (u32 k = 0; k < PARTS; k++) {
            u32 lo = from + k * part, hi = k == PARTS - 1 ? to : lo + part;
            for (u32 a = lo; a < hi; a += 4) *reinterpret_cast<volatile u32*>(a) = pattern(guest, pass, a);
            spin();
            verify(guest, pass, lo, hi); // after the other guest ran
        }
        for (u32 k = 0; k < PARTS; k++) {
            u32 lo = from + k * part, hi = k == PARTS - 1 ? to : lo + part;
            spin();
            verify(guest, pass, lo, hi);
        }
        rung::print("pass %u: %u words checked, %u wrong\n", pass, (to - from) / 4, bad - before);
    }
    // Informational: how often the other guest ran in the middle of a pass.
    rung::print("the TSC jumped in %u of %u spins\n", preemptions, spins);
    test::finish();
}
