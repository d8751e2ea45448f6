// kernel/selftest.cc
#include "selftest.h"
#include "arch/trap.h"
#include "console/log.h"

namespace selftest {
namespace {

// The address the page-fault check reads: directory slot 1022 is never mapped.
constexpr u32 UNMAPPED = 0xFF800123;

bool check(const char* what, u32 vector, u32 error, u32 cr2, bool check_cr2)
{
    const trap::Expected& e = trap::expected;
    bool ok = e.caught && e.vector == vector && e.error == error && (!check_cr2 || e.cr2 == cr2);
    console::print("rung: selftest: %s: %s (vector %u, error %x, eip %08x, cr2 %08x)\n", what,
                   ok ? "caught" : "WRONG", e.vector, e.error, e.eip, e.cr2);
    trap::expected = {};
    return ok;
}

} // namespace

bool run()
{
    bool ok = true;

    trap::expected = {};
    trap::expected.armed = true;
    asm volatile("movl $1f, %0\n\t"
                 "xorl %%ecx, %%ecx\n\t"
                 "divl %%ecx\n"
                 "1:"
                 : "=m"(trap::expected.resume)
                 : "a"(1), "d"(0)
                 : "ecx", "memory");
    ok &= check("divide error", 0, 0, 0, false);

    trap::expected.armed = true;
    asm volatile("movl $1f, %0\n\t"
                 "int3\n"
                 "1:"
                 : "=m"(trap::expected.resume)::"memory");
    ok &= check("breakpoint", 3, 0, 0, false);

    trap::expected.armed = true;
    u32 sink;
    asm volatile("movl $1f, %0\n\t"
                 "movl (%2), %1\n"
                 "1:"
                 : "=m"(trap::expected.resume), "=r"(sink)
                 : "r"(UNMAPPED)
                 : "memory");
    (void)sink;
    ok &= check("page fault", 14, 0, UNMAPPED, true); // read, supervisor, not present

    console::print("rung: selftest: %s\n", ok ? "passed" : "FAILED");
    return ok;
}

} // namespace selftest
