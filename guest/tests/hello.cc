// guest/tests/hello.cc: the smallest guest: checks the state the ABI
// promises at entry (section 2) and says hello.
#include "test.h"

extern "C" char image_end[];

void guest_main()
{
    const BootInfo& b = *rung::boot_info;
    rung::print("hello from %s: guest %u, %u KiB, boot %u\n", rung::name(), b.guest_id,
                b.mem_bytes / 1024, b.boot_count);
    test::check(b.magic == RUNG_MAGIC && b.version == BOOT_INFO_VERSION, "boot info magic and version");
    test::check(b.mem_bytes >= (1u << 20) && b.mem_bytes % 4096 == 0, "memory size");
    test::check(b.pgdir % 4096 == 0 && b.pgdir < b.mem_bytes, "page directory inside memory");
    test::check(b.free_start % 4096 == 0 && b.free_start <= b.mem_bytes &&
                    b.free_start > reinterpret_cast<u32>(image_end),
                "free_start above the image and aligned");
    test::check(b.boot_count == 0, "first boot");

    // Segments as the ABI promises: kernel code 0x61 and data 0x69 in ring 1.
    u32 cs, ds, ss;
    asm volatile("movl %%cs, %0; movl %%ds, %1; movl %%ss, %2" : "=r"(cs), "=r"(ds), "=r"(ss));
    test::check((cs & 0xFFFF) == 0x61 && (ds & 0xFFFF) == 0x69 && (ss & 0xFFFF) == 0x69,
                "CS=0x61, DS=SS=0x69");

    // The initial tables map all of memory: touch the first and last page.
    volatile u32* last = reinterpret_cast<volatile u32*>(b.mem_bytes - 4);
    *last = 0x12345678;
    test::check(*last == 0x12345678, "last word of memory is mapped and writable");
    test::check(*reinterpret_cast<volatile u32*>(b.free_start) == 0, "free memory starts zeroed");

    rung::init();
    test::check(rung::lguest_data.reserve_mem == (4u << 20), "reserve_mem is 4 MiB");
    test::check(rung::lguest_data.tsc_khz == b.tsc_khz, "tsc_khz matches the boot info");
    test::check(rung::lguest_data.time_sec > 1500000000u, "wall clock time is set");
    test::check(rung::lguest_data.hcall_status[0] == ASYNC_FREE, "async ring starts free");
    test::finish();
}
