// guest/tests/fuzzer.cc: a hypercall fuzzer.  Run it with on_kill=restart.
//
// Each life is seeded with a fixed base (from the guest's name) plus
// boot_count, and printed ("fuzzer seed S life L"), so a life can be replayed.
// Most lives make LGUEST_INIT and set up trap handlers; one in eight does
// not.  Three in four of those with INIT first make 1000-10000 quiet calls:
// random calls the host must accept (no call that always kills, no HALT; of
// the edge values only those the ABI allows, such as the last page before
// the switcher, a ring-1 stack right at a page boundary or an empty write at
// the last byte of memory), all but one in 32 queued on the asynchronous
// ring and flushed nearly 64 at a time, with the guest's own doings below
// now and then; one in 2048 is an ordinary call, so a life may end there too.  They make most of the calls
// at a small part of a world switch each, where lives killed every few calls
// spent their time being reloaded.  One in three lives with INIT is gentle:
// edge values 16 times rarer and no call that always kills, so the life
// lasts and builds state.  Then 20-120 random hypercalls: call numbers
// mostly the ABI's (0-19 and 64; a few invalid ones and random 32-bit
// numbers), arguments mostly plausible (pages of the guest's own free
// memory, its own page directories, real gate and descriptor words) and
// otherwise "interesting"
// (0, mem-1, mem, mem+1, 0xFFFFFFFF, 0xFFC00000, powers of two, anything),
// made directly or queued on the asynchronous ring and flushed by
// FLUSH_ASYNC or by a later call.  Between calls, the guest also does what a
// guest kernel does to its own state: edits PTEs and PDEs of 20 more page
// directories, touches memory (faults resume through a fixup), uses the FPU
// after TS, toggles its interrupt flag, loads %fs/%gs with selectors of the
// entries it set, makes int $0x80, makes short trips to ring 3 (which end in
// a trap of some kind: system call, #GP, #PF, #UD, #DE, #NM), scribbles over
// the host-read fields of lguest_data, and rarely breaks the ring itself.
//
// A life ends when the host kills it (expected, and restarted), by SHUTDOWN
// restart from a random call, or after its planned calls ("life L: Q quiet
// calls and C others, not killed").  With SHUTDOWN, reason 1 (poweroff) is
// only ever made with a bad message address: a random clean poweroff would
// end the fuzzer early.
//
// Lives: 20 by default, NAME_nN for N, NAME_tN until N seconds after boot
// (knobs.h).  To replay a life, put its seed in the name as _sXXXXXXXX (8 hex
// digits): the first life then has that seed (e.g. name=r_s5eedcffe_n2).  The last life makes no calls: it prints "fuzzer done: L lives,
// C calls planned" and powers off.  (Guest memory is wiped at each restart,
// so no life can know how many calls the killed ones made: C is the sum of
// the lives' plans, recomputed from their seeds; the host's stats lines
// count the calls made, by int and from the ring.  The calls made are in the
// trace: with a lives count, every call first queues one trace letter to the
// console, a-t for calls 0-19, w for 64, ? for any other, upper case when
// queued on the ring, so the console holds the exact sequence up to the
// call that killed; a digit stands for one of the guest's own actions
// between calls (act() below).  Soak lives (NAME_tN) trace nothing.)
#include "knobs.h"
#include "test.h"
#include "traps.h"
#include "arch/selectors.h"
#include "lib/string.h"

extern "C" char image_end[];

