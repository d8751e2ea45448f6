// kernel/mm/frame_allocator.cc
#include "mm/frame_allocator.h"

void FrameAllocator::init(u32* bitmap, u32 frames)
{
    bitmap_ = bitmap;
    frames_ = frames;
    free_ = 0;
    hint_ = 0;
    // The tail bits of the last word stay set: not RAM, never handed out.
    for (u32 i = 0; i < (frames + 31) / 32; i++) bitmap_[i] = 0xFFFFFFFF;
}

void FrameAllocator::add_usable(const MemoryMap& map)
{
    for (u32 i = 0; i < map.count; i++) {
        u64 first = map.usable[i].start / FRAME_SIZE;
        u64 last = map.usable[i].end / FRAME_SIZE;
        if (last > frames_) last = frames_;
        for (u64 f = first; f < last; f++)
            if (is_used(static_cast<u32>(f))) {
                clear(static_cast<u32>(f));
                free_++;
            }
    }
    hint_ = 0;
}

void FrameAllocator::reserve(u64 start, u64 end)
{
    u64 first = start / FRAME_SIZE;
    u64 last = (end + FRAME_SIZE - 1) / FRAME_SIZE;
    if (last > frames_) last = frames_;
    for (u64 f = first; f < last; f++)
        if (!is_used(static_cast<u32>(f))) {
            set(static_cast<u32>(f));
            free_--;
        }
}

u32 FrameAllocator::alloc()
{
    for (u32 word = hint_ / 32; word < (frames_ + 31) / 32; word++) {
        if (bitmap_[word] == 0xFFFFFFFF) continue;
        u32 bit = static_cast<u32>(__builtin_ctz(~bitmap_[word]));
        u32 frame = word * 32 + bit;
        set(frame);
        free_--;
        hint_ = frame + 1;
        return frame;
    }
    return NO_FRAME;
}

u32 FrameAllocator::alloc_contiguous(u32 count, u32 align)
{
    if (count == 0 || align == 0) return NO_FRAME;
    // 64-bit: rounding up to a large alignment must not wrap back to 0.
    u64 start = (static_cast<u64>(hint_) + align - 1) / align * align;
    while (start < frames_ && count <= frames_ - start) {
        u32 first = static_cast<u32>(start);
        u32 used = NO_FRAME;
        for (u32 f = first + count; f-- > first;) // from the top: skip past the last used one
            if (is_used(f)) {
                used = f;
                break;
            }
        if (used == NO_FRAME) {
            for (u32 f = first; f < first + count; f++) set(f);
            free_ -= count;
            return first;
        }
        start = (static_cast<u64>(used) + align) / align * align;
    }
    return NO_FRAME;
}

void FrameAllocator::free(u32 frame)
{
    if (frame >= frames_ || !is_used(frame)) return; // a double free is ignored, not corrupting
    clear(frame);
    free_++;
    if (frame < hint_) hint_ = frame;
}

void FrameAllocator::free_range(u32 first, u32 count)
{
    for (u32 i = 0; i < count; i++) free(first + i);
}
