// guest/demo/programs.cc: the programs that run in ring 3.
//
// The rules for code in the user image, which runs at USER_IMAGE, not where
// it was linked (0xC01xxxxx):
//  - every function is USER (section .user.text); calls among them are
//    relative, so they work at any address; nothing outside is called
//    (not memset or memcpy, nor libgcc's 64-bit division);
//  - constant strings are U("..."): kept in .user.rodata and addressed
//    through user_address(); no other static data, writable or not;
//  - no jump tables or lookup tables the compiler would make from a switch,
//    and no loops it would turn into memset (the pragma below).
// Whatever breaks them faults in ring 3, and the kernel kills the process.
#pragma GCC optimize("no-jump-tables", "no-tree-switch-conversion", "no-tree-loop-distribute-patterns")
#include "programs.h"
#include "layout.h"

namespace demo {

#define USER __attribute__((section(".user.text"), noclone))
#define U(text)                                                                        \
    (user_address(({                                                                   \
        static const char user_text_[] __attribute__((section(".user.rodata"))) = text; \
        user_text_;                                                                    \
    })))

namespace {

// Where the user image's constant lands in the process's address space.
template <typename T> __attribute__((always_inline)) inline T* user_address(T* linked)
{
    return reinterpret_cast<T*>(reinterpret_cast<u32>(linked) - reinterpret_cast<u32>(user_image_start) +
                                layout::USER_IMAGE);
}

// ---- the user's library -------------------------------------------------------

__attribute__((always_inline)) inline u32 syscall(u32 number, u32 a = 0, u32 b = 0)
{
    u32 result;
    asm volatile("int $0x80" : "=a"(result) : "a"(number), "b"(a), "c"(b) : "memory");
    return result;
}

[[noreturn]] USER void exit(u32 status)
{
    syscall(sys::EXIT, status);
    for (;;) {
    }
}

USER u32 getpid() { return syscall(sys::GETPID); }
USER void yield() { syscall(sys::YIELD); }
USER void sleep(u32 ms) { syscall(sys::SLEEP, ms); }
USER u32 uptime() { return syscall(sys::UPTIME); }
USER u32 processes() { return syscall(sys::PROCESSES); }
USER void* sbrk(i32 increment) { return reinterpret_cast<void*>(syscall(sys::SBRK, static_cast<u32>(increment))); }
USER u32 write(const char* bytes, u32 length) { return syscall(sys::WRITE, reinterpret_cast<u32>(bytes), length); }

// print: %u, %x, %s and %c into one write.
struct Line {
    char text[120];
    u32 length;
};

USER void put(Line& line, char c)
{
    if (line.length < sizeof line.text) line.text[line.length++] = c;
}

USER void put_number(Line& line, u32 value, u32 base)
{
    char digits[12];
    u32 n = 0;
    do {
        u32 d = value % base;
        digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
        value /= base;
    } while (value);
    while (n) put(line, digits[--n]);
}

USER void print(const char* fmt, ...)
{
    Line line;
    line.length = 0;
    va_list args;
    va_start(args, fmt);
    for (const char* f = fmt; *f; f++) {
        if (*f != '%' || !f[1]) {
            put(line, *f);
            continue;
        }
        char c = *++f;
        if (c == 'u') put_number(line, va_arg(args, u32), 10);
        else if (c == 'x') put_number(line, va_arg(args, u32), 16);
        else if (c == 'c') put(line, static_cast<char>(va_arg(args, int)));
        else if (c == 's')
            for (const char* s = va_arg(args, const char*); *s; s++) put(line, *s);
        else put(line, c);
    }
    va_end(args);
    write(line.text, line.length);
}

// A program that returns ends here.
USER void return_to_exit() { exit(0); }

// ---- the programs -------------------------------------------------------------

// The primes below `bound`: a sieve of one byte per number on the heap, so
// the heap grows by `bound` bytes and each of its pages faults in once.
[[noreturn]] USER void primes(u32 bound)
{
    print(U("sieving the primes below %u in a %u KiB heap\n"), bound, (bound + 1023) / 1024);
    u8* sieve = static_cast<u8*>(sbrk(static_cast<i32>(bound)));
    for (u32 i = 0; i < bound; i++) sieve[i] = 1;
    for (u32 i = 2; i * i < bound; i++)
        if (sieve[i])
            for (u32 j = i * i; j < bound; j += i) sieve[j] = 0;
    u32 count = 0, largest = 0, quarter = bound / 4;
    for (u32 i = 2; i < bound; i++) {
        if (sieve[i]) {
            count++;
            largest = i;
        }
        if (i % quarter == 0 && i < bound - quarter / 2) print(U("%u primes below %u so far\n"), count, i);
    }
    print(U("%u primes below %u, the largest %u\n"), count, bound, largest);
    exit(0);
}

// The longest Collatz chain that starts below `limit` (values stay below
// 2^32 for starts below 150000); yields the CPU every 10000 starts.
[[noreturn]] USER void collatz(u32 limit)
{
    print(U("the longest Collatz chain starting below %u\n"), limit);
    u32 best = 1, best_steps = 0;
    for (u32 n = 1; n < limit; n++) {
        u32 steps = 0;
        for (u32 x = n; x != 1; steps++) x = (x & 1) ? 3 * x + 1 : x >> 1;
        if (steps > best_steps) {
            best = n;
            best_steps = steps;
        }
        if (n % 10000 == 0) yield();
        if (n % (limit / 4) == 0 && n + limit / 8 < limit)
            print(U("below %u: %u takes %u steps\n"), n, best, best_steps);
    }
    print(U("%u takes %u steps to reach 1, the most below %u\n"), best, best_steps, limit);
    exit(0);
}

// Naps `naps` times for 25 ms; the CPU goes to the others meanwhile.
[[noreturn]] USER void sleeper(u32 naps)
{
    u32 pid = getpid();
    print(U("pid %u will nap %u times for 25 ms\n"), pid, naps);
    u32 start = uptime();
    for (u32 i = 1; i <= naps; i++) {
        sleep(25);
        print(U("nap %u over at +%u ms\n"), i, uptime() - start);
    }
    exit(0);
}

// Grows the heap in 16 KiB steps to `kib` KiB, threads a list through all of
// it, sums it, then gives the heap back and checks a regrown page is zero.
[[noreturn]] USER void heap(u32 kib)
{
    struct Node {
        Node* next;
        u32 value, padding[2];
    };
    Node* head = nullptr;
    u32 count = 0;
    for (u32 grown = 0; grown < kib * 1024; grown += 16384) {
        auto* chunk = static_cast<Node*>(sbrk(16384));
        for (u32 i = 0; i < 16384 / sizeof(Node); i++) {
            chunk[i].next = head;
            chunk[i].value = count++ * 7 + 1;
            head = &chunk[i];
        }
    }
    u32 sum = 0, length = 0;
    for (Node* n = head; n; n = n->next) {
        sum += n->value;
        length++;
    }
    print(U("a list of %u nodes through %u KiB of heap sums to %u\n"), length, kib, sum);
    bool refused = write(reinterpret_cast<const char*>(0xC0100000), 16) == sys::ERROR;
    print(U("printing the kernel's memory: %s\n"), refused ? U("refused") : U("ALLOWED"));
    sbrk(-16384);                                     // a few pages: SET_PTE each
    sbrk(-static_cast<i32>(kib * 1024 - 16384));      // the rest: FLUSH_TLB, SET_PGD
    auto* fresh = static_cast<u32*>(sbrk(4096));
    u32 nonzero = 0;
    for (u32 i = 0; i < 1024; i++) nonzero += fresh[i] != 0;
    print(U("gave the heap back; a page grown again holds %u non-zero words\n"), nonzero);
    exit(nonzero ? 1 : 0);
}

// Follows a pointer nobody mapped: the kernel kills it.
[[noreturn]] USER void wild(u32 address)
{
    print(U("writing to 0x%x, which nobody mapped\n"), address);
    *reinterpret_cast<volatile u32*>(address) = 1;
    print(U("still alive?\n"));
    exit(1);
}

// Tries to keep the CPU for itself by turning interrupts off: cli is
// privileged (IOPL 0), so the CPU raises #GP, and the kernel kills it.
[[noreturn]] USER void rogue(u32)
{
    print(U("turning interrupts off to keep the CPU, with cli\n"));
    asm volatile("cli" ::: "memory");
    print(U("still alive?\n"));
    exit(1);
}

// Reports how many processes are alive whenever that changes, looking every
// `period` ms; once it is the last, naps three times more: nothing is
// runnable then, and the kernel idles (HALT).
[[noreturn]] USER void monitor(u32 period)
{
    u32 last = 0, start = uptime();
    for (;;) {
        u32 alive = processes();
        if (alive != last)
            print(U("%u process%s alive at +%u ms\n"), alive, alive == 1 ? U("") : U("es"), uptime() - start);
        last = alive;
        if (alive == 1) break;
        sleep(period);
    }
    for (u32 i = 0; i < 3; i++) sleep(period);
    print(U("alone; napped 3 times more, done at +%u ms\n"), uptime() - start);
    exit(0);
}

u32 at(void (*f)(u32)) { return reinterpret_cast<u32>(user_address(reinterpret_cast<void*>(f))); }

} // namespace

namespace programs {

u32 list(u32 guest_id, Program* out, u32 max)
{
    const Program all[] = {
        {"primes", at(primes), 1000000 + 500000 * guest_id},
        {"collatz", at(collatz), 60000 + 20000 * guest_id},
        {"sleeper", at(sleeper), 6},
        {"heap", at(heap), 256},
        {"wild", at(wild), 0x0BADC0DE},
        {"rogue", at(rogue), 0},
        {"monitor", at(monitor), 20},
    };
    u32 n = 0;
    for (const Program& p : all)
        if (n < max) out[n++] = p;
    return n;
}

u32 exit_stub() { return reinterpret_cast<u32>(user_address(reinterpret_cast<void*>(&return_to_exit))); }

} // namespace programs

} // namespace demo