namespace {

constexpr u32 DEFAULT_LIVES = 20;
constexpr u32 MIN_CALLS = 20, MAX_CALLS = 120;
// The quiet calls a life with LGUEST_INIT makes before those (none in one
// life in QUIET_NONE), and how often one of them is an ordinary call instead.
constexpr u32 MIN_QUIET = 1000, MAX_QUIET = 10000, QUIET_NONE = 4, QUIET_CHAOS = 2048;
constexpr u32 SEED_BASE = 0x5EED0000;
constexpr u32 PAGE = 4096;
constexpr u32 STUBS = 48; // vectors with a handler of ours (and 0x80)

knobs::Random rng(1);
u32 mem, free_start;
bool initialized, ring_ok, trace, traps_ready;
bool gentle; // a life of mostly valid calls, to build up state: one in three
bool quiet;  // making quiet calls (quiet_calls below): no edge values but valid ones
u32 queued;          // ring slots we filled since the last drain
volatile u32 fix_eip; // where a fault in a probe resumes
volatile u32 faults, ticks, syscalls, storm, user_trips, user_traps;
u32 saved_esp, saved_ebp; // the kernel's stack while ring 3 runs
alignas(PAGE) u8 user_stack[PAGE];
alignas(PAGE) u8 ring1_stack[3 * PAGE]; // quiet SET_STACKs: 2 pages below any ESP they name

// More page directories: copies of the boot one, but with t2 for 0-4 MiB.
// More of them than the host caches shadows for (16).
constexpr u32 DIRECTORIES = 20;
alignas(PAGE) u32 pds[DIRECTORIES][1024];
alignas(PAGE) u32 t2[1024];  // a copy of the boot page table for 0-4 MiB
alignas(8) u32 tls[6];       // three descriptors for LOAD_TLS
char text[128];              // a console line of our own

const char TRACE_DIRECT[] = "abcdefghijklmnopqrstw?";
const char TRACE_QUEUED[] = "ABCDEFGHIJKLMNOPQRSTW!";
const char TRACE_ACTIONS[] = "0123456789";
const char RESTART_MESSAGE[] = "fuzz restart";

u32 boot_pd() { return rung::boot_info->pgdir; }

// The seed of a replay (_sXXXXXXXX in the name), or 0.
u32 replay_seed()
{
    for (const char* p = rung::name(); *p; p++) {
        if (p[0] != '_' || p[1] != 's') continue;
        u32 seed = 0, digits = 0;
        for (const char* q = p + 2; digits < 8; q++, digits++) {
            u32 v = *q >= '0' && *q <= '9' ? *q - '0' : *q >= 'a' && *q <= 'f' ? *q - 'a' + 10 : 16;
            if (v == 16) break;
            seed = seed << 4 | v;
        }
        if (digits == 8) return seed;
    }
    return 0;
}

// ---- values -----------------------------------------------------------------
// A page of memory no part of us lives in: below the image (0-1 MiB) or
// above the boot tables (free_start up to the end).
u32 junk_page()
{
    u32 low = 0x100000 / PAGE, high = (mem - free_start) / PAGE;
    u32 n = rng.below(low + high);
    return n < low ? n * PAGE : free_start + (n - low) * PAGE;
}
u32 junk_address() { return junk_page() + (rng.one_in(2) ? 0 : rng.below(PAGE)); }

u32 interesting()
{
    switch (rng.below(14)) {
    case 0: return 0;
    case 1: return rng.below(64);
    case 2: return mem - 1;
    case 3: return mem;
    case 4: return mem + 1;
    case 5: return 0xFFFFFFFF;
    case 6: return 0xFFC00000 + rng.below(8) * PAGE;
    case 7: return 1u << rng.below(32);
    case 8: return mem - 4 * rng.below(1024);
    case 9: return 0x80000000;
    case 10: return 0xC0000000 + junk_page();
    case 11: return mem + rng.below(16) * PAGE;
    default: return rng.next();
    }
}
// An edge case, one time in n (in a gentle life, one in 16 n; never in a
// quiet call, whose odd values are only those the ABI allows).
bool edge(u32 n) { return !quiet && rng.one_in(gentle ? 16 * n : n); }

// Mostly plausible, sometimes interesting.
u32 gpa() { return edge(20) ? interesting() : junk_address(); }

u32 directory()
{
    if (edge(4)) return rng.one_in(3) ? interesting() : junk_page();
    return rng.one_in(3) ? boot_pd() : rung::address_of(pds[rng.below(DIRECTORIES)]);
}

// Which of our directories `gpa` is, or -1.
int our_directory(u32 gpa)
{
    u32 first = rung::address_of(pds[0]);
    if (gpa < first || gpa >= first + sizeof pds || gpa % PAGE) return -1;
    return static_cast<int>((gpa - first) / PAGE);
}

// A virtual address worth naming: junk pages, above the image's 4 MiB,
// the switcher, a kernel-looking address, anything.
u32 virtual_address()
{
    if (edge(8)) return rng.one_in(2) ? 0xFFC00000 + rng.below(1024) * PAGE : rng.next() & ~0xFFFu;
    switch (rng.below(16)) {
    case 2: case 3: case 4: return 0x400000 + rng.below((0xFFC00000 - 0x400000) / PAGE) * PAGE;
    case 5: case 6: return 0xC0000000 + junk_page();
    default: return junk_page();
    }
}

// A PTE or PDE: a frame of our memory with random bits, a frame past it,
// a 4 MiB page, zero or anything.
u32 table_entry()
{
    u32 flags = rng.next() & 0x7F; // P W U PWT PCD A D
    if (edge(7)) {
        switch (rng.below(3)) {
        case 0: return (mem + rng.below(64) * PAGE) | flags | 1;
        case 1: return junk_page() | 0x80 | flags | 1; // PS
        default: return rng.next();
        }
    }
    switch (rng.below(20)) {
    case 3: case 4: case 5: return 0;
    case 6: case 7: case 8: return junk_page() | flags;
    default: return junk_page() | flags | 1;
    }
}

// Descriptor words: code, data, system types; any DPL; present or not;
// random base and limit, or flat.
void descriptor(u32& low, u32& high)
{
    if (edge(5)) {
        low = rng.next();
        high = rng.next();
        return;
    }
    u32 base = rng.one_in(2) ? 0 : rng.next();
    u32 limit = rng.one_in(2) ? 0xFFFFF : rng.below(0x100000);
    u32 type = rng.one_in(4) ? rng.below(16) : (rng.one_in(2) ? 0xA : 0x2); // code RX, data RW
    u32 s = rng.one_in(5) ? 0 : 1;                                          // 0: system
    u32 dpl = rng.below(4), present = rng.one_in(6) ? 0 : 1;
    u32 gran = rng.one_in(4) ? 0 : 1, db = rng.one_in(4) ? 0 : 1;
    low = (base << 16) | (limit & 0xFFFF);
    high = (base & 0xFF000000) | ((base >> 16) & 0xFF) | (type << 8) | (s << 12) | (dpl << 13) |
           (present << 15) | (limit & 0xF0000) | (db << 22) | (gran << 23);
}

u32 gdt_index()
{
    static const u8 special[] = {0, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 30, 31};
    u32 index;
    do {
        switch (rng.below(4)) {
        case 0: index = special[rng.below(sizeof special)]; break;
        case 1: index = edge(8) ? (rng.one_in(4) ? interesting() : 32 + rng.below(8)) : rng.below(32); break;
        default: index = rng.below(32); break;
        }
    } while ((gentle || quiet) && index >= 12 && index <= 15); // our own code, data and user segments stay
    return index;
}

u32 selector()
{
    static const u16 usual[] = {0, SEL_GUEST_CODE, SEL_GUEST_DATA, SEL_USER_CODE, SEL_USER_DATA, 6 * 8 + 3,
                                7 * 8 + 3, 8 * 8 + 3, 6 * 8 + 1, 13 * 8};
    if (rng.one_in(8)) return rng.next() & 0xFFFF;
    if (rng.one_in(3)) return gdt_index() % 32 * 8 + rng.below(4);
    return usual[rng.below(sizeof usual / sizeof usual[0])];
}

// ---- calls ------------------------------------------------------------------
struct Call {
    u32 number, a1, a2, a3, a4;
};

// Relative weights of the call numbers (index = number, 20 = CONSOLE_WRITE,
// 21 = a random 32-bit number).  SHUTDOWN, SET_PMD and the invalid numbers
// end a life at once, so they are rare.
constexpr u16 WEIGHTS[22] = {
    60,  // 0 FLUSH_ASYNC
    2,   // 1 LGUEST_INIT (a second one kills; more often in lives without one)
    6,   // 2 SHUTDOWN
    1,   // 3 (invalid)
    40,  // 4 NEW_PGTABLE
    50,  // 5 FLUSH_TLB
    80,  // 6 LOAD_IDT_ENTRY
    40,  // 7 SET_STACK
    50,  // 8 TS
    80,  // 9 SET_CLOCKEVENT
    30,  // 10 HALT
    1,   // 11 (invalid)
    1,   // 12 (invalid)
    1,   // 13 SET_PMD
    100, // 14 SET_PTE
    60,  // 15 SET_PGD
    50,  // 16 LOAD_TLS
    1,   // 17 (invalid)
    80,  // 18 LOAD_GDT_ENTRY
    40,  // 19 SEND_INTERRUPTS
    80,  // 64 CONSOLE_WRITE
    2,   // anything
};

// The weights of quiet calls: none that always kills, no HALT (it waits),
// CONSOLE_WRITE only of 0 bytes, and fewer shadow switches and TLB flushes
// (the dearest: the guest faults its pages back in after each).
constexpr u16 QUIET_WEIGHTS[22] = {20, 0, 0, 0, 4, 10, 80, 30, 50, 60, 0, 0, 0, 0, 100, 60, 40, 0, 80, 30, 5, 0};

u32 pick_number()
{
    // A gentle life makes none of the calls that always end a life.
    auto weight = [](u32 i) -> u32 {
        bool ender = i == 1 || i == 2 || i == 3 || i == 11 || i == 12 || i == 13 || i == 17 || i == 21;
        return quiet ? QUIET_WEIGHTS[i] : gentle && ender ? 0 : WEIGHTS[i];
    };
    u32 total = 0;
    for (u32 i = 0; i < 22; i++) total += weight(i);
    if (!initialized) total += 60; // a life without INIT tries one now and then
    u32 r = rng.below(total);
    for (u32 i = 0; i < 22; i++) {
        if (r < weight(i)) return i < 20 ? i : i == 20 ? hcall::CONSOLE_WRITE : rng.next();
        r -= weight(i);
    }
    return hcall::LGUEST_INIT;
}

u32 clock_ns()
{
    switch (rng.below(8)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return 1000 + rng.below(100000);
    case 3: case 4: return 1000000 + rng.below(5000000);
    case 5: return rng.below(1000);
    case 6: return rng.one_in(8) ? interesting() : 20000000;
    default: return 100000;
    }
}

void make(const Call& c);

Call make_call()
{
    Call c{pick_number(), 0, 0, 0, rng.next()};
    switch (c.number) {
    case hcall::LGUEST_INIT:
        c.a1 = !initialized && rng.one_in(2) ? rung::address_of(&rung::lguest_data) : gpa();
        break;
    case hcall::SHUTDOWN:
        c.a1 = rng.one_in(2) ? rung::address_of(RESTART_MESSAGE) : gpa();
        c.a2 = edge(3) ? interesting() : hcall::SHUTDOWN_RESTART;
        if (c.a2 == hcall::SHUTDOWN_POWEROFF && c.a1 < mem) c.a2 = hcall::SHUTDOWN_RESTART;
        break;
    case hcall::NEW_PGTABLE:
        c.a1 = edge(12) ? directory() + 4 * rng.below(1024) : directory();
        break;
    case hcall::FLUSH_TLB:
        c.a1 = rng.one_in(3) ? rng.next() : rng.below(2);
        break;
    case hcall::LOAD_IDT_ENTRY: {
        u32 vector = rng.one_in(2) ? rng.below(48) : edge(4) ? interesting() : rng.below(256);
        if (rng.one_in(3)) vector = rng.one_in(2) ? 0x80 : 32;
        u32 type = edge(10) ? rng.below(16) : rng.one_in(2) ? rung::INTERRUPT_GATE : rung::TRAP_GATE;
        c.a1 = vector;
        // Our stub's words, or two random ones (never one of each: a gate
        // into the middle of our own code could run anything).
        // Vectors past 47 get the stub of one of 32-47 (a handler without an
        // error code).  Without our handlers (a life without INIT that made
        // one by chance), only random words: a stub would find no handler,
        // and the runtime powers off on that.
        bool random = edge(8) || !traps_ready;
        u32 stub = vector < STUBS || vector == 0x80 ? vector : 32 + vector % 16;
        c.a2 = random ? rng.next() : rung::gate_low(stub);
        // A quiet call leaves absent only gates that nothing raises.
        bool present = !rng.one_in(6) || (quiet && (vector < STUBS || vector == 0x80));
        c.a3 = random ? rng.next() : rung::gate_high(stub, type, rng.below(4), present);
        break;
    }
    case hcall::SET_STACK:
        c.a1 = edge(10) ? selector() : SEL_GUEST_DATA;
        c.a2 = gpa();
        c.a3 = edge(16) ? interesting() : 1 + rng.below(2);
        if (quiet) // ours, with both pages below it, and often right on a page boundary
            c.a2 = reinterpret_cast<u32>(ring1_stack) + 2 * PAGE + (rng.one_in(2) ? 0 : 4 * rng.below(PAGE / 4 + 1));
        break;
    case hcall::TS:
        c.a1 = edge(20) ? interesting() : rng.below(2);
        break;
    case hcall::HALT: // a kernel arms its timer and enables interrupts first
        if (!edge(8)) {
            rung::lguest_data.irq_enabled = IRQ_ENABLED;
            make(Call{hcall::SET_CLOCKEVENT, 1000000 + rng.below(2000000), 0, 0, 0});
        }
        break;
    case hcall::SET_CLOCKEVENT:
        c.a1 = clock_ns();
        break;
    case hcall::SET_PTE: {
        c.a1 = directory();
        c.a2 = virtual_address();
        c.a3 = table_entry();
        if (quiet && rng.one_in(8)) { // the edges the ABI allows
            static const u32 addresses[] = {0, 0x003FF000, 0xBFFFF000, 0xFFBFF000, 0xFFBFFFFF};
            c.a2 = addresses[rng.below(5)];
            c.a3 = rng.one_in(2) ? (mem - PAGE) | (rng.next() & 0x7F) | 1 : rng.next() & ~1u; // absent: any bits
        }
        // Most of the time the guest changed that entry first, as a kernel does.
        if (our_directory(c.a1) >= 0 && c.a2 < 0x400000 && !rng.one_in(4)) {
            u32 index = c.a2 >> 12;
            bool ours = c.a2 >= 0x100000 && c.a2 < free_start;
            if (!ours || (!quiet && rng.one_in(64))) t2[index] = c.a3;
        }
        break;
    }
    case hcall::SET_PGD: {
        c.a1 = directory();
        c.a2 = edge(12) ? interesting() : 1 + rng.below(quiet ? 1022 : 1023); // 1023: the switcher's
        if (our_directory(c.a1) >= 0 && c.a2 >= 1 && c.a2 < 1024 && !rng.one_in(4))
            pds[our_directory(c.a1)][c.a2] = table_entry();
        break;
    }
    case hcall::LOAD_TLS:
        for (u32 i = 0; i < 3; i++) descriptor(tls[2 * i], tls[2 * i + 1]);
        c.a1 = rng.one_in(3) ? gpa() : rung::address_of(tls);
        break;
    case hcall::LOAD_GDT_ENTRY:
        c.a1 = gdt_index();
        descriptor(c.a2, c.a3);
        // Our own code and stack segments keep base 0, 4 GiB and 32 bits
        // (type, S, DPL and P stay random): with a 16-bit CS the CPU runs on
        // with a 16-bit IP through zeroed memory, a loop that never traps,
        // and a moved SS puts trap frames anywhere, our code included.  The
        // host rightly lets a guest do that to itself (seen), but the fuzzer
        // would hang there for good.
        if (c.a1 == 12 || c.a1 == 13) {
            c.a2 = 0x0000FFFF;
            c.a3 = (c.a3 & 0x0000FF00) | 0x00CF0000;
        }
        break;
    case hcall::CONSOLE_WRITE:
        if (quiet) { // nothing to print, so no console line: anywhere to the last byte (an empty range still starts inside)
            c.a1 = rng.one_in(4) ? mem - 1 : gpa();
            c.a2 = 0;
        } else if (rng.one_in(2)) {
            usize n = snformat(text, sizeof text, "fuzz text %x\n", rng.next());
            c.a1 = rung::address_of(text);
            c.a2 = static_cast<u32>(n);
        } else {
            c.a1 = gpa();
            c.a2 = edge(20) ? interesting() % 8192 : rng.below(100);
        }
        break;
    default: // FLUSH_ASYNC, HALT, SEND_INTERRUPTS, SET_PMD, the invalid ones
        c.a1 = rng.one_in(2) ? 0 : interesting();
        c.a2 = rng.one_in(2) ? 0 : interesting();
        c.a3 = rng.one_in(2) ? 0 : interesting();
        break;
    }
    return c;
}

u32 trace_index(u32 number)
{
    if (number < 20) return number;
    return number == hcall::CONSOLE_WRITE ? 20 : 21;
}

// One trace letter on the console before the call it names.  Through the
// ring when ours is in step with the host's, so it costs no world switch;
// otherwise directly (allowed even before LGUEST_INIT).
void trace_char(const char* letter)
{
    if (ring_ok) {
        rung::queue_async(hcall::CONSOLE_WRITE, rung::address_of(letter), 1);
        queued++;
    } else {
        rung::hypercall(hcall::CONSOLE_WRITE, rung::address_of(letter), 1);
    }
}

void trace_call(u32 number, bool queue)
{
    if (trace) trace_char((queue ? TRACE_QUEUED : TRACE_DIRECT) + trace_index(number));
}

void drain()
{
    trace_call(hcall::FLUSH_ASYNC, false);
    rung::hypercall(hcall::FLUSH_ASYNC);
    queued = 0;
}

void make(const Call& c)
{
    // Quiet calls go nearly all on the ring, flushed when it is nearly full
    // (an act() and trace letters may take a few more slots before the next
    // check) or now and then; so each costs a small part of a world switch.
    bool queue = initialized && ring_ok && c.number != hcall::LGUEST_INIT && (quiet ? !rng.one_in(32) : rng.one_in(4));
    trace_call(c.number, queue);
    if (queue) {
        rung::queue_async(c.number, c.a1, c.a2, c.a3, c.a4);
        queued++;
        // The draw first, always: trace letters fill the ring faster, and
        // a traced replay must draw the same numbers as the life it replays.
        bool now = rng.one_in(quiet ? 128 : 6);
        if (now || queued > (quiet ? ASYNC_SLOTS - 8 : 40)) drain();
        return;
    }
    rung::hypercall(c.number, c.a1, c.a2, c.a3, c.a4);
    queued = 0;
    if (c.number == hcall::LGUEST_INIT && !initialized) {
        // Survived: our block if it was ours; the ring's slots are now free.
        initialized = true;
        ring_ok = c.a1 == rung::address_of(&rung::lguest_data);
    }
}

// ---- the guest's own doings -------------------------------------------------
// A read or write at `address`; a fault resumes after it.
void probe(u32 address, bool write, u32 value)
{
    if (write)
        asm volatile("movl $1f, %[fix]\n\t"
                     "movl %[v], (%[a])\n"
                     "1:\tmovl $0, %[fix]"
                     : [fix] "=m"(fix_eip)
                     : [a] "r"(address), [v] "r"(value)
                     : "memory");
    else
        asm volatile("movl $1f, %[fix]\n\t"
                     "movl (%[a]), %[v]\n"
                     "1:\tmovl $0, %[fix]"
                     : [fix] "=m"(fix_eip), [v] "+r"(value)
                     : [a] "r"(address)
                     : "memory");
}

void load_segment(u32 sel)
{
    if (rng.one_in(2))
        asm volatile("movl $1f, %[fix]\n\t"
                     "movw %w[s], %%fs\n"
                     "1:\tmovl $0, %[fix]"
                     : [fix] "=m"(fix_eip)
                     : [s] "r"(sel)
                     : "memory");
    else
        asm volatile("movl $1f, %[fix]\n\t"
                     "movw %w[s], %%gs\n"
                     "1:\tmovl $0, %[fix]"
                     : [fix] "=m"(fix_eip)
                     : [s] "r"(sel)
                     : "memory");
}

void use_fpu()
{
    u32 x = rng.next();
    asm volatile("movl $1f, %[fix]\n\t"
                 "fildl %[x]\n\t"
                 "fld1\n\t"
                 "faddp\n\t"
                 "fistpl %[x]\n"
                 "1:\tmovl $0, %[fix]"
                 : [fix] "=m"(fix_eip), [x] "+m"(x)
                 :
                 : "memory");
}

void scribble()
{
    LguestData& d = rung::lguest_data;
    switch (rng.below(7)) {
    case 0: {
        static const u32 addresses[] = {0, 0xC0000000, 0x80000000, 0x400000, 0xFFC00000};
        d.kernel_address = rng.one_in(3) ? rng.next() : addresses[rng.below(5)];
        break;
    }
    case 1: {
        static const u32 vectors[] = {0, 0x80, 32, 0x1F, 2, 8, 14, 13, 7, 255, 256};
        d.syscall_vec = rng.one_in(3) ? rng.next() : vectors[rng.below(11)];
        break;
    }
    case 2: d.noirq_iret = rng.one_in(2) ? interesting() : junk_address(); break;
    case 3: d.blocked_interrupts = rng.one_in(2) ? 0 : rng.next(); break;
    case 4: d.irq_pending = rng.one_in(2) ? IRQ_ENABLED : rng.next(); break;
    case 5: d.irq_enabled = rng.one_in(2) ? IRQ_ENABLED : rng.next(); break;
    default: d.cr2 = rng.next(); d.reserve_mem = rng.next(); break;
    }
}

// Breaks the ring: random slots marked queued, random call words, or status
// bytes that are neither free nor queued.  Our trace goes direct from now on.
void break_ring()
{
    LguestData& d = rung::lguest_data;
    for (u32 n = 1 + rng.below(4); n; n--) {
        u32 slot = rng.below(ASYNC_SLOTS);
        Call c = make_call();
        d.hcalls[slot] = {c.number, c.a1, c.a2, c.a3, c.a4};
        d.hcall_status[slot] = rng.one_in(3) ? static_cast<u8>(rng.next()) : ASYNC_QUEUED;
    }
    ring_ok = false;
}

void user_trip();

void act()
{
    u32 action = rng.below(10);
    // Among quiet calls, only what leaves our own state sound: no scribbles
    // over lguest_data, no timer storm, no broken ring.
    if (quiet && (action == 4 || action == 7 || action == 9)) return;
    if (trace) trace_char(TRACE_ACTIONS + action);
    switch (action) {
    case 0: case 1: {
        u32 address = rng.one_in(2) ? junk_address() & ~3u : virtual_address() + 4 * rng.below(1024);
        probe(address, rng.one_in(2), rng.next());
        break;
    }
    case 2: use_fpu(); break;
    case 3: rung::lguest_data.irq_enabled = rng.one_in(3) ? 0 : IRQ_ENABLED; break;
    case 4: scribble(); break;
    case 5: load_segment(selector()); break;
    case 6:
        asm volatile("movl $1f, %[fix]\n\t"
                     "int $0x80\n"
                     "1:\tmovl $0, %[fix]"
                     : [fix] "=m"(fix_eip)::"memory");
        break;
    case 7: storm = rng.one_in(3); break;
    case 8:
        if (traps_ready) user_trip();
        break;
    default:
        if (rng.one_in(8)) break_ring();
        break;
    }
}

// ---- ring 3 -----------------------------------------------------------------
// Short trips to ring 3 (the image is open to it, make_user): each runs one
// of the routines below, which trap one way or another; the trap handlers
// send any trap from ring 3 back to fuzz_user_resume in ring 1, which takes
// the kernel's stack back.  Every routine ends in ud2, so ring 3 never
// loops, whatever the gates it meets.
extern "C" char fuzz_user_routines[], fuzz_user_resume[];
constexpr u32 USER_ROUTINES = 12, USER_ROUTINE_BYTES = 32;
asm(R"(
    .text
    .balign 32
    .globl fuzz_user_routines
fuzz_user_routines:
    int $0x80                       /* 0: a system call */
    ud2
    .balign 32
    int $0x1f                       /* 1: a hypercall from ring 3: #GP */
    ud2
    .balign 32
    hlt                             /* 2: privileged: #GP */
    ud2
    .balign 32
    movl 0xffc00000, %eax           /* 3: the switcher: #PF */
    ud2
    .balign 32
    ud2                             /* 4: #UD */
    .balign 32
    movl 0x1000, %eax               /* 5: a supervisor page: #PF */
    int $0x80
    ud2
    .balign 32
    movl $200000, %ecx              /* 6: spin in ring 3, preempted */
1:  loop 1b
    int $0x80
    ud2
    .balign 32
    xorl %edx, %edx                 /* 7: divide by zero: #DE */
    xorl %ecx, %ecx
    divl %ecx
    ud2
    .balign 32
    fninit                          /* 8: the FPU (#NM first if TS) */
    fld1
    fstp %st(0)
    int $0x80
    ud2
    .balign 32
    cli                             /* 9: #GP */
    ud2
    .balign 32
    inb $0x60, %al                  /* 10: I/O: #GP */
    ud2
    .balign 32
    int3                            /* 11: #BP through a gate of DPL 0: #GP */
    int $0x80
    ud2
    .balign 32
)");

void user_trip()
{
    // Flat user segments first: with a random base in 15, %ds (0x7B in ring
    // 3, and still when a trap brings us back) would send every access of
    // our handlers astray, and their nested faults run the stack down over
    // our own code (seen, as a fault loop that never ends).
    rung::hypercall(hcall::LOAD_GDT_ENTRY, 14, 0x0000FFFF, 0x00CFFA00);
    rung::hypercall(hcall::LOAD_GDT_ENTRY, 15, 0x0000FFFF, 0x00CFF200);
    u32 entry = reinterpret_cast<u32>(fuzz_user_routines) + rng.below(USER_ROUTINES) * USER_ROUTINE_BYTES;
    u32 stack = reinterpret_cast<u32>(user_stack + sizeof user_stack) - 4 * rng.below(64);
    user_trips = user_trips + 1;
    asm volatile("movl %%esp, %[sp]\n\t"
                 "movl %%ebp, %[bp]\n\t"
                 "pushl $0x7b\n\t"     /* SS */
                 "pushl %[stack]\n\t"
                 "pushl $0x202\n\t"    /* EFLAGS */
                 "pushl $0x73\n\t"     /* CS */
                 "pushl %[entry]\n\t"
                 "movl $0x7b, %%eax\n\t"
                 "movl %%eax, %%ds\n\t"
                 "movl %%eax, %%es\n\t"
                 "iret\n"
                 ".globl fuzz_user_resume\n"
                 "fuzz_user_resume:\n\t"
                 "movl $0x69, %%eax\n\t"
                 "movl %%eax, %%ds\n\t"
                 "movl %%eax, %%es\n\t"
                 "movl %[sp], %%esp\n\t"
                 "movl %[bp], %%ebp"
                 : [sp] "=m"(saved_esp), [bp] "=m"(saved_ebp)
                 : [stack] "m"(stack), [entry] "m"(entry)
                 : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
}

// Back to ring 1 at fuzz_user_resume, from a trap taken in ring 3.
bool back_from_user(rung::GuestFrame& f)
{
    if (!f.from_user()) return false;
    user_traps = user_traps + 1;
    f.eip = reinterpret_cast<u32>(fuzz_user_resume);
    f.cs = SEL_GUEST_CODE;
    return true;
}

// ---- traps ------------------------------------------------------------------
void on_trap(rung::GuestFrame& f)
{
    faults = faults + 1;
    if (f.vector == 7) { // FPU after TS: what a kernel does, TS off and retry
        rung::hypercall(hcall::TS, 0);
        return;
    }
    if (back_from_user(f)) return;
    if (fix_eip) {
        f.eip = fix_eip;
        fix_eip = 0;
        return;
    }
    // A trap we did not ask for (our own state broke it): end this life.
    rung::print("unexpected trap %u (error %x) at %x\n", f.vector, f.error, f.eip);
    rung::shutdown("unexpected trap", hcall::SHUTDOWN_RESTART);
}

volatile u32 in_timer; // nesting depth of on_timer

void on_timer(rung::GuestFrame&)
{
    ticks = ticks + 1;
    // Through a trap gate (a fuzzed LOAD_IDT_ENTRY may make it one) the
    // interrupt flag stays on in here, and a 1 ns re-arm would nest the
    // handler into itself until the stack ran over our image (seen, under
    // Bochs).  Nested, it re-arms nothing.
    in_timer = in_timer + 1;
    if (in_timer > 1) {
        in_timer = in_timer - 1;
        return;
    }
    if (storm) rung::hypercall(hcall::SET_CLOCKEVENT, 1);
    // A kernel's periodic tick, at 100 Hz: Bochs runs its CPU at 4 MHz of
    // emulated time, where taking one timer interrupt costs more than 1 ms,
    // so a 1 ms tick left no time for anything else (seen: lives that hung).
    else if (gentle) rung::hypercall(hcall::SET_CLOCKEVENT, 10000000);
    in_timer = in_timer - 1;
}

void on_syscall(rung::GuestFrame& f)
{
    syscalls = syscalls + 1;
    back_from_user(f);
}

// ---- a life -----------------------------------------------------------------
// A life's plan, from its seed alone, so the last life can sum those of the
// lives before it (their memory is gone): LGUEST_INIT or not (the life's own
// generator draws that first, from the same seed), then how many quiet calls
// and how many ordinary ones.
struct Plan {
    bool init;
    u32 quiet, calls;
};

Plan plan(u32 seed)
{
    knobs::Random r(seed);
    Plan p;
    p.init = !r.one_in(8);
    p.calls = MIN_CALLS + r.below(MAX_CALLS - MIN_CALLS + 1);
    p.quiet = p.init && !r.one_in(QUIET_NONE) ? MIN_QUIET + r.below(MAX_QUIET - MIN_QUIET + 1) : 0;
    return p;
}

// Calls the host must accept (quiet ones; one in QUIET_CHAOS is ordinary,
// so a life may still end here), with a guest's doings now and then.  They
// are most of a life's calls: without kills every few calls, the guest
// spends its time calling rather than being reloaded, and on the ring the
// calls cost few world switches.
void quiet_calls(u32 n)
{
    for (u32 i = 0; i < n && ring_ok; i++) {
        quiet = !rng.one_in(QUIET_CHAOS);
        if (rng.one_in(32)) act();
        make(make_call());
    }
    quiet = false;
    if (ring_ok) drain();
}

// Pages of junk memory that look like page tables (frames of our memory with
// random bits), or hold random bytes.
void fill_junk()
{
    for (u32 n = 0; n < 16; n++) {
        u32* page = reinterpret_cast<u32*>(junk_page());
        bool table = rng.one_in(2);
        for (u32 i = 0; i < 1024; i++) page[i] = table ? table_entry() : rng.next();
    }
}

} // namespace

void guest_main()
{
    const BootInfo& info = *rung::boot_info;
    mem = info.mem_bytes;
    free_start = info.free_start;
    u32 life = info.boot_count;
    knobs::Knobs k = knobs::from_name(DEFAULT_LIVES);
    u32 base = replay_seed() ? replay_seed() : SEED_BASE ^ (knobs::hash(rung::name()) & 0xFFFF);
    u32 seed = base + life;
    trace = k.rounds != 0;
    rung::print("fuzzer seed %x life %u\n", seed, life);

    if (k.rounds ? life + 1 >= k.rounds : knobs::done(k, 0)) {
        u32 planned = 0;
        for (u32 l = 0; l < life; l++) planned += plan(base + l).quiet + plan(base + l).calls;
        rung::print("fuzzer done: %u lives, %u calls planned\n", life + 1, planned);
        rung::shutdown("fuzzer done");
    }

    rng = knobs::Random(seed);
    Plan p = plan(seed);
    if (!rng.one_in(8)) { // as p.init
        rung::init();
        initialized = ring_ok = true;
        gentle = rng.one_in(3);
        rung::init_traps();
        // Vectors 0-47 (our fuzzed gates point only at these stubs, and 0x80's).
        for (u32 v = 0; v < STUBS; v++)
            if (v != 2 && v != 8 && v != 15 && v != 0x1F && v != 32) rung::set_trap_handler(v, on_trap);
        rung::set_trap_handler(32, on_timer);
        rung::set_trap_handler(0x80, on_syscall, rung::TRAP_GATE, 3);
        traps_ready = true;
        rung::make_user(0x100000, reinterpret_cast<u32>(image_end) - 0x100000); // our image, for ring 3
        // The second directory: the boot one, with its first table copied.
        const u32* boot = reinterpret_cast<const u32*>(boot_pd());
        memcpy(t2, reinterpret_cast<const u32*>(boot[0] & ~0xFFFu), PAGE);
        for (u32 i = 0; i < DIRECTORIES; i++) {
            memcpy(pds[i], boot, PAGE);
            pds[i][0] = rung::address_of(t2) | (boot[0] & 0xFFF);
        }
        if (gentle) rung::print("a gentle life: edge cases rare, no call that always kills\n");
    } else {
        rung::print("no LGUEST_INIT in this life\n");
    }
    fill_junk();
    rung::flush();

    quiet_calls(p.quiet);
    for (u32 i = 0; i < p.calls; i++) {
        if (initialized && rng.one_in(3)) act();
        make(make_call());
    }
    if (initialized && ring_ok) rung::hypercall(hcall::FLUSH_ASYNC);
    rung::print("\nlife %u: %u quiet calls and %u others, not killed (%u faults, %u ticks, %u syscalls, %u trips to ring 3)\n",
                life, p.quiet, p.calls, faults, ticks, syscalls, user_trips);
    rung::shutdown("life over", hcall::SHUTDOWN_RESTART);
}
