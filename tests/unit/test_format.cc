// tests/unit/test_format.cc: the printf-style formatter (kernel/lib/format.h).
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>

#include "lib/format.h"

namespace {

// Formats through snformat into a generous buffer and checks that the
// returned length agrees with what was written.
template <typename... Args>
std::string fmt(const char* f, Args... args)
{
    char buf[512];
    memset(buf, 0x5A, sizeof buf);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-security"
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    usize n = snformat(buf, sizeof buf, f, args...);
#pragma GCC diagnostic pop
    EXPECT_LT(n, sizeof buf);
    EXPECT_EQ(buf[n], '\0');
    EXPECT_EQ(strlen(buf), n);
    return std::string(buf, n);
}

// For format strings the compiler's printf checker would (rightly) reject:
// unknown conversions, a dangling '%'.  Goes through vsnformat, which has no
// format attribute.
std::string raw(const char* f, ...)
{
    char buf[256];
    va_list args;
    va_start(args, f);
    usize n = vsnformat(buf, sizeof buf, f, args);
    va_end(args);
    EXPECT_LT(n, sizeof buf);
    return std::string(buf, n);
}

struct Collect {
    std::string out;
};
void collect(void* context, char c) { static_cast<Collect*>(context)->out += c; }

std::string via_sink(const char* f, ...)
{
    Collect c;
    va_list args;
    va_start(args, f);
    vformat(collect, &c, f, args);
    va_end(args);
    return c.out;
}

} // namespace

TEST(Format, PlainText)
{
    EXPECT_EQ(fmt("hello"), "hello");
    EXPECT_EQ(fmt(""), "");
    EXPECT_EQ(fmt("a\tb\n"), "a\tb\n");
}

TEST(Format, Percent)
{
    EXPECT_EQ(fmt("100%%"), "100%");
    EXPECT_EQ(fmt("%%%%"), "%%");
    EXPECT_EQ(fmt("%d%%", 5), "5%");
}

TEST(Format, Strings)
{
    EXPECT_EQ(fmt("%s", "abc"), "abc");
    EXPECT_EQ(fmt("[%s]", ""), "[]");
    EXPECT_EQ(fmt("%s-%s", "x", "yz"), "x-yz");
    EXPECT_EQ(fmt("[%5s]", "ab"), "[   ab]");
    EXPECT_EQ(fmt("[%-5s]", "ab"), "[ab   ]");
    EXPECT_EQ(fmt("[%2s]", "abcdef"), "[abcdef]"); // a width never truncates
    EXPECT_EQ(fmt("[%0s]", "ab"), "[ab]");
}

TEST(Format, NullString)
{
    const char* nothing = nullptr;
    EXPECT_EQ(raw("%s", nothing), "(null)");
    EXPECT_EQ(raw("[%8s]", nothing), "[  (null)]");
}

TEST(Format, Chars)
{
    EXPECT_EQ(fmt("%c", 'A'), "A");
    EXPECT_EQ(fmt("%c%c%c", 'x', 'y', 'z'), "xyz");
    EXPECT_EQ(fmt("[%3c]", 'q'), "[  q]");
    EXPECT_EQ(fmt("[%-3c]", 'q'), "[q  ]");
    EXPECT_EQ(fmt("%c", 0x1FF), "\xFF"); // converted to char
}

TEST(Format, SignedDecimal)
{
    EXPECT_EQ(fmt("%d", 0), "0");
    EXPECT_EQ(fmt("%d", 7), "7");
    EXPECT_EQ(fmt("%d", -7), "-7");
    EXPECT_EQ(fmt("%i", 1234567890), "1234567890");
    EXPECT_EQ(fmt("%i", -42), "-42");
    EXPECT_EQ(fmt("%d", INT_MAX), "2147483647");
    EXPECT_EQ(fmt("%d", INT_MIN), "-2147483648");
    EXPECT_EQ(fmt("%d %d", 1, -1), "1 -1");
}

TEST(Format, UnsignedDecimal)
{
    EXPECT_EQ(fmt("%u", 0u), "0");
    EXPECT_EQ(fmt("%u", 4294967295u), "4294967295");
    EXPECT_EQ(fmt("%u", 0x80000000u), "2147483648");
}

TEST(Format, Hex)
{
    EXPECT_EQ(fmt("%x", 0u), "0");
    EXPECT_EQ(fmt("%x", 0xdeadbeefu), "deadbeef");
    EXPECT_EQ(fmt("%X", 0xdeadbeefu), "DEADBEEF");
    EXPECT_EQ(fmt("%x", 0xFFFFFFFFu), "ffffffff");
    EXPECT_EQ(fmt("%X", 0xabcu), "ABC");
    EXPECT_EQ(fmt("%x", 16u), "10");
}

