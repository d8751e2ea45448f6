// kernel/devices/virtqueue.h: the device side of a virtio 1.0 split
// virtqueue, independent of the device and of the transport.  Pure: it sees
// guest memory only as a host pointer and a size, and is unit-tested with
// rings built in a host buffer (tests/unit/test_virtqueue.cc).
//
// The guest owns the descriptor table and the available ring and may rewrite
// them at any moment (from another CPU, once there is SMP): every field is
// fetched once into a local and checked there, and only the checked copy is
// used.  The used ring is the device's: its index is kept here and written
// out, never read back.  The caller (a device) sees a chain only as checked
// segments; it never touches ring memory.
//
// Not offered, so treated as guest errors or ignored: VIRTIO_F_INDIRECT_DESC
// (an INDIRECT descriptor kills), VIRTIO_F_EVENT_IDX (used_event is never
// read, avail_event never written).
//
// Errors: a function that can fail returns nullptr when all is well, or a
// short lower-case reason starting "queue N: " for the guest's kill message.
// The reason lives in the queue and stays valid until the next call.
#pragma once
#include "lib/types.h"

namespace virtio {

// The guest's memory as the host sees it: guest-physical address g is the
// host byte base[g], for g < size.
struct GuestMemoryView {
    u8* base = nullptr;
    u32 size = 0;
};

// One checked buffer of a chain: [host, host + length) is guest memory.
struct Segment {
    u8* host;
    u32 length;   // never 0
    bool writable; // device-writable (VIRTQ_DESC_F_WRITE); otherwise device-readable
};

// A chain taken from the available ring.  segments[0, readable) are
// device-readable and segments[readable, count) device-writable.
struct Chain {
    u16 head = 0;  // its first descriptor: hand it back to push_used
    u32 count = 0; // segments filled in; 0: the queue was empty
    u32 readable = 0;
    u32 readable_bytes = 0, writable_bytes = 0;
};

// Layout constants of virtio 1.0, section 2.4.
constexpr u32 MAX_QUEUE_SIZE = 32768;
constexpr u16 DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4;
constexpr u16 AVAIL_F_NO_INTERRUPT = 1;
constexpr u32 DESC_ALIGN = 16, AVAIL_ALIGN = 2, USED_ALIGN = 4;
constexpr u32 desc_table_bytes(u32 size) { return 16 * size; }
constexpr u32 avail_ring_bytes(u32 size) { return 6 + 2 * size; } // flags, idx, ring, used_event
constexpr u32 used_ring_bytes(u32 size) { return 6 + 8 * size; }  // flags, idx, ring, avail_event

struct Virtqueue {
    // The transport's registers for this queue (common configuration:
    // queue_size, queue_desc, queue_driver, queue_device).  The transport
    // writes them while the queue is disabled; enable() checks them and takes
    // a copy: writing them while enabled changes nothing until the next enable.
    u32 size = 0;
    u64 desc_gpa = 0, avail_gpa = 0, used_gpa = 0;

    // Sets the memory, the queue's number (for reasons), the device's largest
    // queue size (a power of two, at most 32768; it is also the size the
    // transport should report until the driver writes its own) and the
    // longest chain in bytes the device accepts; then resets.
    void init(GuestMemoryView memory, u32 index, u32 max_size, u32 max_chain_bytes);
    // Device reset: disabled, size back to the maximum, addresses and indexes 0.
    void reset();

    // queue_enable = 1: checks the size (a power of two, 1 to the device's
    // maximum) and the three areas (aligned 16, 2 and 4, each entirely inside
    // guest memory), then starts both indexes at 0.  On failure the queue
    // stays disabled.
    const char* enable();
    bool enabled() const { return enabled_; }

    // Takes the next chain the guest made available, if any, into `chain`
    // and segments[0, capacity): chain.count is 0 when there is none (or the
    // queue is disabled).  A chain needing more than `capacity` segments, or
    // longer than max_chain_bytes, is refused as a guest error.  Checked:
    // avail idx moved by at most `size`, the head and every `next` below
    // `size`, at most `size` descriptors (more is a loop), each descriptor
    // non-empty and inside guest memory, not INDIRECT, no readable one after a
    // writable one.  After an error the queue is not advanced: the guest
    // should die.
    const char* pop(Chain& chain, Segment* segments, u32 capacity);

    // Returns chain `head` to the guest with `written` bytes written into its
    // writable segments: the used element, then used idx.  Does nothing on a
    // disabled queue.
    void push_used(u16 head, u32 written);

    // After push_used: whether the guest wants an interrupt
    // (VRING_AVAIL_F_NO_INTERRUPT clear).  False on a disabled queue.
    bool needs_interrupt();

    // The indexes, for the transport's diagnostics and the unit tests.
    u16 last_avail_idx() const { return last_avail_idx_; }
    u16 used_idx() const { return used_idx_; }

private:
    const char* fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

    GuestMemoryView memory_;
    u32 index_ = 0, max_size_ = 0, max_chain_bytes_ = 0;
    bool enabled_ = false;
    u16 last_avail_idx_ = 0; // next avail ring slot the device reads (free-running)
    u16 used_idx_ = 0;       // next used ring slot the device writes (free-running)
    u8* desc_ = nullptr;     // host addresses of the three areas, once enabled
    u8* avail_ = nullptr;
    u8* used_ = nullptr;
    u32 live_size_ = 0;      // `size` as enable() checked it
    char error_[128] = {};
};

} // namespace virtio
