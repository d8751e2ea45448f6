// tests/unit/test_virtqueue.cc: the split virtqueue (kernel/devices/virtqueue.h),
// with rings built in a host buffer that plays the guest's memory: good
// chains, index wraparound, used ring writes byte for byte, and every
// hostile ring and descriptor we can think of.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "devices/virtqueue.h"

using namespace virtio;

namespace {

constexpr u32 MEM = 1u << 20; // 1 MiB of "guest memory"
constexpr u32 DESC = 0x1000, AVAIL = 0x3000, USED = 0x4000;
constexpr u32 MAX_BYTES = 64 * 1024;
constexpr u32 CAP = 16; // segments the test device accepts

struct Rig {
    std::unique_ptr<u8[]> storage{new u8[MEM + 4096]()};
    u8* mem = storage.get() + (4096 - reinterpret_cast<uintptr_t>(storage.get()) % 4096) % 4096;
    Virtqueue q;
    u16 avail_idx = 0; // the "driver's" producer index
    Segment seg[CAP];
    Chain chain;

    // A queue of `size`, number `index`, device maximum `max`, areas at the
    // default places, chains of at most `max_bytes`; enabled when `enable`.
    explicit Rig(u32 size = 8, u32 index = 0, u32 max = 256, bool enable = true, u32 max_bytes = MAX_BYTES)
    {
        q.init(GuestMemoryView{mem, MEM}, index, max, max_bytes);
        q.size = size;
        q.desc_gpa = DESC;
        q.avail_gpa = AVAIL;
        q.used_gpa = USED;
        if (enable) {
            const char* error = q.enable();
            EXPECT_EQ(error, nullptr) << error;
        }
    }

    void put16(u32 gpa, u16 v) { std::memcpy(mem + gpa, &v, 2); }
    void put32(u32 gpa, u32 v) { std::memcpy(mem + gpa, &v, 4); }
    void put64(u32 gpa, u64 v) { std::memcpy(mem + gpa, &v, 8); }
    u16 get16(u32 gpa) const { u16 v; std::memcpy(&v, mem + gpa, 2); return v; }
    u32 get32(u32 gpa) const { u32 v; std::memcpy(&v, mem + gpa, 4); return v; }

    void desc(u32 i, u64 addr, u32 len, u16 flags = 0, u16 next = 0)
    {
        u32 d = DESC + 16 * i;
        put64(d, addr);
        put32(d + 8, len);
        put16(d + 12, flags);
        put16(d + 14, next);
    }
    // The driver publishes chain `head`: ring entry, then idx.
    void offer(u16 head)
    {
        put16(AVAIL + 4 + 2 * (avail_idx % q.size), head);
        avail_idx++;
        put16(AVAIL + 2, avail_idx);
    }
    void set_avail_idx(u16 idx) { avail_idx = idx; put16(AVAIL + 2, idx); }

    const char* pop(u32 capacity = CAP) { return q.pop(chain, seg, capacity); }
    // Pops and expects success with a chain.
    void pop_ok()
    {
        const char* error = pop();
        ASSERT_EQ(error, nullptr) << error;
        ASSERT_GT(chain.count, 0u);
    }
    std::string pop_error(u32 capacity = CAP)
    {
        const char* error = pop(capacity);
        EXPECT_EQ(chain.count, 0u);
        return error ? error : "(no error)";
    }
    std::string enable_error()
    {
        const char* error = q.enable();
        EXPECT_FALSE(q.enabled());
        return error ? error : "(no error)";
    }
};

} // namespace

// ---- enabling: size, alignment, placement ----------------------------------

TEST(VirtqueueEnable, AGoodQueueIsEnabledWithIndexesAtZero)
{
    Rig r;
    EXPECT_TRUE(r.q.enabled());
    EXPECT_EQ(r.q.last_avail_idx(), 0u);
    EXPECT_EQ(r.q.used_idx(), 0u);
}

TEST(VirtqueueEnable, InitResetsToTheDeviceMaximumDisabled)
{
    Rig r(8, 0, 128, false);
    EXPECT_FALSE(r.q.enabled());
    Virtqueue q;
    q.init(GuestMemoryView{r.mem, MEM}, 2, 128, MAX_BYTES);
    EXPECT_EQ(q.size, 128u);
    EXPECT_EQ(q.desc_gpa, 0u);
    EXPECT_EQ(q.avail_gpa, 0u);
    EXPECT_EQ(q.used_gpa, 0u);
    EXPECT_FALSE(q.enabled());
}

TEST(VirtqueueEnable, SizeZeroIsRefused)
{
    Rig r(0, 0, 256, false);
    EXPECT_EQ(r.enable_error(), "queue 0: size 0");
}

