// tests/unit/test_string.cc: word_equals and parse_u32 (kernel/lib/string.h).
#include <gtest/gtest.h>

#include <cstring>

#include "lib/string.h"

namespace {
bool eq(const char* a, const char* b) { return word_equals(a, strlen(a), b); }

bool parse(const char* s, u32* out) { return parse_u32(s, strlen(s), out); }
} // namespace

TEST(WordEquals, Exact)
{
    EXPECT_TRUE(eq("quiet", "quiet"));
    EXPECT_TRUE(eq("a", "a"));
    EXPECT_TRUE(word_equals("", 0, ""));
}

TEST(WordEquals, DifferentText)
{
    EXPECT_FALSE(eq("quiet", "quiec"));
    EXPECT_FALSE(eq("Quiet", "quiet")); // case-sensitive
    EXPECT_FALSE(eq("b", "a"));
}

TEST(WordEquals, LengthMustMatchExactly)
{
    EXPECT_FALSE(eq("quie", "quiet"));   // a is a prefix of b
    EXPECT_FALSE(eq("quieter", "quiet")); // b is a prefix of a
    EXPECT_FALSE(word_equals("", 0, "x"));
    EXPECT_FALSE(word_equals("x", 1, ""));
}

TEST(WordEquals, UsesOnlyTheFirstNBytes)
{
    // a is a word inside a longer line: only [a, a+n) counts.
    const char* line = "quiet selftest";
    EXPECT_TRUE(word_equals(line, 5, "quiet"));
    EXPECT_FALSE(word_equals(line, 6, "quiet"));
    EXPECT_TRUE(word_equals(line + 6, 8, "selftest"));
    EXPECT_FALSE(word_equals(line, 4, "quiet"));
}

TEST(WordEquals, NulInsideTheWordIsNotTheEndOfB)
{
    // b has two characters; n is three.  They must not compare equal, and
    // word_equals must not look past b's terminator (the byte after it here
    // is another NUL, which a sloppy comparison would take for b's end).
    const char b[4] = {'a', 'b', '\0', '\0'};
    const char a[3] = {'a', 'b', '\0'};
    EXPECT_FALSE(word_equals(a, 3, b));
}

TEST(ParseU32, Digits)
{
    u32 v = 12345;
    ASSERT_TRUE(parse("0", &v));
    EXPECT_EQ(v, 0u);
    ASSERT_TRUE(parse("7", &v));
    EXPECT_EQ(v, 7u);
    ASSERT_TRUE(parse("1234567890", &v));
    EXPECT_EQ(v, 1234567890u);
    ASSERT_TRUE(parse("000042", &v)); // leading zeros are fine
    EXPECT_EQ(v, 42u);
    ASSERT_TRUE(parse("00000000000000000000001", &v)); // and do not count as overflow
    EXPECT_EQ(v, 1u);
}

TEST(ParseU32, Limits)
{
    u32 v = 0;
    ASSERT_TRUE(parse("4294967295", &v));
    EXPECT_EQ(v, 4294967295u);
    ASSERT_TRUE(parse("4294967294", &v));
    EXPECT_EQ(v, 4294967294u);
}

TEST(ParseU32, OverflowRejectedAndOutputUntouched)
{
    u32 v = 99;
    EXPECT_FALSE(parse("4294967296", &v));
    EXPECT_EQ(v, 99u);
    EXPECT_FALSE(parse("4294967300", &v));
    EXPECT_FALSE(parse("10000000000", &v));
    EXPECT_FALSE(parse("99999999999999999999999999", &v)); // would wrap a u64 too
    EXPECT_FALSE(parse("18446744073709551616", &v));       // 2^64: wraps a u64 to 0
    EXPECT_EQ(v, 99u);
}

TEST(ParseU32, EmptyRejected)
{
    u32 v = 5;
    EXPECT_FALSE(parse_u32("", 0, &v));
    EXPECT_FALSE(parse_u32("123", 0, &v)); // n = 0 even with digits behind it
    EXPECT_EQ(v, 5u);
}

TEST(ParseU32, NonDigitsRejected)
{
    u32 v = 5;
    EXPECT_FALSE(parse("12a", &v));
    EXPECT_FALSE(parse("a12", &v));
    EXPECT_FALSE(parse("-1", &v));
    EXPECT_FALSE(parse("+1", &v));
    EXPECT_FALSE(parse(" 1", &v));
    EXPECT_FALSE(parse("1 ", &v));
    EXPECT_FALSE(parse("0x10", &v));
    EXPECT_FALSE(parse("1.5", &v));
    EXPECT_FALSE(parse("/", &v)); // '0' - 1
    EXPECT_FALSE(parse(":", &v)); // '9' + 1
    EXPECT_FALSE(parse("8M", &v));
    EXPECT_EQ(v, 5u);
}

TEST(ParseU32, OnlyTheFirstNBytes)
{
    u32 v = 0;
    ASSERT_TRUE(parse_u32("123abc", 3, &v));
    EXPECT_EQ(v, 123u);
    ASSERT_TRUE(parse_u32("42949672950", 10, &v));
    EXPECT_EQ(v, 4294967295u);
    EXPECT_FALSE(parse_u32("123abc", 4, &v));
}
