// guest/lib/rung.h: the guest runtime: hypercalls, the shared block, the
// console, and ending the guest.  Everything a small rung guest needs.
#pragma once
#include "lib/format.h"
#include "lib/types.h"
#include "vmm/abi.h"

namespace rung {

inline u32 hypercall(u32 call, u32 a1 = 0, u32 a2 = 0, u32 a3 = 0, u32 a4 = 0)
{
    u32 result;
    asm volatile("int $0x1f"
                 : "=a"(result)
                 : "a"(call), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
                 : "memory");
    return result;
}

// The guest-physical address of one of our own objects (hypercalls take
// guest-physical addresses; a guest linked at an offset must subtract it).
extern "C" char guest_offset[];
inline u32 address_of(const volatile void* p)
{
    return reinterpret_cast<u32>(p) - reinterpret_cast<u32>(guest_offset);
}

extern LguestData lguest_data;
extern const BootInfo* boot_info;

// LGUEST_INIT with our lguest_data.
void init();
// The value of `key=` in our module string (copied to `out`), or false.
bool option(const char* key, char* out, usize size);
// Our name, as the host knows it (name= or the image's file name).
const char* name();

// Console: buffered by line; each line is one CONSOLE_WRITE.
void write(const void* bytes, u32 length);
void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void flush();

[[noreturn]] void shutdown(const char* message, u32 reason = hcall::SHUTDOWN_POWEROFF);

// Queue one call on the asynchronous ring (section 4); FLUSH_ASYNC runs it.
void queue_async(u32 call, u32 a1 = 0, u32 a2 = 0, u32 a3 = 0, u32 a4 = 0);

inline u64 rdtsc()
{
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (static_cast<u64>(hi) << 32) | lo;
}

} // namespace rung

// The guest's program.
void guest_main();
