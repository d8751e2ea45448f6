// guest/tests/mmu_fault.cc: page-fault semantics (guest ABI sections 5 and
// 7).  Every access the guest's tables forbid reaches the guest as #PF with
// the error code the CPU would give for those tables (P, W, U bits), the
// address in lguest_data.cr2 and the faulting instruction in the frame;
// every access they allow goes through, from ring 1 (supervisor, CR0.WP on)
// and from ring 3.  The cases: a PTE not present, a PDE not present, a
// read-only PTE, a PDE without W, a PTE without U, a PDE without U, an
// access across a page boundary (cr2 is the second page), and the
// switcher's slot (text and state page read-only, the register page
// read-write, all supervisor; nothing above them).  Ring 1 runs first, so
// ring 3 also meets shadow entries ring 1 filled (supervisor, writable).
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 BASE = 0x40000000;
constexpr u32 NOT_PRESENT = BASE;     // table present, PTE 0
constexpr u32 USER_RW = BASE + 0x1000;
constexpr u32 USER_RO = BASE + 0x2000;
constexpr u32 SUPER_RW = BASE + 0x3000;
constexpr u32 SUPER_RO = BASE + 0x4000;
constexpr u32 BEFORE_HOLE = BASE + 0x5000; // user read-write; BASE + 0x6000 not present
constexpr u32 PDE_SUPER = 0x40400000; // PDE P|W (no U), PTE P|W|U
constexpr u32 PDE_RO = 0x40800000;    // PDE P|U (no W), PTE P|W|U
constexpr u32 NO_TABLE = 0x40C00000;  // PDE not present
constexpr u32 SWITCHER_TEXT = 0xFFC00000, SWITCHER_REGS = 0xFFC02000, SWITCHER_STATE = 0xFFC03000,
              SWITCHER_END = 0xFFC04000;
constexpr u32 OFFSET = 0x124;         // cr2 must carry the offset in the page
constexpr u32 NONE = ~0u;

// The word every mapped test page holds at OFFSET before any write.
constexpr u32 content(u32 page) { return 0x5A000000 | (page >> 12); }

struct Probe {
    const char* name;
    u32 va;
    bool write;
    u32 error; // NONE: the access must go through
    u32 cr2 = 0; // when not va: an access across a page boundary faults on the second page
};

const Probe ring1_probes[] = {
    {"ring 1 read, PTE not present", NOT_PRESENT + OFFSET, false, 0},
    {"ring 1 write, PTE not present", NOT_PRESENT + OFFSET, true, 2},
    {"ring 1 read, PDE not present", NO_TABLE + OFFSET, false, 0},
    {"ring 1 write, PDE not present", NO_TABLE + OFFSET, true, 2},
    {"ring 1 read, user read-write", USER_RW + OFFSET, false, NONE},
    {"ring 1 write, user read-write", USER_RW + OFFSET, true, NONE},
    {"ring 1 read, user read-only", USER_RO + OFFSET, false, NONE},
    {"ring 1 write, user read-only", USER_RO + OFFSET, true, 3},
    {"ring 1 read, supervisor read-write", SUPER_RW + OFFSET, false, NONE},
    {"ring 1 write, supervisor read-write", SUPER_RW + OFFSET, true, NONE},
    {"ring 1 read, supervisor read-only", SUPER_RO + OFFSET, false, NONE},
    {"ring 1 write, supervisor read-only", SUPER_RO + OFFSET, true, 3},
    {"ring 1 read, PDE without U", PDE_SUPER + OFFSET, false, NONE},
    {"ring 1 write, PDE without U", PDE_SUPER + OFFSET, true, NONE},
    {"ring 1 read, PDE without W", PDE_RO + OFFSET, false, NONE},
    {"ring 1 write, PDE without W", PDE_RO + OFFSET, true, 3},
    {"ring 1 read across into a page not present", BEFORE_HOLE + 0xFFE, false, 0, BEFORE_HOLE + 0x1000},
    {"ring 1 write across into a read-only page", USER_RW + 0xFFE, true, 3, USER_RO},
    {"ring 1 write, switcher text", SWITCHER_TEXT + OFFSET, true, 3},
    {"ring 1 write, switcher state page", SWITCHER_STATE + OFFSET, true, 3},
    {"ring 1 write, switcher register page", SWITCHER_REGS + OFFSET, true, NONE},
    {"ring 1 read, past the switcher pages", SWITCHER_END + OFFSET, false, 0},
};

