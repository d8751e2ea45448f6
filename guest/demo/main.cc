// guest/demo/main.cc: the demo guest shown by `make run`: a small kernel
// linked at 0xC0000000 that introduces itself, does some honest work (the
// primes below a bound, with progress lines as it is preempted), and powers
// off with a summary.
#include "rung.h"

void guest_main()
{
    rung::init();
    const BootInfo& b = *rung::boot_info;
    rung::print("%s: a rung guest kernel at %p, %u MiB of memory, guest %u\n", rung::name(),
                reinterpret_cast<void*>(&guest_main), b.mem_bytes >> 20, b.guest_id);
    u32 limit = 200000 + 50000 * b.guest_id;
    u32 found = 0, last = 0;
    u64 start = rung::rdtsc();
    for (u32 n = 2; n < limit; n++) {
        bool prime = true;
        for (u32 d = 2; d * d <= n; d++)
            if (n % d == 0) {
                prime = false;
                break;
            }
        if (prime) {
            found++;
            last = n;
        }
        if (n % 50000 == 0) rung::print("%u primes below %u so far\n", found, n);
    }
    u64 elapsed = rung::rdtsc() - start;
    rung::print("%u primes below %u, the largest %u, in %llu TSC ticks\n", found, limit, last, elapsed);
    rung::shutdown("demo finished");
}
