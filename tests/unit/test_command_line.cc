// tests/unit/test_command_line.cc: the kernel's own command line (kernel/boot/command_line.h).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "boot/command_line.h"

namespace {
KernelOptions parse(const char* line)
{
    KernelOptions o;
    parse_kernel_command_line(line, o);
    return o;
}
} // namespace

TEST(CommandLine, Defaults)
{
    KernelOptions o;
    EXPECT_EQ(o.on_exit, OnExit::poweroff);
    EXPECT_FALSE(o.quiet);
    EXPECT_FALSE(o.selftest);
    EXPECT_FALSE(o.bench);
    EXPECT_STREQ(o.unknown, "");
}

TEST(CommandLine, NullAndEmptyLinesChangeNothing)
{
    for (const char* line : {static_cast<const char*>(nullptr), "", " ", "\t", "   \t  \t "}) {
        KernelOptions o = parse(line);
        EXPECT_EQ(o.on_exit, OnExit::poweroff);
        EXPECT_FALSE(o.quiet);
        EXPECT_FALSE(o.selftest);
        EXPECT_FALSE(o.bench);
        EXPECT_STREQ(o.unknown, "") << (line ? line : "(null)");
    }
}

TEST(CommandLine, OnExitValues)
{
    EXPECT_EQ(parse("on_exit=halt").on_exit, OnExit::halt);
    EXPECT_EQ(parse("on_exit=reboot").on_exit, OnExit::reboot);
    EXPECT_EQ(parse("on_exit=poweroff").on_exit, OnExit::poweroff);
    EXPECT_EQ(parse("on_exit=halt on_exit=poweroff").on_exit, OnExit::poweroff); // the last one wins
    EXPECT_EQ(parse("on_exit=reboot on_exit=halt").on_exit, OnExit::halt);
    EXPECT_STREQ(parse("on_exit=halt").unknown, "");
}

TEST(CommandLine, Flags)
{
    KernelOptions o = parse("quiet");
    EXPECT_TRUE(o.quiet);
    EXPECT_FALSE(o.selftest);
    EXPECT_FALSE(o.bench);

    o = parse("selftest");
    EXPECT_TRUE(o.selftest);
    EXPECT_FALSE(o.quiet);

    o = parse("bench");
    EXPECT_TRUE(o.bench);
    EXPECT_FALSE(o.quiet);

    o = parse("quiet selftest bench on_exit=reboot");
    EXPECT_TRUE(o.quiet);
    EXPECT_TRUE(o.selftest);
    EXPECT_TRUE(o.bench);
    EXPECT_EQ(o.on_exit, OnExit::reboot);
    EXPECT_STREQ(o.unknown, "");
}

TEST(CommandLine, FlagsAreWholeWordsAndCaseSensitive)
{
    KernelOptions o = parse("x quiet2 quie Quiet selftests benchmark");
    EXPECT_FALSE(o.quiet);
    EXPECT_FALSE(o.selftest);
    EXPECT_FALSE(o.bench);
    EXPECT_STREQ(o.unknown, "quiet2 quie Quiet selftests benchmark");
}

TEST(CommandLine, FirstWordPathIgnored)
{
    KernelOptions o = parse("/boot/rung.elf quiet");
    EXPECT_TRUE(o.quiet);
    EXPECT_STREQ(o.unknown, "");
    EXPECT_STREQ(parse("build/rung.elf").unknown, "");
    EXPECT_STREQ(parse("  /boot/rung.elf").unknown, ""); // leading blanks before it
}

TEST(CommandLine, OnlyTheFirstWordIsTakenForThePath)
{
    KernelOptions o = parse("/boot/rung.elf /another/path bench");
    EXPECT_TRUE(o.bench);
    EXPECT_STREQ(o.unknown, "/another/path");
}

TEST(CommandLine, KnownFirstWordIsAnOptionNotAPath)
{
    KernelOptions o = parse("quiet frobnicate");
    EXPECT_TRUE(o.quiet);
    EXPECT_STREQ(o.unknown, "frobnicate"); // the path slot was the flag's
    EXPECT_EQ(parse("on_exit=halt").on_exit, OnExit::halt);
}

