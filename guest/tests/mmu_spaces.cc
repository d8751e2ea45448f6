// guest/tests/mmu_spaces.cc: more address spaces than the host's shadow
// cache holds (16 directories per guest; guest ABI section 7).  24 page
// directories each map a private page (two frames it flips between) at the
// same virtual address, a page shared by all, and the kernel part: all of
// guest memory again at 0xC0000000 through one guest table in every
// directory, above lguest_data.kernel_address.  The guest switches among
// them (NEW_PGTABLE) round robin, at random and within a small hot set, and
// after every switch checks that the private page is its own space's (and
// holds the last word written through that space only) and that the shared
// page and the kernel alias show the latest values.  Now and then it remaps
// the private page of another space (cached or evicted) with SET_PTE naming
// that space's directory.  Odd spaces map their private page with the
// global bit, which the host ignores: it must not outlive a switch.  Each
// phase runs with kernel_address 0xC0000000, 0x80000000 and 0 (nothing
// shared).
#include "paging.h"
#include "test.h"
#include "traps.h"

using namespace paging;

namespace {

constexpr u32 SPACES = 24;
constexpr u32 PRIVATE = 0x40000000; // the space's own page
constexpr u32 SHARED = 0x40001000;  // one frame in every space
constexpr u32 KERNEL = 0xC0000000;  // all of guest memory again

struct Space {
    u32 dir;
    u32 frames[2]; // the private page: frames[which]
    u32 which;
    u32 last_write; // the word written at PRIVATE + 4 through this space
};
Space spaces[SPACES];
u32 shared_frame;
u32 shared_value = 0;
volatile u32 kernel_word = 0;
u32 token = 0;
u32 wrong = 0;
u32 kernel_address = 0;

// Odd spaces map their private page with the global bit, which the host
// must ignore (ABI section 7): it must not outlive a switch.
constexpr u32 G = 1u << 8;
constexpr u32 global(u32 space) { return space & 1 ? G : 0; }

constexpr u32 pattern(u32 space, u32 which) { return 0x50000000 | space << 16 | which << 12; }

void wrong_if(bool bad, const char* fmt, u32 a, u32 b, u32 c)
{
    if (!bad) return;
    if (wrong++ < 8) test::fail(fmt, a, b, c);
}

u32 rd(u32 va)
{
    Access r = read(va);
    wrong_if(r.faulted, "read of %x faulted (error %x, kernel_address %x)", va, r.error, kernel_address);
    return r.value;
}

void wr(u32 va, u32 value)
{
    Access w = write(va, value);
    wrong_if(w.faulted, "write to %x faulted (error %x, kernel_address %x)", va, w.error, kernel_address);
}

void visit(u32 i)
{
    Space& s = spaces[i];
    switch_to(s.dir);
    u32 first = rd(PRIVATE);
    wrong_if(first != pattern(i, s.which), "space %u: private page shows %x, expected %x", i, first,
             pattern(i, s.which));
    u32 word = rd(PRIVATE + 4);
    wrong_if(word != s.last_write, "space %u: private word %x, last written %x", i, word, s.last_write);
    s.last_write = ++token;
    wr(PRIVATE + 4, s.last_write);
    wrong_if(at(s.frames[s.which])[1] != s.last_write, "space %u: write missed its frame (%x, %x)", i,
             at(s.frames[s.which])[1], s.last_write);

    u32 shared = rd(SHARED);
    wrong_if(shared != shared_value, "space %u: shared page %x, expected %x", i, shared, shared_value);
    wr(SHARED, ++shared_value);

    u32 alias = KERNEL + reinterpret_cast<u32>(&kernel_word);
    u32 k = rd(alias);
    wrong_if(k != kernel_word, "space %u: kernel alias reads %x, the word is %x", i, k, kernel_word);
    wr(alias, kernel_word + 1);
    wrong_if(kernel_word != k + 1, "space %u: kernel alias write: %x, expected %x", i, kernel_word, k + 1);
}

// No space's write reached another space's frames.
void check_frames()
{
    for (u32 i = 0; i < SPACES; i++) {
        const Space& s = spaces[i];
        wrong_if(at(s.frames[s.which])[0] != pattern(i, s.which) || at(s.frames[s.which])[1] != s.last_write,
                 "space %u: frame holds %x, expected last write %x", i, at(s.frames[s.which])[1], s.last_write);
        wrong_if(at(s.frames[s.which ^ 1])[0] != pattern(i, s.which ^ 1), "space %u: idle frame %u holds %x", i,
                 s.which ^ 1, at(s.frames[s.which ^ 1])[0]);
    }
}

// Flips space j's private page to its other frame, told with SET_PTE naming
// j's directory while another is loaded.
void remap(u32 j)
{
    Space& s = spaces[j];
    at(s.frames[s.which ^ 1])[1] = s.last_write; // the word moves with it
    s.which ^= 1;
    set_pte(s.dir, PRIVATE, s.frames[s.which] | P | W | global(j));
}

u32 seed = 12345;
u32 random(u32 n)
{
    seed = seed * 1103515245 + 12345;
    return (seed >> 16) % n;
}

void phase(u32 address)
{
    kernel_address = address;
    rung::lguest_data.kernel_address = address; // followed at the next MMU call
    wrong = 0;
    u32 switches = 0, remaps = 0;

    for (u32 round = 0; round < 3; round++)
        for (u32 i = 0; i < SPACES; i++, switches++) visit(i);
    check_frames();
    rung::print("kernel_address %x: round robin, %u switches: %u wrong\n", address, switches, wrong);
    u32 total = wrong;

    wrong = 0;
    switches = 0;
    for (u32 step = 0; step < 300; step++, switches++) {
        visit(random(SPACES));
        if (step % 7 == 3) {
            u32 j = random(SPACES);
            if (spaces[j].dir != current()) {
                remap(j);
                remaps++;
            }
        }
    }
    check_frames();
    rung::print("kernel_address %x: random, %u switches, %u remaps: %u wrong\n", address, switches, remaps, wrong);
    total += wrong;

    // A hot set that fits the cache, with a cold space now and then.
    wrong = 0;
    switches = 0;
    for (u32 step = 0; step < 200; step++, switches++) {
        visit(step % 10 == 9 ? 10 + random(SPACES - 10) : step % 6);
        if (step % 13 == 5) {
            remap(step % 6 == 0 ? 1 : 0);
            remaps++;
        }
    }
    check_frames();
    rung::print("kernel_address %x: hot set, %u switches: %u wrong\n", address, switches, wrong);
    total += wrong;
    wrong = total;
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    catch_page_faults();

    const BootInfo& b = *rung::boot_info;
    shared_frame = alloc_frame();
    u32 boot = boot_directory();
    for (u32 i = 0; i < SPACES; i++) {
        Space& s = spaces[i];
        s.dir = new_directory();
        // The kernel part: the boot tables (all of memory) again at KERNEL.
        for (u32 t = 0; t < (b.mem_bytes + 0x3FFFFF) / 0x400000; t++)
            raw_pde(s.dir, KERNEL + t * 0x400000) = raw_pde(boot, t * 0x400000);
        u32 table = alloc_frame();
        raw_pde(s.dir, PRIVATE) = table | P | W;
        for (u32 w = 0; w < 2; w++) {
            s.frames[w] = alloc_frame();
            fill(s.frames[w], 0);
            at(s.frames[w])[0] = pattern(i, w);
            at(s.frames[w])[1] = 0;
        }
        s.which = 0;
        s.last_write = 0;
        at(table)[index(PRIVATE)] = s.frames[0] | P | W | global(i);
        at(table)[index(SHARED)] = shared_frame | P | W;
    }
    rung::print("%u address spaces, %u KiB free after them\n", SPACES, free_bytes() / 1024);

    const u32 addresses[] = {0xC0000000, 0x80000000, 0};
    u32 total = 0;
    for (u32 address : addresses) {
        phase(address);
        total += wrong;
    }
    switch_to(boot);
    test::check(total == 0, "every space saw its own pages");
    test::finish();
}