TEST(Format, Width)
{
    EXPECT_EQ(fmt("[%5d]", 42), "[   42]");
    EXPECT_EQ(fmt("[%5d]", -42), "[  -42]");
    EXPECT_EQ(fmt("[%1d]", 12345), "[12345]");
    EXPECT_EQ(fmt("[%3d]", 123), "[123]");
    EXPECT_EQ(fmt("[%12u]", 4294967295u), "[  4294967295]");
    EXPECT_EQ(fmt("[%4x]", 0xabu), "[  ab]");
    EXPECT_EQ(fmt("[%10d]", INT_MIN), "[-2147483648]");
}

TEST(Format, LeftFlag)
{
    EXPECT_EQ(fmt("[%-5d]", 42), "[42   ]");
    EXPECT_EQ(fmt("[%-5d]", -42), "[-42  ]");
    EXPECT_EQ(fmt("[%-4x]", 0xau), "[a   ]");
    EXPECT_EQ(fmt("[%-1d]", 123), "[123]");
}

TEST(Format, ZeroFlag)
{
    EXPECT_EQ(fmt("[%05d]", 42), "[00042]");
    EXPECT_EQ(fmt("[%05d]", -42), "[-0042]"); // the sign goes before the zeros
    EXPECT_EQ(fmt("[%08x]", 0xbeefu), "[0000beef]");
    EXPECT_EQ(fmt("[%08X]", 0xbeefu), "[0000BEEF]");
    EXPECT_EQ(fmt("[%02u]", 7u), "[07]");
    EXPECT_EQ(fmt("[%02u]", 123u), "[123]");
    EXPECT_EQ(fmt("[%03d]", 0), "[000]");
}

TEST(Format, LeftWinsOverZero)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    EXPECT_EQ(raw("[%-05d]", 42), "[42   ]");
    EXPECT_EQ(raw("[%0-5d]", -42), "[-42  ]");
#pragma GCC diagnostic pop
}

TEST(Format, StarWidth)
{
    EXPECT_EQ(fmt("[%*d]", 6, 42), "[    42]");
    EXPECT_EQ(fmt("[%*s]", 4, "a"), "[   a]");
    EXPECT_EQ(fmt("[%-*s]", 4, "a"), "[a   ]");
    EXPECT_EQ(fmt("[%0*x]", 6, 0xabu), "[0000ab]");
    EXPECT_EQ(fmt("[%*d]", 0, 42), "[42]");
    // A negative '*' width means left-justified, as in C.
    EXPECT_EQ(fmt("[%*d]", -6, 42), "[42    ]");
    EXPECT_EQ(fmt("[%0*d]", -4, 7), "[7   ]");
    // The width argument is consumed before the value.
    EXPECT_EQ(fmt("%*d|%d", 3, 1, 2), "  1|2");
}

TEST(Format, Wide64)
{
    EXPECT_EQ(fmt("%llu", 0ull), "0");
    EXPECT_EQ(fmt("%llu", 18446744073709551615ull), "18446744073709551615");
    EXPECT_EQ(fmt("%llx", 0x123456789abcdef0ull), "123456789abcdef0");
    EXPECT_EQ(fmt("%llX", 0xFFFFFFFFFFFFFFFFull), "FFFFFFFFFFFFFFFF");
    EXPECT_EQ(fmt("%llx", 0x100000000ull), "100000000");
    EXPECT_EQ(fmt("%lld", 0ll), "0");
    EXPECT_EQ(fmt("%lld", -1ll), "-1");
    EXPECT_EQ(fmt("%lld", 4294967296ll), "4294967296");
    EXPECT_EQ(fmt("%lld", LLONG_MAX), "9223372036854775807");
    EXPECT_EQ(fmt("%lld", LLONG_MIN), "-9223372036854775808");
    EXPECT_EQ(fmt("%lli", -1234567890123ll), "-1234567890123");
    EXPECT_EQ(fmt("[%016llx]", 0xabcull), "[0000000000000abc]");
    EXPECT_EQ(fmt("[%-22llu]", 18446744073709551615ull), "[18446744073709551615  ]");
}

TEST(Format, WideAndNarrowArgumentsInterleave)
{
    // The 64-bit argument must consume exactly 8 bytes of the argument list.
    EXPECT_EQ(fmt("%d %llx %d", 1, 0x1122334455667788ull, 2), "1 1122334455667788 2");
    EXPECT_EQ(fmt("%llu %u %lld", 5ull, 6u, -7ll), "5 6 -7");
    EXPECT_EQ(fmt("%x %llx", 0xFFFFFFFFu, 1ull), "ffffffff 1");
}