const Probe ring3_probes[] = {
    {"ring 3 read, PTE not present", NOT_PRESENT + OFFSET, false, 4},
    {"ring 3 write, PTE not present", NOT_PRESENT + OFFSET, true, 6},
    {"ring 3 read, PDE not present", NO_TABLE + OFFSET, false, 4},
    {"ring 3 write, PDE not present", NO_TABLE + OFFSET, true, 6},
    {"ring 3 read, user read-write", USER_RW + OFFSET + 4, false, NONE},
    {"ring 3 write, user read-write", USER_RW + OFFSET + 4, true, NONE},
    {"ring 3 read, user read-only", USER_RO + OFFSET + 4, false, NONE},
    {"ring 3 write, user read-only", USER_RO + OFFSET + 4, true, 7},
    {"ring 3 read, supervisor read-write", SUPER_RW + OFFSET, false, 5},
    {"ring 3 write, supervisor read-write", SUPER_RW + OFFSET, true, 7},
    {"ring 3 read, supervisor read-only", SUPER_RO + OFFSET, false, 5},
    {"ring 3 write, supervisor read-only", SUPER_RO + OFFSET, true, 7},
    {"ring 3 read, PDE without U", PDE_SUPER + OFFSET, false, 5},
    {"ring 3 write, PDE without U", PDE_SUPER + OFFSET, true, 7},
    {"ring 3 read, PDE without W", PDE_RO + OFFSET + 4, false, NONE},
    {"ring 3 write, PDE without W", PDE_RO + OFFSET + 4, true, 7},
    {"ring 3 read across into a page not present", BEFORE_HOLE + 0xFFE, false, 4, BEFORE_HOLE + 0x1000},
    {"ring 3 read across into a supervisor page", SUPER_RW - 2, false, 5, SUPER_RW},
    {"ring 3 read, switcher text", SWITCHER_TEXT + OFFSET, false, 5},
    {"ring 3 read, switcher register page", SWITCHER_REGS + OFFSET, false, 5},
    {"ring 3 read, past the switcher pages", SWITCHER_END + OFFSET, false, 4},
};
constexpr u32 RING3_COUNT = sizeof ring3_probes / sizeof ring3_probes[0];

Access ring3_results[RING3_COUNT];
alignas(4096) u8 user_stack[8192];

constexpr u32 written(u32 i) { return 0xAB000000 | i; }

// What the test page's word holds now, read through the identity map (0
// where nothing is mapped, and for the switcher's pages: not ours to read
// this way).
u32 word_now(u32 va)
{
    u32 gpa = va >= SWITCHER_TEXT ? NONE : translate(boot_directory(), va);
    return gpa == NONE ? 0 : *at(gpa);
}

// The fault (or none) against the probe's expectation.
bool check(const Probe& p, const Access& a, u32 ring)
{
    if (p.error == NONE) {
        if (a.faulted) test::fail("%s: faulted (error %x cr2 %x), the tables allow it", p.name, a.error, a.cr2);
        return !a.faulted;
    }
    if (!a.faulted) {
        test::fail("%s: no fault, expected #PF error %x", p.name, p.error);
        return false;
    }
    u32 cr2 = p.cr2 ? p.cr2 : p.va;
    bool ok = a.error == p.error && a.cr2 == cr2 && a.eip == a.at && (a.cs & 3) == ring;
    if (!ok)
        test::fail("%s: error %x cr2 %x eip %x cs %x; expected error %x cr2 %x eip %x ring %u", p.name, a.error,
                   a.cr2, a.eip, a.cs, p.error, cr2, a.at, ring);
    return ok;
}