TEST(VirtqueueEnable, SizeNotAPowerOfTwoIsRefused)
{
    for (u32 size : {3u, 6u, 12u, 100u, 255u}) {
        Rig r(size, 1, 256, false);
        EXPECT_EQ(r.enable_error(), "queue 1: size " + std::to_string(size) + " is not a power of two");
    }
}

TEST(VirtqueueEnable, SizeAboveTheDeviceMaximumIsRefused)
{
    Rig r(512, 0, 256, false);
    EXPECT_EQ(r.enable_error(), "queue 0: size 512 is larger than the device maximum 256");
    Rig s(65536, 0, MAX_QUEUE_SIZE, false);
    EXPECT_EQ(s.enable_error(), "queue 0: size 65536 is larger than the device maximum 32768");
}

TEST(VirtqueueEnable, ADeviceMaximumAbove32768IsNotBelieved)
{
    Rig r(65536, 0, 65536, false);
    EXPECT_EQ(r.enable_error(), "queue 0: size 65536 is larger than the device maximum 0");
}

TEST(VirtqueueEnable, SizesOneAnd32768AreFine)
{
    Rig r(1);
    EXPECT_TRUE(r.q.enabled());
    // 32768: a 512 KiB table, then both rings, inside 1 MiB.
    Rig s(MAX_QUEUE_SIZE, 0, MAX_QUEUE_SIZE, false);
    s.q.desc_gpa = 0;
    s.q.avail_gpa = 0x80000;
    s.q.used_gpa = 0x90000;
    EXPECT_EQ(s.q.enable(), nullptr);
}

TEST(VirtqueueEnable, MisalignedAreasAreRefused)
{
    {
        Rig r(8, 0, 256, false);
        r.q.desc_gpa = DESC + 8;
        EXPECT_EQ(r.enable_error(), "queue 0: descriptor table at 0x1008 is not 16-byte aligned");
    }
    {
        Rig r(8, 0, 256, false);
        r.q.avail_gpa = AVAIL + 1;
        EXPECT_EQ(r.enable_error(), "queue 0: available ring at 0x3001 is not 2-byte aligned");
    }
    {
        Rig r(8, 0, 256, false);
        r.q.used_gpa = USED + 2;
        EXPECT_EQ(r.enable_error(), "queue 0: used ring at 0x4002 is not 4-byte aligned");
    }
}

TEST(VirtqueueEnable, TheSmallestAlignmentsAreEnough)
{
    Rig r(8, 0, 256, false);
    r.q.desc_gpa = DESC + 16;
    r.q.avail_gpa = AVAIL + 2;
    r.q.used_gpa = USED + 4;
    EXPECT_EQ(r.q.enable(), nullptr);
}

TEST(VirtqueueEnable, AreasOutsideGuestMemoryAreRefused)
{
    {
        Rig r(8, 0, 256, false);
        r.q.desc_gpa = MEM;
        EXPECT_EQ(r.enable_error(), "queue 0: descriptor table at 0x100000 +128 is outside guest memory");
    }
    {
        Rig r(8, 0, 256, false);
        r.q.desc_gpa = MEM - 64; // straddles the end
        EXPECT_EQ(r.enable_error(), "queue 0: descriptor table at 0xfffc0 +128 is outside guest memory");
    }
    {
        Rig r(8, 0, 256, false);
        r.q.avail_gpa = 0xFFFFFFFE;
        EXPECT_EQ(r.enable_error(), "queue 0: available ring at 0xfffffffe +22 is outside guest memory");
    }
    {
        Rig r(8, 0, 256, false);
        r.q.used_gpa = 0xFFFFFFFC; // would wrap past 4 GiB
        EXPECT_EQ(r.enable_error(), "queue 0: used ring at 0xfffffffc +70 is outside guest memory");
    }
}

TEST(VirtqueueEnable, AddressesAbove4GiBAreNotTruncated)
{
    // Truncated to 32 bits these would be the good default places.
    for (int area = 0; area < 3; area++) {
        Rig r(8, 0, 256, false);
        u64 high = 1ull << 32;
        if (area == 0) r.q.desc_gpa += high;
        if (area == 1) r.q.avail_gpa += high;
        if (area == 2) r.q.used_gpa += high;
        std::string error = r.enable_error();
        EXPECT_NE(error.find("0x10000"), std::string::npos) << error;
        EXPECT_NE(error.find("is outside guest memory"), std::string::npos) << error;
    }
}

TEST(VirtqueueEnable, RingsMayEndExactlyAtTheEndOfMemory)
{
    // The available ring includes used_event, the used ring avail_event:
    // 6 + 2 * 8 and 6 + 8 * 8 bytes.
    Rig r(8, 0, 256, false);
    r.q.desc_gpa = MEM - 128;
    r.q.avail_gpa = MEM - 22;
    r.q.used_gpa = MEM - 72; // 4-aligned, 2 bytes to spare
    EXPECT_EQ(r.q.enable(), nullptr);

    Rig s(8, 0, 256, false);
    s.q.avail_gpa = MEM - 20; // used_event would lie outside
    EXPECT_EQ(s.enable_error(), "queue 0: available ring at 0xfffec +22 is outside guest memory");
    Rig t(8, 0, 256, false);
    t.q.used_gpa = MEM - 68; // avail_event would lie outside
    EXPECT_EQ(t.enable_error(), "queue 0: used ring at 0xfffbc +70 is outside guest memory");
}

