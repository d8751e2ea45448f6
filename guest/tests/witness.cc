// guest/tests/witness.cc: the bystander of the hostile tests.  It fills all
// of its free memory (boot_info->free_start .. mem_bytes) with a pattern of
// its own (from its name and each word's address), then re-checks every word
// in passes, spinning between passes so the host preempts it while the
// attackers next to it run.  Its verdict is SUCCESS only if no word, and no
// register it held across a spin, ever changed; a FAILURE names the address.
//
// Passes: 12 by default, NAME_nN for N, NAME_tN until N seconds after boot
// (see knobs.h).  Also its own code and read-only data are checksummed once
// and re-checked with each pass.  A witness named selfcheck... changes one
// word itself after its first pass, to show that a change is caught
// (tests/boot/witness_selfcheck.case).
#include "knobs.h"
#include "test.h"
#include "lib/string.h"

extern "C" char guest_offset[], init_array_end[]; // guest/lib/guest.ld

namespace {

constexpr u32 DEFAULT_PASSES = 12;
constexpr u32 SPIN_MS = 40;            // between passes
constexpr u32 SPIN_FALLBACK = 2000000; // iterations, without a TSC
constexpr u32 MAX_REPORTS = 8;

u32 seed;
u32 bad_words = 0;

inline u32 pattern(u32 address)
{
    u32 x = seed ^ (address * 0x9E3779B1u);
    x ^= x >> 15;
    x *= 0x2C1B3C6Du;
    return x ^ (x >> 12) ^ address;
}

// A checksum of bytes that must never change.
u32 checksum(const u8* from, const u8* to)
{
    u32 sum = 0;
    for (const u8* p = from; p < to; p++) sum = (sum << 5 | sum >> 27) ^ *p;
    return sum;
}

// The words of free memory, as identity-mapped addresses.
u32* first_word() { return reinterpret_cast<u32*>(rung::boot_info->free_start + reinterpret_cast<u32>(guest_offset)); }
u32* end_word() { return reinterpret_cast<u32*>(rung::boot_info->mem_bytes + reinterpret_cast<u32>(guest_offset)); }

void fill()
{
    for (u32* p = first_word(); p < end_word(); p++) *p = pattern(reinterpret_cast<u32>(p));
}

// One pass: every word checked (and a changed one reported, then rewritten so
// that one corruption is reported once).
u32 check_pass(u32 pass)
{
    u32 bad = 0;
    for (volatile u32* p = first_word(); p < end_word(); p++) {
        u32 want = pattern(reinterpret_cast<u32>(p));
        u32 got = *p;
        if (got == want) continue;
        bad++;
        bad_words++;
        if (bad_words <= MAX_REPORTS)
            test::fail("pass %u: word at %x changed: %x, expected %x", pass, reinterpret_cast<u32>(p), got, want);
        *p = want;
    }
    return bad;
}

// Holds values in all six free general registers across a spin: a world
// switch that lost one would show here.
bool registers_survive(u32 ms)
{
    u32 a = seed, b = ~seed, c = seed * 3, d = seed ^ 0x5A5A5A5A, s = seed + 77, di = seed >> 3;
    u32 ra = a, rb = b, rc = c, rd = d, rs = s, rdi = di;
    asm volatile("" : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s), "+D"(di));
    knobs::spin_ms(ms, SPIN_FALLBACK);
    asm volatile("" : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s), "+D"(di));
    return a == ra && b == rb && c == rc && d == rd && s == rs && di == rdi;
}

u32 code_end;

} // namespace

void guest_main()
{
    rung::init();
    const BootInfo& info = *rung::boot_info;
    knobs::Knobs k = knobs::from_name(DEFAULT_PASSES);
    seed = knobs::hash(rung::name()) ^ 0x57175E55u;
    // The image's code and read-only data: 1 MiB up to the end of
    // .init_array, which guest.ld places after .text and .rodata.
    code_end = reinterpret_cast<u32>(init_array_end);
    const u8* code = reinterpret_cast<const u8*>(0x100000 + reinterpret_cast<u32>(guest_offset));
    u32 code_sum = checksum(code, reinterpret_cast<const u8*>(code_end));

    u32 words = (info.mem_bytes - info.free_start) / 4;
    if (k.rounds)
        rung::print("witness %s: %u words of free memory from %x, %u passes\n", rung::name(), words,
                    info.free_start, k.rounds);
    else
        rung::print("witness %s: %u words of free memory from %x, passes until %u s after boot\n",
                    rung::name(), words, info.free_start, k.seconds);
    test::check(info.boot_count == 0, "the witness was never restarted");
    fill();

    u32 pass = 0;
    while (!knobs::done(k, pass)) {
        pass++;
        bool registers = registers_survive(SPIN_MS);
        if (pass == 2 && memcmp(rung::name(), "selfcheck", 9) == 0) first_word()[0x1234] ^= 0x00100000;
        u32 bad = check_pass(pass);
        bool code_ok = checksum(code, reinterpret_cast<const u8*>(code_end)) == code_sum;
        rung::print("pass %u: %u words checked, %u changed, code %s, registers %s\n", pass, words, bad,
                    code_ok ? "intact" : "CHANGED", registers ? "intact" : "CHANGED");
        if (!code_ok) {
            test::fail("pass %u: code or read-only data between %x and %x changed", pass, 0x100000, code_end);
            code_sum = checksum(code, reinterpret_cast<const u8*>(code_end));
        }
        if (!registers) test::fail("pass %u: a register changed across a spin", pass);
    }
    rung::print("witness %s: %u passes, %u words changed\n", rung::name(), pass, bad_words);
    test::finish();
}
