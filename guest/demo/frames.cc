// guest/demo/frames.cc: a bump pointer over the never-used frames, and a
// free list threaded through the freed ones (each holds the next's address).
#include "frames.h"
#include "layout.h"
#include "lib/string.h"

namespace demo {

namespace frames {
namespace {
u32 fresh = 0, end_of_memory = 0; // never-used frames: [fresh, end_of_memory)
u32 free_list = 0;                // 0: empty (frame 0 is the host's, never ours)
u32 used = 0, freed = 0;
} // namespace

void init(u32 first, u32 end)
{
    fresh = first;
    end_of_memory = end;
}

u32 alloc()
{
    u32 gpa;
    if (free_list) {
        gpa = free_list;
        free_list = *kernel_view<u32>(gpa);
        freed--;
    } else if (fresh < end_of_memory) {
        gpa = fresh;
        fresh += layout::PAGE;
    } else {
        return 0;
    }
    memset(kernel_view(gpa), 0, layout::PAGE);
    used++;
    return gpa;
}

void free(u32 gpa)
{
    *kernel_view<u32>(gpa) = free_list;
    free_list = gpa;
    freed++;
    used--;
}

u32 in_use() { return used; }
u32 available() { return (end_of_memory - fresh) / layout::PAGE + freed; }

} // namespace frames

} // namespace demo
