// kernel/lib/memory.cc: the C memory functions.  GCC may also call these for
// structure copies, so they carry C linkage.
#include "lib/string.h"

extern "C" {

void* memcpy(void* dst, const void* src, usize n)
{
    // rep movsl then movsb: an i486 has both, and a guest's image and memory
    // are megabytes, where a C loop costs four instructions a byte.
    void* d = dst;
    const void* s = src;
    usize words = n / 4, bytes = n % 4;
    asm volatile("rep movsl\n\tmovl %[bytes], %%ecx\n\trep movsb"
                 : "+D"(d), "+S"(s), "+c"(words)
                 : [bytes] "r"(bytes)
                 : "memory");
    return dst;
}

void* memmove(void* dst, const void* src, usize n)
{
    auto* d = static_cast<u8*>(dst);
    auto* s = static_cast<const u8*>(src);
    if (d < s) {
        // Upwards, a word at a time is safe however the two overlap: each
        // word is read before anything at or after it is written.
        return memcpy(dst, src, n);
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

void* memset(void* dst, int c, usize n)
{
    u32 pattern = static_cast<u8>(c) * 0x01010101u;
    void* d = dst;
    usize words = n / 4, bytes = n % 4;
    asm volatile("rep stosl\n\tmovl %[bytes], %%ecx\n\trep stosb"
                 : "+D"(d), "+c"(words)
                 : "a"(pattern), [bytes] "r"(bytes)
                 : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, usize n)
{
    auto* x = static_cast<const u8*>(a);
    auto* y = static_cast<const u8*>(b);
    for (usize i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

usize strlen(const char* s)
{
    usize n = 0;
    while (s[n]) n++;
    return n;
}

int strcmp(const char* a, const char* b)
{
    while (*a && *a == *b) a++, b++;
    return static_cast<u8>(*a) - static_cast<u8>(*b);
}
}
