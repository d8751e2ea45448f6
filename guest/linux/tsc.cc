// guest/linux/tsc.cc: prints the time stamp counter, "tsc N\n", for the
// Linux guest's /init.  Under QEMU with -icount shift=0 the TSC counts the
// instructions executed since power-on, so this is how `make bench` learns
// what booting to userspace cost, under rung and natively.  A static i386
// program with no C library: two system calls through int $0x80, which
// the Linux guest serves either way (natively and under rung).
using u32 = unsigned int;
using u64 = unsigned long long;

namespace {

long sys(long number, long a, long b, long c)
{
    long result;
    asm volatile("int $0x80" : "=a"(result) : "a"(number), "b"(a), "c"(b), "d"(c) : "memory");
    return result;
}

} // namespace

extern "C" [[noreturn]] void _start()
{
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    u64 tsc = (static_cast<u64>(hi) << 32) | lo;
    char text[32] = "tsc ";
    char digits[24];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + static_cast<int>(tsc % 10));
        tsc /= 10;
    } while (tsc);
    int length = 4;
    while (n) text[length++] = digits[--n];
    text[length++] = '\n';
    sys(4, 1, reinterpret_cast<long>(text), length); // write(1, text, length)
    for (;;) sys(1, 0, 0, 0);                        // exit(0)
}