TEST(VirtqueueEnable, AFailedEnableLeavesNothingUsable)
{
    Rig r;
    r.desc(0, 0x8000, 16);
    r.offer(0);
    r.q.used_gpa = 2; // the driver rewrites an address badly and enables again
    EXPECT_NE(r.q.enable(), nullptr);
    EXPECT_EQ(r.pop(), nullptr);
    EXPECT_EQ(r.chain.count, 0u);
    r.q.push_used(0, 16);
    EXPECT_EQ(r.get16(USED + 2), 0u);
    EXPECT_FALSE(r.q.needs_interrupt());
}

TEST(VirtqueueEnable, ResetDisablesAndZeroesTheIndexes)
{
    Rig r;
    r.desc(0, 0x8000, 16);
    r.offer(0);
    r.pop_ok();
    r.q.push_used(0, 0);
    r.q.reset();
    EXPECT_FALSE(r.q.enabled());
    EXPECT_EQ(r.q.size, 256u);
    EXPECT_EQ(r.q.desc_gpa, 0u);
    EXPECT_EQ(r.q.last_avail_idx(), 0u);
    EXPECT_EQ(r.q.used_idx(), 0u);
    EXPECT_EQ(r.pop(), nullptr);
    EXPECT_EQ(r.chain.count, 0u);
}

TEST(VirtqueueEnable, EnablingAgainStartsTheIndexesAtZero)
{
    Rig r;
    r.desc(0, 0x8000, 16);
    r.offer(0);
    r.pop_ok();
    r.q.push_used(0, 0);
    EXPECT_EQ(r.q.enable(), nullptr);
    EXPECT_EQ(r.q.last_avail_idx(), 0u);
    EXPECT_EQ(r.q.used_idx(), 0u);
}

TEST(VirtqueueEnable, RegistersWrittenWhileEnabledChangeNothing)
{
    // A driver that grows the size or moves a ring after enabling (the spec
    // forbids it) must not make the device walk past the checked areas.
    Rig r(2);
    r.q.size = 32768;
    r.q.desc_gpa = MEM - 16;
    r.q.used_gpa = 0;
    r.desc(1, 0x8000, 8);
    r.offer(1);
    r.pop_ok();
    EXPECT_EQ(r.chain.head, 1u);
    r.offer(2); // 2 is out of range for the size enable() saw
    EXPECT_EQ(r.pop_error(), "queue 0: avail ring entry 1 names descriptor 2 (size 2)");
    r.q.push_used(1, 8);
    EXPECT_EQ(r.get16(USED + 2), 1u);
    EXPECT_EQ(r.get16(0 + 2), 0u);
}

// ---- pop: good chains ----------------------------------------------------

TEST(VirtqueuePop, AnEmptyQueueGivesNoChain)
{
    Rig r;
    EXPECT_EQ(r.pop(), nullptr);
    EXPECT_EQ(r.chain.count, 0u);
    EXPECT_EQ(r.q.last_avail_idx(), 0u);
}

TEST(VirtqueuePop, ADisabledQueueIsEmpty)
{
    Rig r(8, 0, 256, false);
    r.desc(0, 0x8000, 16);
    r.put16(AVAIL + 4, 0);
    r.put16(AVAIL + 2, 1);
    EXPECT_EQ(r.pop(), nullptr);
    EXPECT_EQ(r.chain.count, 0u);
}

TEST(VirtqueuePop, ASingleReadableDescriptor)
{
    Rig r;
    r.desc(5, 0x8000, 100);
    r.offer(5);
    r.pop_ok();
    EXPECT_EQ(r.chain.head, 5u);
    EXPECT_EQ(r.chain.count, 1u);
    EXPECT_EQ(r.chain.readable, 1u);
    EXPECT_EQ(r.chain.readable_bytes, 100u);
    EXPECT_EQ(r.chain.writable_bytes, 0u);
    EXPECT_EQ(r.seg[0].host, r.mem + 0x8000);
    EXPECT_EQ(r.seg[0].length, 100u);
    EXPECT_FALSE(r.seg[0].writable);
    EXPECT_EQ(r.q.last_avail_idx(), 1u);
    // Nothing more.
    EXPECT_EQ(r.pop(), nullptr);
    EXPECT_EQ(r.chain.count, 0u);
}

