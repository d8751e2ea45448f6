// kernel/mm/page_table.h: 2-level non-PAE x86 paging: entry bits and the
// index arithmetic.  Pure: shared by the host's tables, the shadow tables
// and the unit tests.
#pragma once
#include "lib/types.h"

namespace pte {
constexpr u32 PRESENT = 1u << 0, WRITABLE = 1u << 1, USER = 1u << 2, WRITE_THROUGH = 1u << 3,
              NO_CACHE = 1u << 4, ACCESSED = 1u << 5, DIRTY = 1u << 6, LARGE = 1u << 7,
              GLOBAL = 1u << 8;
constexpr u32 FRAME_MASK = 0xFFFFF000;
} // namespace pte

constexpr u32 PAGE_SIZE = 4096;
constexpr u32 LARGE_PAGE_SIZE = 4u << 20;
constexpr u32 ENTRIES_PER_TABLE = 1024;

constexpr u32 directory_index(u32 address) { return address >> 22; }
constexpr u32 table_index(u32 address) { return (address >> 12) & 0x3FF; }
constexpr u32 page_round_up(u32 v) { return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