TEST(CommandLine, UnknownFirstWordWithEqualsIsReported)
{
    KernelOptions o = parse("colour=blue quiet");
    EXPECT_TRUE(o.quiet);
    EXPECT_STREQ(o.unknown, "colour=blue");
    EXPECT_STREQ(parse("on_exit=explode").unknown, "on_exit=explode");
}

TEST(CommandLine, UnknownWordsCollectedSpaceSeparated)
{
    KernelOptions o = parse("rung.elf alpha quiet beta=1 gamma");
    EXPECT_TRUE(o.quiet);
    EXPECT_STREQ(o.unknown, "alpha beta=1 gamma");
}

TEST(CommandLine, BadOnExitValueReportedAndIgnored)
{
    KernelOptions o = parse("k on_exit=halt on_exit=sleep");
    EXPECT_EQ(o.on_exit, OnExit::halt); // the bad value does not change the setting
    EXPECT_STREQ(o.unknown, "on_exit=sleep");

    o = parse("k on_exit= on_exit on_exit=HALT on_exit=halt2 on_exit=hal");
    EXPECT_EQ(o.on_exit, OnExit::poweroff);
    EXPECT_STREQ(o.unknown, "on_exit= on_exit on_exit=HALT on_exit=halt2 on_exit=hal");
}

TEST(CommandLine, TabsAndRepeatedBlanks)
{
    KernelOptions o = parse("\t /kernel \t\tquiet   \t on_exit=halt\t\tmystery\t  extra   ");
    EXPECT_TRUE(o.quiet);
    EXPECT_EQ(o.on_exit, OnExit::halt);
    EXPECT_STREQ(o.unknown, "mystery extra"); // one space between, whatever separated them
}

TEST(CommandLine, NewlineIsPartOfAWord)
{
    // Only spaces and tabs separate words.
    KernelOptions o = parse("k quiet\n");
    EXPECT_FALSE(o.quiet);
    EXPECT_STREQ(o.unknown, "quiet\n");
}

TEST(CommandLine, UnknownAccumulatesAcrossCalls)
{
    KernelOptions o;
    parse_kernel_command_line("k one", o);
    parse_kernel_command_line("k two bench", o);
    EXPECT_TRUE(o.bench);
    EXPECT_STREQ(o.unknown, "one two");
}

TEST(CommandLine, UnknownBufferOverflowIsTruncatedNotOverrun)
{
    // 100 words of 9 characters: 999 characters, far more than fit.
    std::string line = "kernel";
    std::string expected;
    for (int i = 0; i < 100; i++) {
        std::string word = "word" + std::to_string(10000 + i); // "word10000"...
        line += " " + word;
        expected += (expected.empty() ? "" : " ") + word;
    }
    line += " quiet"; // options after the overflow still take effect

    struct Guarded {
        KernelOptions o;
        char after[64];
    } g;
    memset(g.after, 0x77, sizeof g.after);
    parse_kernel_command_line(line.c_str(), g.o);

    usize length = strnlen(g.o.unknown, sizeof g.o.unknown);
    ASSERT_LT(length, sizeof g.o.unknown); // NUL-terminated inside the buffer
    EXPECT_EQ(length, sizeof g.o.unknown - 1); // and filled
    EXPECT_EQ(std::string(g.o.unknown), expected.substr(0, length)); // a prefix of the full report
    EXPECT_TRUE(g.o.quiet);
    for (char c : g.after) EXPECT_EQ(c, 0x77);
}

TEST(CommandLine, OneLongUnknownWord)
{
    std::string word(1000, 'x');
    KernelOptions o = parse(("k " + word + " bench").c_str());
    EXPECT_TRUE(o.bench);
    EXPECT_EQ(std::string(o.unknown), word.substr(0, sizeof o.unknown - 1));
}

TEST(CommandLine, ExactFit)
{
    // Words that exactly fill the 255 characters, then one more.
    std::string a(200, 'a'), b(54, 'b'); // 200 + 1 + 54 = 255
    KernelOptions o = parse(("k " + a + " " + b + " c").c_str());
    EXPECT_EQ(std::string(o.unknown), a + " " + b);
}