TEST(VirtqueuePop, AChainFollowsNextInAnyOrder)
{
    Rig r;
    r.desc(6, 0x8000, 10, DESC_F_NEXT, 2);
    r.desc(2, 0x9000, 20, DESC_F_NEXT, 7);
    r.desc(7, 0xA000, 30);
    r.offer(6);
    r.pop_ok();
    EXPECT_EQ(r.chain.head, 6u);
    ASSERT_EQ(r.chain.count, 3u);
    EXPECT_EQ(r.chain.readable, 3u);
    EXPECT_EQ(r.chain.readable_bytes, 60u);
    EXPECT_EQ(r.seg[0].host, r.mem + 0x8000);
    EXPECT_EQ(r.seg[1].host, r.mem + 0x9000);
    EXPECT_EQ(r.seg[2].host, r.mem + 0xA000);
    EXPECT_EQ(r.seg[2].length, 30u);
}

TEST(VirtqueuePop, ReadableThenWritable)
{
    Rig r;
    r.desc(0, 0x8000, 16, DESC_F_NEXT, 1);                     // request header
    r.desc(1, 0x9000, 512, DESC_F_NEXT, 2);                    // data out
    r.desc(2, 0xA000, 512, DESC_F_NEXT | DESC_F_WRITE, 3);     // data in
    r.desc(3, 0xB000, 1, DESC_F_WRITE);                        // status
    r.offer(0);
    r.pop_ok();
    ASSERT_EQ(r.chain.count, 4u);
    EXPECT_EQ(r.chain.readable, 2u);
    EXPECT_EQ(r.chain.readable_bytes, 528u);
    EXPECT_EQ(r.chain.writable_bytes, 513u);
    EXPECT_FALSE(r.seg[0].writable);
    EXPECT_FALSE(r.seg[1].writable);
    EXPECT_TRUE(r.seg[2].writable);
    EXPECT_TRUE(r.seg[3].writable);
}

TEST(VirtqueuePop, WritableOnlyLikeAReceiveBuffer)
{
    Rig r;
    r.desc(3, 0x8000, 4096, DESC_F_WRITE);
    r.offer(3);
    r.pop_ok();
    EXPECT_EQ(r.chain.readable, 0u);
    EXPECT_EQ(r.chain.writable_bytes, 4096u);
    // The device writes through the segment: the bytes land at the GPA.
    std::memcpy(r.seg[0].host, "hello", 5);
    EXPECT_EQ(std::memcmp(r.mem + 0x8000, "hello", 5), 0);
}

TEST(VirtqueuePop, ChainsComeOutInTheOrderOffered)
{
    Rig r;
    for (u32 i = 0; i < 8; i++) r.desc(i, 0x8000 + 0x100 * i, 1 + i);
    for (u16 head : {4, 0, 7, 1}) r.offer(head);
    for (u16 head : {4, 0, 7, 1}) {
        r.pop_ok();
        EXPECT_EQ(r.chain.head, head);
        EXPECT_EQ(r.seg[0].length, 1u + head);
    }
    EXPECT_EQ(r.pop(), nullptr);
    EXPECT_EQ(r.chain.count, 0u);
}

TEST(VirtqueuePop, AFullRingIsFine)
{
    Rig r;
    for (u32 i = 0; i < 8; i++) {
        r.desc(i, 0x8000, 4);
        r.offer(static_cast<u16>(i));
    }
    for (u32 i = 0; i < 8; i++) {
        r.pop_ok();
        EXPECT_EQ(r.chain.head, i);
    }
}

TEST(VirtqueuePop, AChainOfExactlySizeDescriptors)
{
    Rig r;
    for (u32 i = 0; i < 8; i++) r.desc(i, 0x8000 + i * 8, 8, i < 7 ? DESC_F_NEXT : 0, static_cast<u16>(i + 1));
    r.offer(0);
    r.pop_ok();
    EXPECT_EQ(r.chain.count, 8u);
    EXPECT_EQ(r.chain.readable_bytes, 64u);
}

TEST(VirtqueuePop, BuffersAtTheEdgesOfMemory)
{
    Rig r(8, 0, 256, true, 2 * MEM);
    r.desc(0, 0, MEM, DESC_F_NEXT, 1); // all of memory
    r.desc(1, MEM - 1, 1);               // the last byte
    r.offer(0);
    r.pop_ok();
    EXPECT_EQ(r.seg[0].host, r.mem);
    EXPECT_EQ(r.seg[0].length, MEM);
    EXPECT_EQ(r.seg[1].host, r.mem + MEM - 1);
}

TEST(VirtqueuePop, ExactlyTheByteLimitIsFine)
{
    Rig r;
    r.desc(0, 0x10000, MAX_BYTES - 1, DESC_F_NEXT, 1);
    r.desc(1, 0x8000, 1, DESC_F_WRITE);
    r.offer(0);
    r.pop_ok();
    EXPECT_EQ(r.chain.readable_bytes + r.chain.writable_bytes, MAX_BYTES);
}

