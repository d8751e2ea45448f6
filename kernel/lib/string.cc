// kernel/lib/string.cc: small string parsing, pure and unit-tested.
#include "lib/string.h"

bool word_equals(const char* a, usize n, const char* b)
{
    for (usize i = 0; i < n; i++)
        if (b[i] == '\0' || b[i] != a[i]) return false; // b is shorter: never read past its NUL
    return b[n] == '\0';
}

bool parse_u32(const char* s, usize n, u32* out)
{
    if (n == 0) return false;
    u64 value = 0;
    for (usize i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        value = value * 10 + static_cast<u64>(s[i] - '0');
        if (value > 0xFFFFFFFFull) return false;
    }
    *out = static_cast<u32>(value);
    return true;
}
