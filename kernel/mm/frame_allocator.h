// kernel/mm/frame_allocator.h: physical 4 KiB frames, one bit each.
// A set bit is a frame in use (or not RAM).  Pure: the bitmap's storage is
// given by the caller, so the unit tests can run it on the build machine.
#pragma once
#include "lib/types.h"
#include "mm/memory_map.h"

constexpr u32 FRAME_SIZE = 4096;
constexpr u32 NO_FRAME = 0xFFFFFFFF;

class FrameAllocator {
public:
    // bitmap must hold (frames + 31) / 32 words; every frame starts out used.
    void init(u32* bitmap, u32 frames);
    // Frees the usable ranges of map that lie below frames * 4 KiB.
    void add_usable(const MemoryMap& map);
    // Marks [start, end) in use (rounded outward to frames).
    void reserve(u64 start, u64 end);

    // Returns a frame number, or NO_FRAME.
    u32 alloc();
    // count contiguous frames, the first aligned to `align` frames; NO_FRAME if none.
    u32 alloc_contiguous(u32 count, u32 align = 1);
    void free(u32 frame);
    void free_range(u32 first, u32 count);

    bool is_used(u32 frame) const { return bitmap_[frame / 32] & (1u << (frame % 32)); }
    u32 free_frames() const { return free_; }
    u32 total_frames() const { return frames_; }

private:
    void set(u32 frame) { bitmap_[frame / 32] |= 1u << (frame % 32); }
    void clear(u32 frame) { bitmap_[frame / 32] &= ~(1u << (frame % 32)); }

    u32* bitmap_ = nullptr;
    u32 frames_ = 0;
    u32 free_ = 0;
    u32 hint_ = 0; // no free frame below it
};