TEST(VirtqueuePop, UnknownFlagBitsAreIgnored)
{
    Rig r;
    r.desc(0, 0x8000, 8, 0xFFF8);
    r.offer(0);
    r.pop_ok();
    EXPECT_EQ(r.chain.count, 1u);
    EXPECT_FALSE(r.seg[0].writable);
}

TEST(VirtqueuePop, ADescriptorMayBeReusedAfterItsChainIsUsed)
{
    Rig r;
    r.desc(0, 0x8000, 8);
    for (int round = 0; round < 20; round++) {
        r.offer(0);
        r.pop_ok();
        r.q.push_used(0, 0);
    }
    EXPECT_EQ(r.q.last_avail_idx(), 20u);
    EXPECT_EQ(r.get16(USED + 2), 20u);
}

TEST(VirtqueuePop, IndexesWrapAt65536)
{
    // size 4: the ring slot wraps every 4 chains, both 16-bit indexes after 65536.
    Rig r(4);
    for (u32 i = 0; i < 4; i++) r.desc(i, 0x8000 + 0x10 * i, 1 + i);
    for (u32 n = 0; n < 65536 + 10; n++) {
        u16 head = static_cast<u16>((n * 3) % 4);
        r.offer(head);
        r.pop_ok();
        ASSERT_EQ(r.chain.head, head) << n;
        r.q.push_used(head, n);
        ASSERT_EQ(r.get16(USED + 2), static_cast<u16>(n + 1)) << n;
        ASSERT_EQ(r.get32(USED + 4 + 8 * (n % 4)), head) << n;
        ASSERT_EQ(r.get32(USED + 8 + 8 * (n % 4)), n) << n;
    }
    EXPECT_EQ(r.q.last_avail_idx(), 10u);
    EXPECT_EQ(r.q.used_idx(), 10u);
}

TEST(VirtqueuePop, WrapWithSeveralPendingAcrossZero)
{
    Rig r;
    for (u32 i = 0; i < 8; i++) r.desc(i, 0x8000, 4);
    // Bring both sides to 65533, then offer 6 chains: idx goes 65533 -> 3.
    r.avail_idx = 65533;
    for (u32 n = 0; n < 65533; n++) { // the device side catches up, one empty chain at a time
        r.put16(AVAIL + 4 + 2 * (n % 8), 0);
        r.put16(AVAIL + 2, static_cast<u16>(n + 1));
        r.pop_ok();
    }
    for (u16 head : {1, 2, 3, 4, 5, 6}) r.offer(head);
    EXPECT_EQ(r.get16(AVAIL + 2), 3u);
    for (u16 head : {1, 2, 3, 4, 5, 6}) {
        r.pop_ok();
        EXPECT_EQ(r.chain.head, head);
    }
    EXPECT_EQ(r.q.last_avail_idx(), 3u);
    EXPECT_EQ(r.pop(), nullptr);
    EXPECT_EQ(r.chain.count, 0u);
}

// ---- pop: hostile rings ------------------------------------------------------

TEST(VirtqueueHostile, AvailIdxJumpingMoreThanSize)
{
    Rig r(8, 1);
    r.set_avail_idx(9);
    EXPECT_EQ(r.pop_error(), "queue 1: avail idx jumped from 0 to 9 (size 8)");
    Rig s;
    s.set_avail_idx(900);
    EXPECT_EQ(s.pop_error(), "queue 0: avail idx jumped from 0 to 900 (size 8)");
}

TEST(VirtqueueHostile, AvailIdxGoingBackwards)
{
    Rig r;
    r.desc(0, 0x8000, 4);
    r.offer(0);
    r.offer(0);
    r.pop_ok();
    r.pop_ok();
    r.set_avail_idx(1); // 2 -> 1 looks like 65535 new chains
    EXPECT_EQ(r.pop_error(), "queue 0: avail idx jumped from 2 to 1 (size 8)");
    EXPECT_EQ(r.q.last_avail_idx(), 2u);
}

TEST(VirtqueueHostile, HeadOutOfRange)
{
    for (u16 head : {u16{8}, u16{9}, u16{0xFFFF}}) {
        Rig r;
        r.offer(head);
        EXPECT_EQ(r.pop_error(), "queue 0: avail ring entry 0 names descriptor " + std::to_string(head) + " (size 8)");
    }
}

TEST(VirtqueueHostile, NextOutOfRange)
{
    Rig r;
    r.desc(0, 0x8000, 4, DESC_F_NEXT, 1);
    r.desc(1, 0x8000, 4, DESC_F_NEXT, 8);
    r.offer(0);
    EXPECT_EQ(r.pop_error(), "queue 0: descriptor 1 links to 8 (size 8)");
}

