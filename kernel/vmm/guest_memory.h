// kernel/vmm/guest_memory.h: guest-physical ranges.  Every address a guest
// hands the host is checked here before it is touched.  Pure.
#pragma once
#include "lib/types.h"

// [gpa, gpa + length) lies inside a guest memory of `size` bytes, with no
// wrap-around.  An empty range must still start inside memory.
constexpr bool gpa_range_ok(u32 gpa, u32 length, u32 size)
{
    return gpa < size && length <= size - gpa;
}
