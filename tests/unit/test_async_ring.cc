// tests/unit/test_async_ring.cc: draining the asynchronous hypercall ring of
// lguest_data (kernel/vmm/async_ring.h; guest ABI, section 4).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "vmm/async_ring.h"

namespace {

struct Ring {
    LguestData data;
    u32 next = 0;
    std::vector<u32> ran; // arg0 of each call run, in order

    Ring()
    {
        std::memset(&data, 0, sizeof data);
        std::memset(data.hcall_status, ASYNC_FREE, sizeof data.hcall_status);
    }
    // Queues slot i with arg0 = 1000 + i and the other arguments derived from it.
    void queue(u32 i)
    {
        data.hcalls[i] = AsyncCall{1000 + i, i * 10 + 1, i * 10 + 2, i * 10 + 3, i * 10 + 4};
        data.hcall_status[i] = ASYNC_QUEUED;
    }
    bool drain()
    {
        return drain_async_ring(data, next, [this](const AsyncCall& c) {
            ran.push_back(c.arg0);
            return true;
        });
    }
    u32 queued_count() const
    {
        u32 n = 0;
        for (u8 s : data.hcall_status) n += s == ASYNC_QUEUED;
        return n;
    }
};

std::vector<u32> calls(std::initializer_list<u32> slots)
{
    std::vector<u32> v;
    for (u32 s : slots) v.push_back(1000 + s);
    return v;
}

} // namespace

TEST(AsyncRing, EmptyRingRunsNothing)
{
    Ring r;
    r.next = 17;
    EXPECT_TRUE(r.drain());
    EXPECT_TRUE(r.ran.empty());
    EXPECT_EQ(r.next, 17u);
}

TEST(AsyncRing, RunsQueuedSlotsInOrderAndFreesThem)
{
    Ring r;
    for (u32 i = 0; i < 3; i++) r.queue(i);
    EXPECT_TRUE(r.drain());
    EXPECT_EQ(r.ran, calls({0, 1, 2}));
    EXPECT_EQ(r.next, 3u);
    for (u32 i = 0; i < ASYNC_SLOTS; i++) EXPECT_EQ(r.data.hcall_status[i], ASYNC_FREE) << i;
    // A second drain has nothing to do.
    r.ran.clear();
    EXPECT_TRUE(r.drain());
    EXPECT_TRUE(r.ran.empty());
    EXPECT_EQ(r.next, 3u);
}

TEST(AsyncRing, CallArgumentsArePassed)
{
    Ring r;
    r.next = 9;
    r.queue(9);
    std::vector<AsyncCall> seen;
    EXPECT_TRUE(drain_async_ring(r.data, r.next, [&](const AsyncCall& c) {
        seen.push_back(c);
        return true;
    }));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].arg0, 1009u);
    EXPECT_EQ(seen[0].arg1, 91u);
    EXPECT_EQ(seen[0].arg2, 92u);
    EXPECT_EQ(seen[0].arg3, 93u);
    EXPECT_EQ(seen[0].arg4, 94u);
}

TEST(AsyncRing, StartsFromNextNotFromZero)
{
    Ring r;
    for (u32 i = 0; i < 8; i++) r.queue(i);
    r.data.hcall_status[7] = ASYNC_FREE;
    r.next = 5;
    EXPECT_TRUE(r.drain());
    EXPECT_EQ(r.ran, calls({5, 6}));
    EXPECT_EQ(r.next, 7u);
    // Slots before `next` are left queued: the guest fills the ring in order,
    // so they are calls queued after 5 and 6 that the next drain reaches.
    for (u32 i = 0; i < 5; i++) EXPECT_EQ(r.data.hcall_status[i], ASYNC_QUEUED) << i;
}

TEST(AsyncRing, StopsAtTheFirstSlotNotQueued)
{
    for (u8 other : {u8{ASYNC_FREE}, u8{1}, u8{0x7F}, u8{0xFE}}) {
        Ring r;
        r.queue(0);
        r.queue(1);
        r.queue(3); // a gap at 2: 3 waits
        r.data.hcall_status[2] = other;
        EXPECT_TRUE(r.drain());
        EXPECT_EQ(r.ran, calls({0, 1})) << int(other);
        EXPECT_EQ(r.next, 2u);
        EXPECT_EQ(r.data.hcall_status[2], other); // untouched
        EXPECT_EQ(r.data.hcall_status[3], ASYNC_QUEUED);
        // Once the guest queues 2, both go.
        r.ran.clear();
        r.queue(2);
        EXPECT_TRUE(r.drain());
        EXPECT_EQ(r.ran, calls({2, 3}));
        EXPECT_EQ(r.next, 4u);
    }
}