TEST(VirtqueueHostile, DescriptorOutsideGuestMemory)
{
    Rig r;
    r.desc(5, MEM, 4096);
    r.offer(5);
    EXPECT_EQ(r.pop_error(), "queue 0: descriptor 5 at 0x100000 +4096 is outside guest memory");
    Rig s;
    s.desc(2, MEM - 10, 11); // one byte too many
    s.offer(2);
    EXPECT_EQ(s.pop_error(), "queue 0: descriptor 2 at 0xffff6 +11 is outside guest memory");
}

TEST(VirtqueueHostile, LaterDescriptorOutsideGuestMemory)
{
    Rig r;
    r.desc(0, 0x8000, 4, DESC_F_NEXT, 3);
    r.desc(3, 0xF0000000u, 4, DESC_F_WRITE);
    r.offer(0);
    EXPECT_EQ(r.pop_error(), "queue 0: descriptor 3 at 0xf0000000 +4 is outside guest memory");
}

TEST(VirtqueueHostile, AddrPlusLenWrappingPast4GiB)
{
    Rig r;
    r.desc(0, 0x1000, 0xFFFFF001u); // 0x1000 + len wraps to 0x1 in 32 bits
    r.offer(0);
    EXPECT_EQ(r.pop_error(), "queue 0: descriptor 0 at 0x1000 +4294963201 is outside guest memory");
    Rig s;
    s.desc(0, 0xFFFFF000u, 0x2000);
    s.offer(0);
    EXPECT_EQ(s.pop_error(), "queue 0: descriptor 0 at 0xfffff000 +8192 is outside guest memory");
}

TEST(VirtqueueHostile, AddressAbove4GiBIsNotTruncated)
{
    Rig r;
    r.desc(0, 0x100008000ull, 16); // 0x8000 if truncated
    r.offer(0);
    EXPECT_EQ(r.pop_error(), "queue 0: descriptor 0 at 0x100008000 +16 is outside guest memory");
    Rig s;
    s.desc(0, ~0ull, 1);
    s.offer(0);
    EXPECT_EQ(s.pop_error(), "queue 0: descriptor 0 at 0xffffffffffffffff +1 is outside guest memory");
}

TEST(VirtqueueHostile, ZeroLength)
{
    Rig r;
    r.desc(0, 0x8000, 8, DESC_F_NEXT, 1);
    r.desc(1, 0x8000, 0, DESC_F_WRITE);
    r.offer(0);
    EXPECT_EQ(r.pop_error(), "queue 0: descriptor 1 has length 0");
}

TEST(VirtqueueHostile, SelfLoop)
{
    Rig r(8, 3);
    r.desc(4, 0x8000, 8, DESC_F_NEXT, 4);
    r.offer(4);
    EXPECT_EQ(r.pop_error(), "queue 3: descriptor loop from head 4");
}

TEST(VirtqueueHostile, LongerLoop)
{
    Rig r;
    r.desc(1, 0x8000, 8, DESC_F_NEXT, 2);
    r.desc(2, 0x8000, 8, DESC_F_NEXT, 5);
    r.desc(5, 0x8000, 8, DESC_F_NEXT, 2); // back to 2
    r.offer(1);
    EXPECT_EQ(r.pop_error(), "queue 0: descriptor loop from head 1");
}

TEST(VirtqueueHostile, ALoopIsALoopWhateverTheLimits)
{
    // A loop of big buffers through a big table with a small device: still
    // reported as a loop, not as a long chain.
    Rig r(256);
    r.desc(0, 0, 60000, DESC_F_NEXT, 1);
    r.desc(1, 0, 60000, DESC_F_NEXT, 0);
    r.offer(0);
    EXPECT_EQ(r.pop_error(2), "queue 0: descriptor loop from head 0");
}

TEST(VirtqueueHostile, ALoopThroughAWholeLargeTableEnds)
{
    Rig r(MAX_QUEUE_SIZE, 0, MAX_QUEUE_SIZE, false);
    r.q.desc_gpa = 0x20000;
    r.q.avail_gpa = 0xA0000;
    r.q.used_gpa = 0xB8000;
    ASSERT_EQ(r.q.enable(), nullptr);
    for (u32 i = 0; i < MAX_QUEUE_SIZE; i++) {
        u32 d = 0x20000 + 16 * i;
        r.put64(d, 0x1000);
        r.put32(d + 8, 1);
        r.put16(d + 12, DESC_F_NEXT);
        r.put16(d + 14, static_cast<u16>((i + 1) % MAX_QUEUE_SIZE));
    }
    r.put16(0xA0000 + 4, 0);
    r.put16(0xA0000 + 2, 1);
    const char* error = r.q.pop(r.chain, r.seg, CAP);
    ASSERT_NE(error, nullptr);
    EXPECT_STREQ(error, "queue 0: descriptor loop from head 0");
}

