// kernel/lib/memory.cc: byte loops, simple on purpose.  GCC may also call
// these for structure copies, so they carry C linkage.
#include "lib/string.h"

extern "C" {

void* memcpy(void* dst, const void* src, usize n)
{
    auto* d = static_cast<u8*>(dst);
    auto* s = static_cast<const u8*>(src);
    while (n--) *d++ = *s++;
    return dst;
}

void* memmove(void* dst, const void* src, usize n)
{
    auto* d = static_cast<u8*>(dst);
    auto* s = static_cast<const u8*>(src);
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

void* memset(void* dst, int c, usize n)
{
    auto* d = static_cast<u8*>(dst);
    while (n--) *d++ = static_cast<u8>(c);
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
