// guest/tests/fpu.cc: FPU and SSE state is private to each guest (ABI
// section 5).  Two of these run at once, each with its own values in all
// eight x87 registers, its own control word, its own MXCSR and XMM0-7, and
// a long x87 sum kept on the register stack; each spins until the other
// guest has run in between several times (a jump in the TSC), then checks
// that nothing changed.  The values depend on guest_id, so the two differ.
#include "cpu_features.h"
#include "test.h"
#include "traps.h"

namespace {

constexpr u64 MS = 1000000;
u32 id;

// The other guest ran in between: the TSC jumped by more than 1 ms.
u32 preemptions = 0;
void wait_for_others(u32 want, u64 limit_ns)
{
    u64 khz = rung::boot_info->tsc_khz;
    u64 start = rung::rdtsc(), last = start, gap = khz; // 1 ms in TSC ticks
    for (u32 seen = 0; seen < want && (rung::rdtsc() - start) * 1000000 / khz < limit_ns;) {
        u64 now = rung::rdtsc();
        if (now - last > gap) {
            seen++;
            preemptions++;
        }
        last = now;
    }
}

void x87_registers()
{
    // Values exact in binary, and a rounding mode of its own: A rounds
    // down, B up (control word bits 10-11), both with 64-bit precision.
    u64 in[8], out[8];
    for (u32 k = 0; k < 8; k++) {
        // (id * 100 + k) + 0.25 as a double, built by hand: the guest is
        // compiled without floating point.
        u64 n = static_cast<u64>(id) * 100 + k, v = n * 4 + 1; // v / 4
        u32 top = 63 - static_cast<u32>(__builtin_clzll(v));
        u64 exponent = 1023 + top - 2;
        in[k] = (exponent << 52) | ((v << (52 - top)) & ((1ull << 52) - 1));
    }
    u16 cw = id % 2 ? 0x0B7F : 0x077F, cw_after = 0;
    for (u32 round = 0; round < 4; round++) {
        asm volatile("fninit\n\t"
                     "fldcw %[cw]\n\t"
                     "fldl 0(%[in]); fldl 8(%[in]); fldl 16(%[in]); fldl 24(%[in])\n\t"
                     "fldl 32(%[in]); fldl 40(%[in]); fldl 48(%[in]); fldl 56(%[in])"
                     :
                     : [cw] "m"(cw), [in] "r"(in)
                     : "memory");
        wait_for_others(3, 300 * MS);
        asm volatile("fnstcw %[cw]\n\t"
                     "fstpl 56(%[out]); fstpl 48(%[out]); fstpl 40(%[out]); fstpl 32(%[out])\n\t"
                     "fstpl 24(%[out]); fstpl 16(%[out]); fstpl 8(%[out]); fstpl 0(%[out])\n\t"
                     "fwait"
                     : [cw] "=m"(cw_after)
                     : [out] "r"(out)
                     : "memory");
        if (__builtin_memcmp(in, out, sizeof in) != 0) test::fail("x87 registers changed (round %u)", round);
        if (cw_after != cw) test::fail("x87 control word %x became %x (round %u)", cw, cw_after, round);
    }
}

// sum += 3 * (i % 1024), on the x87 stack the whole time, while the
// other guest runs in between.
void x87_sum()
{
    static const u32 three = 3;
    u32 term = 0;
    u64 khz = rung::boot_info->tsc_khz, start = rung::rdtsc(), last = start;
    u64 want = 0, got = 0;
    u32 seen = 0, n = 0;
    asm volatile("fninit; fldz" ::: "memory");
    while (seen < 5 && (rung::rdtsc() - start) * 1000000 / khz < 500 * MS) {
        for (u32 j = 0; j < 1000; j++, n++) {
            term = n % 1024;
            want += 3 * term;
            asm volatile("fildl %[t]; fimull %[three]; faddp" : : [t] "m"(term), [three] "m"(three) : "memory");
        }
        u64 now = rung::rdtsc();
        if (now - last > khz) {
            seen++;
            preemptions++;
        }
        last = now;
    }
    asm volatile("fistpll %0; fwait" : "=m"(got) : : "memory");
    rung::print("x87 sum of %u terms: %llu\n", n, got);
    if (got != want) test::fail("x87 sum %llu, expected %llu", got, want);
}


void sse_registers()
{
    alignas(16) u32 in[32], out[32];
    for (u32 k = 0; k < 32; k++) in[k] = (id << 24) | (k * 0x010101) | 0x80;
    // MXCSR: all exceptions masked, a rounding mode of its own (A down, B up).
    u32 mxcsr = id % 2 ? 0x5F80 : 0x3F80, mxcsr_after = 0;
    for (u32 round = 0; round < 3; round++) {
        asm volatile("ldmxcsr %[m]\n\t"
                     "movups 0(%[in]), %%xmm0; movups 16(%[in]), %%xmm1; movups 32(%[in]), %%xmm2\n\t"
                     "movups 48(%[in]), %%xmm3; movups 64(%[in]), %%xmm4; movups 80(%[in]), %%xmm5\n\t"
                     "movups 96(%[in]), %%xmm6; movups 112(%[in]), %%xmm7"
                     :
                     : [m] "m"(mxcsr), [in] "r"(in)
                     : "memory");
        wait_for_others(3, 300 * MS);
        asm volatile("stmxcsr %[m]\n\t"
                     "movups %%xmm0, 0(%[out]); movups %%xmm1, 16(%[out]); movups %%xmm2, 32(%[out])\n\t"
                     "movups %%xmm3, 48(%[out]); movups %%xmm4, 64(%[out]); movups %%xmm5, 80(%[out])\n\t"
                     "movups %%xmm6, 96(%[out]); movups %%xmm7, 112(%[out])"
                     : [m] "=m"(mxcsr_after)
                     : [out] "r"(out)
                     : "memory");
        if (__builtin_memcmp(in, out, sizeof in) != 0) test::fail("XMM registers changed (round %u)", round);
        if (mxcsr_after != mxcsr) test::fail("MXCSR %x became %x (round %u)", mxcsr, mxcsr_after, round);
    }
    static const u32 mxcsr_default = 0x1F80;
    asm volatile("ldmxcsr %0" : : "m"(mxcsr_default));
}

} // namespace

void guest_main()
{
    rung::init();
    id = rung::boot_info->guest_id + 1;
    if (!rung::boot_info->tsc_khz) {
        test::skip("no TSC: cannot tell when the other guest ran");
        test::finish();
    }
    x87_registers();
    x87_sum();
    if (rung::has_sse()) sse_registers();
    else rung::print("no SSE: XMM registers not tested\n");
    rung::print("FPU state kept across %u switches to the other guest\n", preemptions);
    test::check(preemptions >= 10, "the other guest ran in between at least 10 times");
    test::finish();
}