TEST(VirtqueueHostile, MoreDescriptorsThanTheDeviceTakes)
{
    Rig r;
    for (u32 i = 0; i < 5; i++) r.desc(i, 0x8000, 8, i < 4 ? DESC_F_NEXT : 0, static_cast<u16>(i + 1));
    r.offer(0);
    EXPECT_EQ(r.pop_error(4), "queue 0: chain from head 0 has 5 descriptors, more than 4");
    EXPECT_EQ(r.q.last_avail_idx(), 0u);
    // With room for five it is a good chain.
    r.pop_ok();
    EXPECT_EQ(r.chain.count, 5u);
}

TEST(VirtqueueHostile, LongerThanTheByteLimit)
{
    Rig r;
    r.desc(0, 0x10000, MAX_BYTES, DESC_F_NEXT, 1);
    r.desc(1, 0x8000, 1, DESC_F_WRITE);
    r.offer(0);
    EXPECT_EQ(r.pop_error(), "queue 0: chain from head 0 is longer than 65536 bytes");
}

TEST(VirtqueueHostile, ByteTotalsDoNotWrapIn32Bits)
{
    // 4097 descriptors of all of memory (1 MiB) make 4097 MiB: a 32-bit sum
    // would wrap to 1 MiB and pass a limit of 4 GiB - 1.
    Rig r(8192, 0, 8192, false, 0xFFFFFFFFu);
    r.q.desc_gpa = 0x20000;
    r.q.avail_gpa = 0x40000;
    r.q.used_gpa = 0x50000;
    ASSERT_EQ(r.q.enable(), nullptr);
    auto chain_of = [&](u32 n) {
        for (u32 i = 0; i < n; i++) {
            u32 d = 0x20000 + 16 * i;
            r.put64(d, 0);
            r.put32(d + 8, MEM);
            r.put16(d + 12, i + 1 < n ? DESC_F_NEXT : 0);
            r.put16(d + 14, static_cast<u16>(i + 1));
        }
    };
    std::unique_ptr<Segment[]> many(new Segment[8192]);
    chain_of(4097);
    r.put16(0x40000 + 4, 0);
    r.put16(0x40000 + 2, 1);
    const char* error = r.q.pop(r.chain, many.get(), 8192);
    ASSERT_NE(error, nullptr);
    EXPECT_STREQ(error, "queue 0: chain from head 0 is longer than 4294967295 bytes");
    // 4095 MiB is under the limit.
    chain_of(4095);
    error = r.q.pop(r.chain, many.get(), 8192);
    ASSERT_EQ(error, nullptr) << error;
    EXPECT_EQ(r.chain.count, 4095u);
    EXPECT_EQ(r.chain.readable_bytes, 4095u * MEM);
}

TEST(VirtqueueHostile, IndirectIsNotOffered)
{
    Rig r;
    r.desc(2, 0x8000, 32, DESC_F_INDIRECT);
    r.offer(2);
    EXPECT_EQ(r.pop_error(), "queue 0: descriptor 2 is indirect (not offered)");
    Rig s;
    s.desc(0, 0x8000, 8, DESC_F_NEXT, 1);
    s.desc(1, 0x9000, 32, DESC_F_INDIRECT | DESC_F_WRITE);
    s.offer(0);
    EXPECT_EQ(s.pop_error(), "queue 0: descriptor 1 is indirect (not offered)");
}

TEST(VirtqueueHostile, ReadableAfterWritable)
{
    Rig r;
    r.desc(0, 0x8000, 8, DESC_F_NEXT, 1);
    r.desc(1, 0x9000, 8, DESC_F_NEXT | DESC_F_WRITE, 2);
    r.desc(2, 0xA000, 8);
    r.offer(0);
    EXPECT_EQ(r.pop_error(), "queue 0: descriptor 2 is readable after a writable one");
}

TEST(VirtqueueHostile, AnErrorDoesNotAdvanceTheQueue)
{
    Rig r;
    r.desc(0, 0x8000, 8);
    r.desc(1, MEM, 8);
    r.offer(0);
    r.offer(1);
    r.pop_ok();
    EXPECT_NE(r.pop(), nullptr);
    EXPECT_EQ(r.q.last_avail_idx(), 1u);
    EXPECT_NE(r.pop(), nullptr); // the same error again, never skipped
    EXPECT_EQ(r.q.last_avail_idx(), 1u);
}

TEST(VirtqueueHostile, TheRingIsReadAtTheOffsetsOfItsSize)
{
    // A queue of size 2 reads only ring[0] and ring[1]; an entry the driver
    // wrote at ring[2] (out of bounds for it) is never used.
    Rig r(2);
    r.desc(0, 0x8000, 8);
    r.desc(1, 0x9000, 8);
    r.put16(AVAIL + 4 + 2 * 2, 7);
    r.offer(1);
    r.offer(0);
    r.offer(1); // slot 0 again
    r.set_avail_idx(2);
    r.pop_ok();
    EXPECT_EQ(r.chain.head, 1u);
    r.pop_ok();
    EXPECT_EQ(r.chain.head, 0u);
}

