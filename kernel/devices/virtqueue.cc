// kernel/devices/virtqueue.cc: the split virtqueue, every index, address and
// length checked against the queue and guest memory before it is used.
#include "devices/virtqueue.h"
#include "lib/format.h"
#include "vmm/guest_memory.h"

namespace virtio {

namespace {

// One fetch of a guest-owned field, through volatile so the compiler can
// neither repeat the load (a double fetch the guest could race) nor drop it.
// Every field of the rings is naturally aligned once the areas are (enable()
// checks that), and the host's view of guest memory is page-aligned.
u16 fetch16(const u8* p) { return *reinterpret_cast<const volatile u16*>(p); }
u32 fetch32(const u8* p) { return *reinterpret_cast<const volatile u32*>(p); }
void store16(u8* p, u16 v) { *reinterpret_cast<volatile u16*>(p) = v; }
void store32(u8* p, u32 v) { *reinterpret_cast<volatile u32*>(p) = v; }

// Keeps the compiler from moving memory accesses across it.  That is all x86
// needs between two loads or between two stores: the processor never
// reorders loads with loads nor stores with stores as other CPUs see them.
inline void compiler_barrier() { asm volatile("" ::: "memory"); }

// A full fence, for a store followed by a load (the one reordering x86
// does).  GCC makes it a locked `or` to the stack on an i486, mfence or a
// locked op on newer processors; no library call.
inline void full_barrier() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

constexpr bool power_of_two(u32 n) { return n && !(n & (n - 1)); }

// [gpa, gpa + length) inside memory of `size` bytes, for a 64-bit address
// (virtio's addresses are 64-bit; rung's guests live below 4 GiB).
bool range_ok(u64 gpa, u32 length, u32 size)
{
    return gpa <= 0xFFFFFFFFu && gpa_range_ok(static_cast<u32>(gpa), length, size);
}

} // namespace

const char* Virtqueue::fail(const char* fmt, ...)
{
    usize n = snformat(error_, sizeof error_, "queue %u: ", index_);
    va_list args;
    va_start(args, fmt);
    vsnformat(error_ + n, sizeof error_ - n, fmt, args);
    va_end(args);
    return error_;
}

void Virtqueue::init(GuestMemoryView memory, u32 index, u32 max_size, u32 max_chain_bytes)
{
    memory_ = memory;
    index_ = index;
    max_size_ = power_of_two(max_size) && max_size <= MAX_QUEUE_SIZE ? max_size : 0;
    max_chain_bytes_ = max_chain_bytes;
    reset();
}

void Virtqueue::reset()
{
    size = max_size_;
    desc_gpa = avail_gpa = used_gpa = 0;
    enabled_ = false;
    last_avail_idx_ = used_idx_ = 0;
    desc_ = avail_ = used_ = nullptr;
    live_size_ = 0;
    error_[0] = 0;
}

const char* Virtqueue::enable()
{
    enabled_ = false;
    if (size == 0) return fail("size 0");
    if (!power_of_two(size)) return fail("size %u is not a power of two", size);
    if (size > max_size_) return fail("size %u is larger than the device maximum %u", size, max_size_);

    struct Area {
        const char* name;
        u64 gpa;
        u32 align, bytes;
    } const areas[3] = {
        {"descriptor table", desc_gpa, DESC_ALIGN, desc_table_bytes(size)},
        {"available ring", avail_gpa, AVAIL_ALIGN, avail_ring_bytes(size)},
        {"used ring", used_gpa, USED_ALIGN, used_ring_bytes(size)},
    };
    for (const Area& a : areas) {
        if (a.gpa & (a.align - 1)) return fail("%s at 0x%llx is not %u-byte aligned", a.name, a.gpa, a.align);
        if (!range_ok(a.gpa, a.bytes, memory_.size))
            return fail("%s at 0x%llx +%u is outside guest memory", a.name, a.gpa, a.bytes);
    }
    // The areas may overlap each other: that breaks only the guest's own
    // rings, never the host, since every fetch is checked where it is used.
    desc_ = memory_.base + static_cast<u32>(desc_gpa);
    avail_ = memory_.base + static_cast<u32>(avail_gpa);
    used_ = memory_.base + static_cast<u32>(used_gpa);
    live_size_ = size;
    last_avail_idx_ = used_idx_ = 0;
    enabled_ = true;
    return nullptr;
}

const char* Virtqueue::pop(Chain& chain, Segment* segments, u32 capacity)
{
    chain = Chain{};
    if (!enabled_) return nullptr;

    u16 avail_idx = fetch16(avail_ + 2);
    u16 pending = static_cast<u16>(avail_idx - last_avail_idx_);
    if (pending == 0) return nullptr;
    if (pending > live_size_)
        return fail("avail idx jumped from %u to %u (size %u)", last_avail_idx_, avail_idx, live_size_);
    // The ring entry is read after the index that published it (load after
    // load: ordered on x86 once the compiler keeps the order).
    compiler_barrier();
    u32 slot = last_avail_idx_ & (live_size_ - 1);
    u16 head = fetch16(avail_ + 4 + 2 * slot);
    if (head >= live_size_) return fail("avail ring entry %u names descriptor %u (size %u)", slot, head, live_size_);

    // Each step reads one descriptor once.  At most size steps: a chain
    // with more descriptors than the table must revisit one.  Totals are
    // 64-bit (up to 32768 lengths of up to 4 GiB) and checked after the walk,
    // so that a loop is reported as a loop.
    u64 readable_bytes = 0, writable_bytes = 0;
    u32 count = 0, readable = 0;
    bool seen_writable = false;
    u32 i = head;
    for (;;) {
        if (count == live_size_) return fail("descriptor loop from head %u", head);
        const u8* d = desc_ + 16 * i;
        u64 addr = fetch32(d) | static_cast<u64>(fetch32(d + 4)) << 32;
        u32 len = fetch32(d + 8);
        u16 flags = fetch16(d + 12);
        u16 next = fetch16(d + 14);
        if (flags & DESC_F_INDIRECT) return fail("descriptor %u is indirect (not offered)", i);
        if (len == 0) return fail("descriptor %u has length 0", i);
        if (!range_ok(addr, len, memory_.size))
            return fail("descriptor %u at 0x%llx +%u is outside guest memory", i, addr, len);
        bool writable = flags & DESC_F_WRITE;
        if (writable) {
            seen_writable = true;
            writable_bytes += len;
        } else {
            if (seen_writable) return fail("descriptor %u is readable after a writable one", i);
            readable_bytes += len;
            readable++;
        }
        if (count < capacity) segments[count] = Segment{memory_.base + static_cast<u32>(addr), len, writable};
        count++;
        if (!(flags & DESC_F_NEXT)) break;
        if (next >= live_size_) return fail("descriptor %u links to %u (size %u)", i, next, live_size_);
        i = next;
    }
    if (count > capacity) return fail("chain from head %u has %u descriptors, more than %u", head, count, capacity);
    if (readable_bytes + writable_bytes > max_chain_bytes_)
        return fail("chain from head %u is longer than %u bytes", head, max_chain_bytes_);

    last_avail_idx_++;
    chain.head = head;
    chain.count = count;
    chain.readable = readable;
    chain.readable_bytes = static_cast<u32>(readable_bytes);
    chain.writable_bytes = static_cast<u32>(writable_bytes);
    return nullptr;
}

void Virtqueue::push_used(u16 head, u32 written)
{
    if (!enabled_) return;
    // The device's writes into the chain's buffers come before the element
    // that hands them back, and the element before the index that publishes
    // it.  Store after store is ordered on x86: compiler barriers suffice.
    compiler_barrier();
    u8* element = used_ + 4 + 8 * (used_idx_ & (live_size_ - 1));
    store32(element, head);
    store32(element + 4, written);
    compiler_barrier();
    used_idx_++;
    store16(used_ + 2, used_idx_);
}

bool Virtqueue::needs_interrupt()
{
    if (!enabled_) return false;
    // Our store of used idx, then our load of avail flags: the one order x86
    // may break.  A driver that clears NO_INTERRUPT, fences and then reads used
    // idx must not miss both our update and our interrupt, so on SMP this
    // needs a full fence.  (On one CPU the world switch serializes anyway.)
    full_barrier();
    u16 flags = fetch16(avail_);
    return !(flags & AVAIL_F_NO_INTERRUPT);
}

} // namespace virtio