TEST(Format, NarrowDoesNotSignExtendUnsigned)
{
    // %u and %x read 32 bits: -1 is all ones, not 64 of them.
    EXPECT_EQ(fmt("%u", static_cast<unsigned>(-1)), "4294967295");
    EXPECT_EQ(fmt("%x", static_cast<unsigned>(-1)), "ffffffff");
}

TEST(Format, Pointer)
{
    EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0xdeadbeef)), "0xdeadbeef");
    EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0x1234)), "0x00001234");
    EXPECT_EQ(fmt("%p", static_cast<void*>(nullptr)), "0x00000000");
    EXPECT_EQ(fmt("[%12p]", reinterpret_cast<void*>(0xab)), "[  0x000000ab]");
    EXPECT_EQ(fmt("[%-12p]", reinterpret_cast<void*>(0xab)), "[0x000000ab  ]");
}

TEST(Format, UnknownConversionsPrintedAsWritten)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
    EXPECT_EQ(raw("%q"), "%q");
    EXPECT_EQ(raw("a%qb"), "a%qb");
    EXPECT_EQ(raw("%5q|%d", 3), "%5q|3"); // and consumes no argument
    EXPECT_EQ(raw("%-08y"), "%-08y");
    EXPECT_EQ(raw("%f", 1), "%f");
    EXPECT_EQ(raw("%lq"), "%lq");
    EXPECT_EQ(raw("%llq"), "%llq");
    // A format string that ends inside a conversion.
    EXPECT_EQ(raw("abc%"), "abc%");
    EXPECT_EQ(raw("abc%-"), "abc%-");
    EXPECT_EQ(raw("x%05"), "x%05");
    EXPECT_EQ(raw("x%ll"), "x%ll");
#pragma GCC diagnostic pop
}

TEST(Format, SinkSeesEveryCharacter)
{
    EXPECT_EQ(via_sink("%s=%d", "n", 12), "n=12");
    std::string long_text(1000, 'z');
    EXPECT_EQ(via_sink("%s", long_text.c_str()), long_text);
    EXPECT_EQ(via_sink("[%300d]", 1).size(), 302u);
}

TEST(Snformat, ReturnsFullLengthAndTruncates)
{
    char buf[8];
    memset(buf, 'X', sizeof buf);
    usize n = snformat(buf, sizeof buf, "%s", "hello world");
    EXPECT_EQ(n, 11u);
    EXPECT_STREQ(buf, "hello w"); // cap - 1 characters and a NUL

    memset(buf, 'X', sizeof buf);
    n = snformat(buf, sizeof buf, "%d", 1234567);
    EXPECT_EQ(n, 7u);
    EXPECT_STREQ(buf, "1234567"); // exactly fits

    memset(buf, 'X', sizeof buf);
    n = snformat(buf, sizeof buf, "%d", 12345678);
    EXPECT_EQ(n, 8u);
    EXPECT_STREQ(buf, "1234567"); // one too many
}

TEST(Snformat, CapacityOne)
{
    char buf[4] = {'X', 'X', 'X', 'X'};
    usize n = snformat(buf, 1, "abc");
    EXPECT_EQ(n, 3u);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], 'X'); // nothing past cap is touched
}

TEST(Snformat, CapacityZeroWritesNothing)
{
    char buf[4] = {'X', 'X', 'X', 'X'};
    EXPECT_EQ(snformat(buf, 0, "abc%d", 42), 5u);
    for (char c : buf) EXPECT_EQ(c, 'X');
    EXPECT_EQ(snformat(nullptr, 0, "%s", "measure me"), 10u);
}

TEST(Snformat, NeverWritesPastCapacity)
{
    for (usize cap = 1; cap <= 16; cap++) {
        char buf[32];
        memset(buf, '#', sizeof buf);
        usize n = snformat(buf, cap, "%08x-%s", 0xcafeu, "tail");
        EXPECT_EQ(n, 13u);
        usize written = n < cap ? n : cap - 1;
        EXPECT_EQ(buf[written], '\0') << "cap " << cap;
        EXPECT_EQ(std::string(buf, written), std::string("0000cafe-tail").substr(0, written)) << "cap " << cap;
        for (usize i = cap; i < sizeof buf; i++) EXPECT_EQ(buf[i], '#') << "cap " << cap << " byte " << i;
    }
}

TEST(Snformat, EmptyResult)
{
    char buf[4] = {'X', 'X', 'X', 'X'};
    EXPECT_EQ(snformat(buf, sizeof buf, "%s", ""), 0u);
    EXPECT_EQ(buf[0], '\0');
}