TEST(VirtqueueHostile, ReasonsFitTheBuffer)
{
    // The longest reason there is, with the largest numbers.
    Rig r(8, 4294967295u);
    r.desc(7, ~0ull, 0xFFFFFFFFu);
    r.offer(7);
    EXPECT_EQ(r.pop_error(),
              "queue 4294967295: descriptor 7 at 0xffffffffffffffff +4294967295 is outside guest memory");
}

// ---- push_used ---------------------------------------------------------------

TEST(VirtqueueUsed, TheElementAndIdxLandExactlyWhereExpected)
{
    Rig r;
    std::memset(r.mem + USED - 16, 0xAA, 16 + used_ring_bytes(8) + 16);
    r.put16(USED, 0); // flags: the driver's
    r.put16(USED + 2, 0);
    r.q.push_used(5, 0x12345678);
    // flags untouched, idx 1, ring[0] = {5, 0x12345678}; nothing else written.
    EXPECT_EQ(r.get16(USED), 0u);
    EXPECT_EQ(r.get16(USED + 2), 1u);
    EXPECT_EQ(r.get32(USED + 4), 5u);
    EXPECT_EQ(r.get32(USED + 8), 0x12345678u);
    for (u32 gpa = USED - 16; gpa < USED; gpa++) EXPECT_EQ(r.mem[gpa], 0xAA) << gpa;
    for (u32 gpa = USED + 12; gpa < USED + used_ring_bytes(8) + 16; gpa++) EXPECT_EQ(r.mem[gpa], 0xAA) << gpa;

    r.q.push_used(2, 7);
    EXPECT_EQ(r.get16(USED + 2), 2u);
    EXPECT_EQ(r.get32(USED + 12), 2u);
    EXPECT_EQ(r.get32(USED + 16), 7u);
    EXPECT_EQ(r.mem[USED + 20], 0xAA);
}

TEST(VirtqueueUsed, TheSlotWrapsAtTheQueueSize)
{
    Rig r(4);
    for (u32 n = 0; n < 6; n++) r.q.push_used(static_cast<u16>(n), 100 + n);
    EXPECT_EQ(r.get16(USED + 2), 6u);
    // Slots 0 and 1 were overwritten by the fifth and sixth elements.
    EXPECT_EQ(r.get32(USED + 4), 4u);
    EXPECT_EQ(r.get32(USED + 8), 104u);
    EXPECT_EQ(r.get32(USED + 12), 5u);
    EXPECT_EQ(r.get32(USED + 20), 2u);
    EXPECT_EQ(r.get32(USED + 28), 3u);
}

TEST(VirtqueueUsed, TheGuestCannotMoveTheUsedIndex)
{
    // The device keeps its own used idx: a guest scribbling over used->idx
    // changes nothing about where the next element goes.
    Rig r;
    r.q.push_used(1, 1);
    r.put16(USED + 2, 5000);
    r.q.push_used(2, 2);
    EXPECT_EQ(r.get16(USED + 2), 2u);
    EXPECT_EQ(r.get32(USED + 12), 2u);
    EXPECT_EQ(r.q.used_idx(), 2u);
}

TEST(VirtqueueUsed, ADisabledQueueWritesNothing)
{
    Rig r(8, 0, 256, false);
    std::memset(r.mem + USED, 0x55, used_ring_bytes(8));
    r.q.push_used(1, 1);
    for (u32 i = 0; i < used_ring_bytes(8); i++) EXPECT_EQ(r.mem[USED + i], 0x55) << i;
}

// ---- interrupts ----------------------------------------------------------------

TEST(VirtqueueInterrupt, WantedUnlessNoInterruptIsSet)
{
    Rig r;
    r.q.push_used(0, 0);
    r.put16(AVAIL, 0);
    EXPECT_TRUE(r.q.needs_interrupt());
    r.put16(AVAIL, AVAIL_F_NO_INTERRUPT);
    EXPECT_FALSE(r.q.needs_interrupt());
    r.put16(AVAIL, 0xFFFE); // other bits mean nothing
    EXPECT_TRUE(r.q.needs_interrupt());
    r.put16(AVAIL, 0xFFFF);
    EXPECT_FALSE(r.q.needs_interrupt());
}

TEST(VirtqueueInterrupt, UsedEventIsIgnored)
{
    // EVENT_IDX is not offered: used_event (after the avail ring) means nothing.
    Rig r;
    r.put16(AVAIL, 0);
    r.put16(AVAIL + 4 + 2 * 8, 1000);
    r.q.push_used(0, 0);
    EXPECT_TRUE(r.q.needs_interrupt());
}

TEST(VirtqueueInterrupt, NeverOnADisabledQueue)
{
    Rig r(8, 0, 256, false);
    r.put16(AVAIL, 0);
    EXPECT_FALSE(r.q.needs_interrupt());
}
