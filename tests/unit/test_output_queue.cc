// tests/unit/test_output_queue.cc: the console's output queue (kernel/console/output_queue.h).
#include <gtest/gtest.h>
#include <string>
#include "console/output_queue.h"

namespace {

using Queue = OutputQueue<64, 16, 3>; // 3 guests of 16 bytes, 16 more for the host
constexpr u32 HOST = Queue::HOST;

void push(Queue& q, u32 owner, const std::string& text)
{
    q.push(owner, reinterpret_cast<const u8*>(text.data()), static_cast<u32>(text.size()));
}

std::string pop(Queue& q, u32 max)
{
    u8 out[64];
    u32 n = q.pop(out, max);
    return std::string(reinterpret_cast<char*>(out), n);
}

} // namespace

TEST(OutputQueue, FirstInFirstOutAcrossOwners)
{
    Queue q;
    push(q, 0, "ab");
    push(q, HOST, "rung");
    push(q, 2, "cd");
    EXPECT_EQ(q.used(), 8u);
    EXPECT_EQ(pop(q, 3), "abr");
    EXPECT_EQ(pop(q, 64), "ungcd");
    EXPECT_TRUE(q.empty());
}

TEST(OutputQueue, EachGuestWithinItsShare)
{
    Queue q;
    EXPECT_TRUE(q.accepts(0, 16));
    push(q, 0, std::string(10, 'x'));
    EXPECT_EQ(q.pending(0), 10u);
    EXPECT_TRUE(q.accepts(0, 6));
    EXPECT_FALSE(q.accepts(0, 7)); // over its share
    EXPECT_TRUE(q.accepts(1, 16)); // the others are not affected
    EXPECT_TRUE(q.accepts(HOST, 54));
}

TEST(OutputQueue, NothingQueuedMeansAnyLineThatFits)
{
    Queue q;
    EXPECT_TRUE(q.accepts(1, 40)); // more than a share, but the guest has nothing queued
    push(q, 1, std::string(40, 'y'));
    EXPECT_FALSE(q.accepts(1, 1));
    EXPECT_FALSE(q.accepts(2, 25)); // only 24 bytes of room left
    EXPECT_TRUE(q.accepts(2, 24));
}

TEST(OutputQueue, PopGivesTheShareBack)
{
    Queue q;
    push(q, 0, "0000");
    push(q, 1, "1111");
    push(q, 0, "00");
    EXPECT_EQ(pop(q, 5), "00001");
    EXPECT_EQ(q.pending(0), 2u);
    EXPECT_EQ(q.pending(1), 3u);
    EXPECT_EQ(pop(q, 64), "11100");
    EXPECT_EQ(q.pending(0), 0u);
    EXPECT_EQ(q.pending(1), 0u);
}

TEST(OutputQueue, WrapsAroundItsBuffer)
{
    Queue q;
    std::string all;
    for (int round = 0; round < 50; round++) {
        std::string text = std::to_string(round) + "-abcdefghij";
        ASSERT_TRUE(q.accepts(round % 3, static_cast<u32>(text.size())));
        push(q, round % 3, text);
        all += pop(q, round % 2 ? 20 : 7); // the front lags behind, then catches up
    }
    while (!q.empty()) all += pop(q, 64);
    std::string want;
    for (int round = 0; round < 50; round++) want += std::to_string(round) + "-abcdefghij";
    EXPECT_EQ(all, want);
    for (u32 g = 0; g < 3; g++) EXPECT_EQ(q.pending(g), 0u);
}

TEST(OutputQueue, FullQueueRefusesEveryone)
{
    Queue q;
    push(q, HOST, std::string(64, 'h'));
    EXPECT_EQ(q.room(), 0u);
    EXPECT_FALSE(q.accepts(0, 1));
    EXPECT_FALSE(q.accepts(HOST, 1));
    EXPECT_TRUE(q.accepts(0, 0));
}

TEST(OutputQueue, OwnersOutOfRangeAreTheHost)
{
    Queue q;
    push(q, 77, "zz");
    EXPECT_EQ(q.pending(77), 0u);
    EXPECT_EQ(q.used(), 2u);
}