void report(const Probe& p, const Access& a, u32 ring, u32 i, u32 before)
{
    if (a.faulted)
        rung::print("%s: #PF error %x cr2 %x\n", p.name, a.error, a.cr2);
    else
        rung::print("%s: no fault\n", p.name);
    if (!check(p, a, ring)) return;
    if (p.error == NONE) {
        if (!p.write && a.value != before) {
            test::fail("%s: read %x, the page holds %x", p.name, a.value, before);
        } else if (p.write && word_now(p.va) != written(i)) {
            test::fail("%s: the write did not reach the page (%x)", p.name, word_now(p.va));
        }
        return;
    }
    if (p.write && !p.cr2 && word_now(p.va) != before)
        test::fail("%s: the faulting write changed the page (%x, was %x)", p.name, word_now(p.va), before);
}

[[noreturn]] void after_user();

void user_main()
{
    for (u32 i = 0; i < RING3_COUNT; i++) {
        const Probe& p = ring3_probes[i];
        ring3_results[i] = p.write ? write(p.va, written(100 + i)) : read(p.va);
    }
    asm volatile("int $0x80" ::: "memory");
    for (;;) {
    }
}

void on_syscall(rung::GuestFrame& f)
{
    // Back to ring 1, on the SET_STACK stack: after_user() never returns.
    f.eip = reinterpret_cast<u32>(after_user);
    f.cs = 0x61;
}

u32 ring3_before[RING3_COUNT];

void after_user()
{
    for (u32 i = 0; i < RING3_COUNT; i++) report(ring3_probes[i], ring3_results[i], 3, 100 + i, ring3_before[i]);
    test::finish();
}

void map_page(u32 va, u32 pte_flags)
{
    u32 frame = alloc_frame();
    fill(frame, content(va) - OFFSET / 4); // content(va) at OFFSET, then content(va) + 1...
    map(boot_directory(), va, frame, pte_flags);
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    catch_page_faults();
    rung::set_trap_handler(0x80, on_syscall, rung::TRAP_GATE, 3);

    u32 dir = boot_directory();
    table(dir, BASE, P | W | U);
    map_page(USER_RW, P | W | U);
    map_page(USER_RO, P | U);
    map_page(SUPER_RW, P | W);
    map_page(SUPER_RO, P);
    map_page(BEFORE_HOLE, P | W | U);
    table(dir, PDE_SUPER, P | W);
    map_page(PDE_SUPER, P | W | U);
    table(dir, PDE_RO, P | U);
    map_page(PDE_RO, P | W | U);

    // A fault the host fixes (the first touch of a mapped page) is not the
    // guest's: cr2 is left alone.
    rung::lguest_data.cr2 = 0xC0FFEE00;
    Access first = read(USER_RW + OFFSET + 8);
    test::check(!first.faulted && first.value == content(USER_RW) + 2, "first touch of a mapped page reads it");
    test::check(rung::lguest_data.cr2 == 0xC0FFEE00, "a fault the host fixes leaves cr2 alone");

    u32 i = 0;
    for (const Probe& p : ring1_probes) {
        u32 before = word_now(p.va);
        if (p.va >= SWITCHER_TEXT && p.write) {
            // Write back what is there, so even a wrong success harms nothing.
            Access r = read(p.va);
            Access w = write(p.va, r.value);
            if (w.faulted) rung::print("%s: #PF error %x cr2 %x\n", p.name, w.error, w.cr2);
            else rung::print("%s: no fault\n", p.name);
            check(p, w, 1);
        } else {
            report(p, p.write ? write(p.va, written(i)) : read(p.va), 1, i, before);
            if (p.write && p.error == NONE) *at(translate(dir, p.va)) = before; // as it was, for ring 3
        }
        i++;
    }

    // Ring 3 may run the image (code, data, its stack); nothing else changes.
    extern char image_end[];
    rung::make_user(0x100000, reinterpret_cast<u32>(image_end) - 0x100000);
    for (u32 j = 0; j < RING3_COUNT; j++) {
        u32 va = ring3_probes[j].va;
        ring3_before[j] = va >= SWITCHER_TEXT ? 0 : word_now(va);
    }
    rung::enter_user(user_main, reinterpret_cast<u32>(user_stack) + sizeof user_stack);
    test::fail("came back from ring 3");
    test::finish();
}