TEST(AsyncRing, WrapsAt64)
{
    Ring r;
    r.next = 62;
    for (u32 i : {62u, 63u, 0u, 1u}) r.queue(i);
    EXPECT_TRUE(r.drain());
    EXPECT_EQ(r.ran, calls({62, 63, 0, 1}));
    EXPECT_EQ(r.next, 2u);
    EXPECT_EQ(r.queued_count(), 0u);

    Ring s;
    s.next = 63;
    s.queue(63);
    EXPECT_TRUE(s.drain());
    EXPECT_EQ(s.next, 0u); // wrapped, never 64
}

TEST(AsyncRing, AFullRingRunsOneLap)
{
    for (u32 start : {0u, 10u, 63u}) {
        Ring r;
        r.next = start;
        for (u32 i = 0; i < ASYNC_SLOTS; i++) r.queue(i);
        EXPECT_TRUE(r.drain());
        ASSERT_EQ(r.ran.size(), ASYNC_SLOTS);
        for (u32 k = 0; k < ASYNC_SLOTS; k++) EXPECT_EQ(r.ran[k], 1000 + (start + k) % ASYNC_SLOTS);
        EXPECT_EQ(r.next, start);
        EXPECT_EQ(r.queued_count(), 0u);
    }
}

TEST(AsyncRing, AtMostOneLapEvenIfCallsRequeue)
{
    // Each call queues the slot behind it again: without the lap limit the
    // host would loop for ever inside one drain.
    Ring r;
    r.next = 20;
    for (u32 i = 0; i < ASYNC_SLOTS; i++) r.queue(i);
    u32 runs = 0;
    EXPECT_TRUE(drain_async_ring(r.data, r.next, [&](const AsyncCall& c) {
        u32 slot = c.arg0 - 1000;
        r.data.hcall_status[(slot + ASYNC_SLOTS - 1) % ASYNC_SLOTS] = ASYNC_QUEUED;
        return ++runs < 1000;
    }));
    EXPECT_EQ(runs, ASYNC_SLOTS);
    EXPECT_EQ(r.next, 20u);

    // Each call queues the slot ahead of it: one lap, then stop, the queued
    // slot waiting for the next drain.
    Ring s;
    s.queue(0);
    runs = 0;
    EXPECT_TRUE(drain_async_ring(s.data, s.next, [&](const AsyncCall&) {
        u32 ahead = (runs + 1) % ASYNC_SLOTS;
        s.data.hcalls[ahead] = AsyncCall{1000 + ahead, 0, 0, 0, 0};
        s.data.hcall_status[ahead] = ASYNC_QUEUED;
        return ++runs < 1000;
    }));
    EXPECT_EQ(runs, ASYNC_SLOTS);
    EXPECT_EQ(s.next, 0u);
    EXPECT_EQ(s.data.hcall_status[0], ASYNC_QUEUED);
    EXPECT_EQ(s.queued_count(), 1u);
}

TEST(AsyncRing, AFailedCallStopsAtOnce)
{
    Ring r;
    r.next = 3;
    for (u32 i = 3; i <= 6; i++) r.queue(i);
    std::vector<u32> ran;
    EXPECT_FALSE(drain_async_ring(r.data, r.next, [&](const AsyncCall& c) {
        ran.push_back(c.arg0);
        return c.arg0 != 1005; // the call in slot 5 ends the guest
    }));
    EXPECT_EQ(ran, calls({3, 4, 5}));
    EXPECT_EQ(r.data.hcall_status[3], ASYNC_FREE);
    EXPECT_EQ(r.data.hcall_status[4], ASYNC_FREE);
    EXPECT_EQ(r.data.hcall_status[5], ASYNC_QUEUED); // left queued
    EXPECT_EQ(r.data.hcall_status[6], ASYNC_QUEUED); // never reached
    EXPECT_EQ(r.next, 6u);                          // past the failed slot
}

TEST(AsyncRing, FailureAtTheLastSlotWrapsNext)
{
    Ring r;
    r.next = 63;
    r.queue(63);
    r.queue(0);
    u32 runs = 0;
    EXPECT_FALSE(drain_async_ring(r.data, r.next, [&](const AsyncCall&) {
        runs++;
        return false;
    }));
    EXPECT_EQ(runs, 1u);
    EXPECT_EQ(r.next, 0u);
    EXPECT_EQ(r.data.hcall_status[63], ASYNC_QUEUED);
}

TEST(AsyncRing, NextIsPastTheSlotWhileItRuns)
{
    // A call that itself drains (a nested FLUSH_ASYNC) must not run its own slot again.
    Ring r;
    r.queue(0);
    r.queue(1);
    std::vector<u32> next_seen;
    EXPECT_TRUE(drain_async_ring(r.data, r.next, [&](const AsyncCall&) {
        next_seen.push_back(r.next);
        return true;
    }));
    EXPECT_EQ(next_seen, (std::vector<u32>{1, 2}));
}
