// kernel/console/output_queue.h: the bytes on their way to the serial line,
// in the order they were written, each charged to the guest that wrote it.
//
// A UART sends about 11,520 bytes a second at 115200 baud.  If the host
// waited for it inside a guest's hypercall, one guest's flood would hold
// the CPU for as long as the wire needs, and every other guest would wait.
// So output is queued, the UART is fed from the queue by its interrupt and
// the host tick, and each guest may have at most `Share` bytes in the queue:
// a guest over its share waits (its CONSOLE_WRITE does not return), and the
// others never do, since Size holds every guest's share at once and room for
// the host's own lines besides.  Pure: unit-tested on the build machine.
#pragma once
#include "lib/types.h"

template <u32 Size, u32 Share, u32 Owners>
class OutputQueue {
public:
    static constexpr u32 HOST = Owners; // the host's own lines: never charged, never refused
    static_assert(Size >= Owners * Share, "every guest's share must fit at once");

    u32 used() const { return tail_ - head_; }
    u32 room() const { return Size - used(); }
    bool empty() const { return head_ == tail_; }
    u32 pending(u32 owner) const { return owner < Owners ? pending_[owner] : 0; }

    // May `owner` add `length` bytes now?  Within its share, or the first
    // bytes it has queued at all (a line is always smaller than a share, so
    // a guest is never refused for good), and only if they fit.
    bool accepts(u32 owner, u32 length) const
    {
        if (length > room()) return false;
        if (owner >= Owners) return true;
        return pending_[owner] == 0 || pending_[owner] + length <= Share;
    }

    // Adds what accepts() allowed (the host's bytes: what room() allows).
    void push(u32 owner, const u8* bytes, u32 length)
    {
        u8 who = static_cast<u8>(owner < Owners ? owner : HOST);
        for (u32 i = 0; i < length; i++, tail_++) {
            data_[tail_ % Size] = bytes[i];
            owner_[tail_ % Size] = who;
        }
        if (owner < Owners) pending_[owner] += length;
    }

    // Takes up to `max` bytes from the front; their owners get the room back.
    u32 pop(u8* out, u32 max)
    {
        u32 n = 0;
        for (; n < max && head_ != tail_; n++, head_++) {
            out[n] = data_[head_ % Size];
            u8 who = owner_[head_ % Size];
            if (who < Owners) pending_[who]--;
        }
        return n;
    }

private:
    u8 data_[Size];
    u8 owner_[Size];
    u32 head_ = 0, tail_ = 0; // free-running; Size divides 2^32 or wraps harmlessly below it
    u32 pending_[Owners] = {};
    static_assert(Owners < 256 && (Size & (Size - 1)) == 0, "owner ids fit a byte; Size a power of two");
};
