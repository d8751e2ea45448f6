// tests/unit/test_calendar.cc: civil dates to Unix time, and CMOS BCD (kernel/lib/calendar.h).
#include <gtest/gtest.h>

#include "lib/calendar.h"

namespace {

bool leap(u32 y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

u32 days_in_month(u32 y, u32 m)
{
    static const u32 days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

} // namespace

TEST(Calendar, Epoch)
{
    EXPECT_EQ(unix_time(1970, 1, 1, 0, 0, 0), 0u);
    EXPECT_EQ(unix_time(1970, 1, 1, 0, 0, 1), 1u);
    EXPECT_EQ(unix_time(1970, 1, 1, 23, 59, 59), 86399u);
    EXPECT_EQ(unix_time(1970, 1, 2, 0, 0, 0), 86400u);
    EXPECT_EQ(unix_time(1970, 3, 1, 0, 0, 0), 59u * 86400);
    EXPECT_EQ(unix_time(1971, 1, 1, 0, 0, 0), 365u * 86400);
}

TEST(Calendar, KnownDates)
{
    EXPECT_EQ(unix_time(1972, 2, 29, 0, 0, 0), 68169600u);
    EXPECT_EQ(unix_time(1999, 12, 31, 23, 59, 59), 946684799u);
    EXPECT_EQ(unix_time(2000, 1, 1, 0, 0, 0), 946684800u);
    EXPECT_EQ(unix_time(2000, 2, 29, 0, 0, 0), 951782400u); // 2000 is a leap year (divisible by 400)
    EXPECT_EQ(unix_time(2000, 3, 1, 0, 0, 0), 951868800u);
    EXPECT_EQ(unix_time(2024, 12, 31, 23, 59, 59), 1735689599u);
    EXPECT_EQ(unix_time(2026, 11, 27, 0, 0, 0), 1795737600u);
    EXPECT_EQ(unix_time(2026, 11, 27, 13, 45, 30), 1795787130u);
}

TEST(Calendar, Year2038AndBeyond32Bits)
{
    EXPECT_EQ(unix_time(2038, 1, 19, 3, 14, 7), 2147483647u);
    EXPECT_EQ(unix_time(2038, 1, 19, 3, 14, 8), 2147483648u);
    EXPECT_EQ(unix_time(2106, 2, 7, 6, 28, 16), 4294967296ull); // past u32
    EXPECT_EQ(unix_time(2400, 2, 29, 12, 0, 0), 13574606400ull);
}

TEST(Calendar, CenturyNotLeap)
{
    // 2100 is not a leap year: 28 Feb is followed directly by 1 Mar.
    EXPECT_EQ(unix_time(2100, 2, 28, 0, 0, 0), 4107456000ull);
    EXPECT_EQ(unix_time(2100, 3, 1, 0, 0, 0), 4107542400ull);
    EXPECT_EQ(unix_time(2100, 3, 1, 0, 0, 0) - unix_time(2100, 2, 28, 0, 0, 0), 86400u);
    // 2000 is: 28 Feb, 29 Feb, 1 Mar.
    EXPECT_EQ(unix_time(2000, 3, 1, 0, 0, 0) - unix_time(2000, 2, 28, 0, 0, 0), 2u * 86400);
}

TEST(Calendar, EveryDayFrom1970To2500IsOneDayAfterThePrevious)
{
    u64 expected = 0;
    for (u32 y = 1970; y <= 2500; y++)
        for (u32 m = 1; m <= 12; m++)
            for (u32 d = 1; d <= days_in_month(y, m); d++) {
                ASSERT_EQ(unix_time(y, m, d, 0, 0, 0), expected) << y << "-" << m << "-" << d;
                expected += 86400;
            }
}

TEST(Calendar, TimeOfDay)
{
    u64 midnight = unix_time(2026, 11, 27, 0, 0, 0);
    EXPECT_EQ(unix_time(2026, 11, 27, 1, 0, 0) - midnight, 3600u);
    EXPECT_EQ(unix_time(2026, 11, 27, 0, 1, 0) - midnight, 60u);
    EXPECT_EQ(unix_time(2026, 11, 27, 23, 59, 59) - midnight, 86399u);
    EXPECT_EQ(unix_time(2026, 11, 27, 12, 34, 56) - midnight, 12u * 3600 + 34 * 60 + 56);
}

TEST(Calendar, FromBcd)
{
    EXPECT_EQ(from_bcd(0x00), 0u);
    EXPECT_EQ(from_bcd(0x09), 9u);
    EXPECT_EQ(from_bcd(0x10), 10u);
    EXPECT_EQ(from_bcd(0x12), 12u);
    EXPECT_EQ(from_bcd(0x26), 26u);
    EXPECT_EQ(from_bcd(0x59), 59u);
    EXPECT_EQ(from_bcd(0x99), 99u);
    for (u32 tens = 0; tens < 10; tens++)
        for (u32 ones = 0; ones < 10; ones++) EXPECT_EQ(from_bcd(tens << 4 | ones), tens * 10 + ones);
    static_assert(from_bcd(0x47) == 47, "usable at compile time");
}
