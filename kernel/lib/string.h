// kernel/lib/string.h: the memory and string helpers a freestanding kernel needs.
#pragma once
#include "lib/types.h"

#if __STDC_HOSTED__ // unit tests on the build machine use the C library's
#include <string.h>
#else
extern "C" {
void* memcpy(void* dst, const void* src, usize n);
void* memmove(void* dst, const void* src, usize n);
void* memset(void* dst, int c, usize n);
int memcmp(const void* a, const void* b, usize n);
usize strlen(const char* s);
int strcmp(const char* a, const char* b);
}
#endif

// A 32-bit load or store at any address, compiled to one mov (no call).
inline u32 load32(const void* p)
{
    u32 v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
inline void store32(void* p, u32 v) { __builtin_memcpy(p, &v, 4); }

// Steps `cursor` over blanks and one word; returns false at the end.
// The word is [*word, *word + *length).
inline bool next_word(const char*& cursor, const char** word, usize* length)
{
    while (*cursor == ' ' || *cursor == '\t') cursor++;
    if (!*cursor) return false;
    *word = cursor;
    while (*cursor && *cursor != ' ' && *cursor != '\t') cursor++;
    *length = static_cast<usize>(cursor - *word);
    return true;
}

// Sorts a few hundred numbers in place (insertion sort: the measurements'
// medians, nothing hot).
inline void sort_u32(u32* v, u32 n)
{
    for (u32 i = 1; i < n; i++)
        for (u32 j = i; j > 0 && v[j] < v[j - 1]; j--) {
            u32 t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

// Compares the first n bytes of a with the NUL-terminated word b; true when
// they match and b has exactly n characters.
bool word_equals(const char* a, usize n, const char* b);
// Parses decimal digits [s, s+n); false on an empty string, a non-digit or overflow.
bool parse_u32(const char* s, usize n, u32* out);
