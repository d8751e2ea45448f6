// tests/unit/test_guest_options.cc: a guest module's string, `[PATH] [OPTION ...]`
// (kernel/vmm/guest_options.h; guest ABI, section 1).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "vmm/guest_options.h"

namespace {

constexpr u32 KiB = 1024, MiB = 1024 * KiB;

struct Parsed {
    bool ok;
    GuestOptions options;
    std::string error;
};

Parsed parse(const char* text, u32 id = 0)
{
    Parsed p;
    char error[80];
    std::memset(error, 'X', sizeof error); // untouched on success: check it stays so
    error[sizeof error - 1] = '\0';
    p.ok = parse_guest_options(text, id, p.options, error, sizeof error);
    p.error = error;
    return p;
}

u32 mem_of(const char* text)
{
    Parsed p = parse(text);
    EXPECT_TRUE(p.ok) << text << ": " << p.error;
    return p.options.mem_bytes;
}

void expect_rejected(const char* text, const char* reason_part)
{
    Parsed p = parse(text);
    EXPECT_FALSE(p.ok) << text;
    EXPECT_NE(p.error.find(reason_part), std::string::npos) << text << ": '" << p.error << "'";
    EXPECT_LT(p.error.size(), 80u);
}

} // namespace

TEST(GuestOptions, DefaultsForNullAndEmptyStrings)
{
    for (const char* text : {static_cast<const char*>(nullptr), "", " ", "\t", "  \t  "}) {
        Parsed p = parse(text, 3);
        EXPECT_TRUE(p.ok) << (text ? text : "(null)");
        EXPECT_STREQ(p.options.name, "guest3");
        EXPECT_EQ(p.options.mem_bytes, 16 * MiB);
        EXPECT_EQ(p.options.on_kill, OnKill::stop);
        EXPECT_STREQ(p.options.path, "");
    }
    EXPECT_STREQ(parse(nullptr, 0).options.name, "guest0");
    EXPECT_STREQ(parse("", 4294967295u).options.name, "guest4294967295"); // 15 characters: fits
}

TEST(GuestOptions, OldContentsAreReset)
{
    GuestOptions o;
    std::strcpy(o.name, "stale");
    std::strcpy(o.path, "stale.elf");
    o.mem_bytes = 5 * MiB;
    o.on_kill = OnKill::restart;
    char error[64] = "";
    ASSERT_TRUE(parse_guest_options("", 1, o, error, sizeof error));
    EXPECT_STREQ(o.name, "guest1");
    EXPECT_STREQ(o.path, "");
    EXPECT_EQ(o.mem_bytes, 16 * MiB);
    EXPECT_EQ(o.on_kill, OnKill::stop);
}

TEST(GuestOptions, SuccessLeavesTheErrorBufferAlone)
{
    Parsed p = parse("x.elf mem=8M");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.error, std::string(79, 'X'));
}

TEST(GuestOptions, PathAndDefaultName)
{
    Parsed p = parse("hello.elf", 2);
    ASSERT_TRUE(p.ok);
    EXPECT_STREQ(p.options.path, "hello.elf");
    EXPECT_STREQ(p.options.name, "hello");

    p = parse("/boot/guests/demo.elf mem=8M", 2);
    ASSERT_TRUE(p.ok);
    EXPECT_STREQ(p.options.path, "/boot/guests/demo.elf");
    EXPECT_STREQ(p.options.name, "demo");
    EXPECT_EQ(p.options.mem_bytes, 8 * MiB);

    // No extension, a directory with a dot, leading blanks.
    EXPECT_STREQ(parse("kernel").options.name, "kernel");
    EXPECT_STREQ(parse("/boot.d/img").options.name, "img");
    EXPECT_STREQ(parse("  \t/a/b/c.bin  ").options.path, "/a/b/c.bin");
    EXPECT_STREQ(parse("  \t/a/b/c.bin  ").options.name, "c");
    // Characters outside the name alphabet become '_'; the name is cut to 15.
    EXPECT_STREQ(parse("/x/my+guest v.elf").options.name, "my_guest"); // "v.elf" is a second bare word...
    EXPECT_FALSE(parse("/x/my+guest v.elf").ok);                          // ...and is rejected
    EXPECT_STREQ(parse("my+guest.elf").options.name, "my_guest");
    EXPECT_STREQ(parse("abcdefghijklmnopqrstuvwxyz.elf").options.name, "abcdefghijklmno");
    EXPECT_STREQ(parse("A-b_9.elf").options.name, "A-b_9");
}

TEST(GuestOptions, PathWithoutAUsableFileNameFallsBackToGuestN)
{
    for (const char* path : {"/boot/", ".elf", "/boot/.hidden", "/"}) {
        Parsed p = parse(path, 7);
        EXPECT_TRUE(p.ok) << path;
        EXPECT_STREQ(p.options.path, path);
        EXPECT_STREQ(p.options.name, "guest7") << path;
    }
}

TEST(GuestOptions, GrubStyleStringsWithoutPath)
{
    Parsed p = parse("mem=8M", 1);
    ASSERT_TRUE(p.ok);
    EXPECT_STREQ(p.options.path, "");
    EXPECT_STREQ(p.options.name, "guest1");
    EXPECT_EQ(p.options.mem_bytes, 8 * MiB);

    p = parse("name=web on_kill=restart mem=2M", 5);
    ASSERT_TRUE(p.ok);
    EXPECT_STREQ(p.options.path, "");
    EXPECT_STREQ(p.options.name, "web");
    EXPECT_EQ(p.options.on_kill, OnKill::restart);
    EXPECT_EQ(p.options.mem_bytes, 2 * MiB);

    // The grub.cfg that repeats the path to get the default name.
    p = parse("/boot/x.elf mem=8M");
    ASSERT_TRUE(p.ok);
    EXPECT_STREQ(p.options.name, "x");
}

TEST(GuestOptions, ExplicitNameWinsOverThePath)
{
    Parsed p = parse("/boot/x.elf name=other");
    ASSERT_TRUE(p.ok);
    EXPECT_STREQ(p.options.name, "other");
    EXPECT_STREQ(p.options.path, "/boot/x.elf");
    EXPECT_STREQ(parse("x.elf name=a name=b").options.name, "b"); // the last one wins
}

TEST(GuestOptions, NameRules)
{
    EXPECT_STREQ(parse("name=a").options.name, "a");
    EXPECT_STREQ(parse("name=abcdefghijklmno").options.name, "abcdefghijklmno"); // 15
    EXPECT_STREQ(parse("name=AZaz09_-").options.name, "AZaz09_-");
    expect_rejected("name=", "bad name");
    expect_rejected("name=abcdefghijklmnop", "bad name"); // 16
    expect_rejected("name=a.b", "bad name");
    expect_rejected("name=a/b", "bad name");
    expect_rejected("name=a=b", "bad name");
    expect_rejected("name=caf\xc3\xa9", "bad name");
    expect_rejected("x.elf name=%s", "bad name");
    // A bad name leaves the default in place.
    Parsed p = parse("x.elf name=bad!", 2);
    EXPECT_FALSE(p.ok);
    EXPECT_STREQ(p.options.name, "x");
    p = parse("name=bad!", 2);
    EXPECT_FALSE(p.ok);
    EXPECT_STREQ(p.options.name, "guest2");
}

TEST(GuestOptions, MemoryUnits)
{
    EXPECT_EQ(mem_of("mem=8M"), 8 * MiB);
    EXPECT_EQ(mem_of("mem=8m"), 8 * MiB);
    EXPECT_EQ(mem_of("mem=4096K"), 4 * MiB);
    EXPECT_EQ(mem_of("mem=4096k"), 4 * MiB);
    EXPECT_EQ(mem_of("mem=1048576"), 1 * MiB);
    EXPECT_EQ(mem_of("mem=1M"), 1 * MiB);
    EXPECT_EQ(mem_of("mem=0001M"), 1 * MiB);
    EXPECT_EQ(mem_of("mem=3072M"), MAX_GUEST_MEMORY);
    EXPECT_EQ(mem_of("mem=3145728K"), MAX_GUEST_MEMORY);
    EXPECT_EQ(mem_of("mem=3221225472"), MAX_GUEST_MEMORY);
    EXPECT_EQ(mem_of("mem=2M mem=3M"), 3 * MiB); // the last one wins
}

TEST(GuestOptions, MemoryRoundsUpTo4K)
{
    EXPECT_EQ(mem_of("mem=1048577"), 1 * MiB + 4 * KiB);
    EXPECT_EQ(mem_of("mem=1052671"), 1 * MiB + 4 * KiB);
    EXPECT_EQ(mem_of("mem=1052672"), 1 * MiB + 4 * KiB);
    EXPECT_EQ(mem_of("mem=1025K"), 1 * MiB + 4 * KiB);
    EXPECT_EQ(mem_of("mem=1048573"), 1 * MiB); // rounds up to exactly the minimum
    EXPECT_EQ(mem_of("mem=1045505"), 1 * MiB);
    EXPECT_EQ(mem_of("mem=1021K"), 1 * MiB);
    EXPECT_EQ(mem_of("mem=1044481"), 1 * MiB); // one byte over 1 MiB - 4 KiB
    // Just over the maximum, even by one byte, is rejected after rounding.
    expect_rejected("mem=3221225473", "bad mem=");
}

TEST(GuestOptions, MemoryLimits)
{
    expect_rejected("mem=0", "bad mem=");
    expect_rejected("mem=0M", "bad mem=");
    expect_rejected("mem=1044480", "bad mem="); // 1 MiB - 4 KiB: already a multiple of 4 KiB
    expect_rejected("mem=1020K", "bad mem=");
    expect_rejected("mem=3073M", "bad mem=");
    expect_rejected("mem=4096M", "bad mem=");
    expect_rejected("mem=4294967295", "bad mem=");   // rounds up past 4 GiB in 64 bits
    expect_rejected("mem=4294967295M", "bad mem=");  // u32 * 1 MiB: only fits in 64 bits
    expect_rejected("mem=4294967295K", "bad mem=");
    expect_rejected("mem=4294967296", "bad mem=");   // over u32
    expect_rejected("mem=99999999999M", "bad mem=");
    expect_rejected("mem=99999999999999999999999999", "bad mem=");
    // The value is unchanged by a rejected option... and parsing still fails.
    Parsed p = parse("mem=8M mem=0");
    EXPECT_FALSE(p.ok);
}

TEST(GuestOptions, MemoryBadSyntax)
{
    for (const char* text : {"mem=", "mem=M", "mem=K", "mem=MM", "mem=8MB", "mem=8G", "mem=-1M", "mem=+8M",
                             "mem=0x100000", "mem=8 M", "mem=1.5M", "mem=8KM"}) {
        Parsed p = parse(text);
        EXPECT_FALSE(p.ok) << text;
    }
    expect_rejected("mem=", "bad mem=");
    expect_rejected("mem=M", "bad mem=");
}

TEST(GuestOptions, OnKill)
{
    EXPECT_EQ(parse("on_kill=restart").options.on_kill, OnKill::restart);
    EXPECT_EQ(parse("on_kill=stop").options.on_kill, OnKill::stop);
    EXPECT_EQ(parse("on_kill=restart on_kill=stop").options.on_kill, OnKill::stop);
    expect_rejected("on_kill=", "bad on_kill=");
    expect_rejected("on_kill=Stop", "bad on_kill=");
    expect_rejected("on_kill=reboot", "bad on_kill=");
    expect_rejected("on_kill=restarts", "bad on_kill=");
}

TEST(GuestOptions, UnknownOptionsAreRejectedWithTheirName)
{
    expect_rejected("x.elf memory=8M", "unknown option 'memory'");
    expect_rejected("x.elf MEM=8M", "unknown option 'MEM'");
    expect_rejected("x.elf =8M", "unknown option ''");
    expect_rejected("x.elf quiet=1", "unknown option 'quiet'");
    // Keys are matched exactly, not by prefix.
    expect_rejected("nam=x", "unknown option 'nam'");
    expect_rejected("names=x", "unknown option 'names'");
}

TEST(GuestOptions, BareWordAfterTheFirstIsRejected)
{
    expect_rejected("x.elf y.elf", "unknown option 'y.elf'");
    expect_rejected("x.elf mem=8M quiet", "unknown option 'quiet'");
    // Once an option has been seen, a bare word is no longer a path.
    Parsed p = parse("mem=8M x.elf", 4);
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("unknown option 'x.elf'"), std::string::npos) << p.error;
    EXPECT_STREQ(p.options.path, "");
}

TEST(GuestOptions, FirstProblemIsReported)
{
    Parsed p = parse("x.elf bogus=1 mem=0 name=!");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("unknown option 'bogus'"), std::string::npos) << p.error;
    // Options after the first problem are still parsed.
    p = parse("x.elf mem=0 name=later");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("bad mem="), std::string::npos) << p.error;
    EXPECT_STREQ(p.options.name, "later");
}

TEST(GuestOptions, TabsSeparateWords)
{
    Parsed p = parse("x.elf\tmem=2M\t\tname=t");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_STREQ(p.options.name, "t");
    EXPECT_EQ(p.options.mem_bytes, 2 * MiB);
}

TEST(GuestOptions, LongStrings)
{
    // A path longer than the buffer is cut, NUL-terminated, and still names the guest.
    std::string long_path = "/" + std::string(300, 'd') + "/" + std::string(200, 'f') + ".elf";
    Parsed p = parse((long_path + " mem=2M").c_str());
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(std::strlen(p.options.path), sizeof p.options.path - 1);
    EXPECT_EQ(std::string(p.options.path), long_path.substr(0, sizeof p.options.path - 1));
    EXPECT_EQ(p.options.mem_bytes, 2 * MiB);
    EXPECT_EQ(std::strlen(p.options.name), 15u);

    // A long unknown option is shown cut, and the reason still fits the buffer.
    std::string word(1000, 'u');
    p = parse(("x.elf " + word + "=1").c_str());
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("unknown option 'uuuu"), std::string::npos) << p.error;
    EXPECT_LT(p.error.size(), 80u);
    p = parse(("x.elf " + word).c_str());
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("unknown option 'uuuu"), std::string::npos) << p.error;

    // Long values.
    EXPECT_FALSE(parse(("name=" + std::string(500, 'n')).c_str()).ok);
    EXPECT_FALSE(parse(("mem=" + std::string(500, '9') + "M").c_str()).ok);
    EXPECT_TRUE(parse(("mem=" + std::string(500, '0') + "8M").c_str()).ok);
    EXPECT_FALSE(parse(("on_kill=" + std::string(500, 's')).c_str()).ok);

    // Many options in one string.
    std::string many = "x.elf";
    for (int i = 0; i < 500; i++) many += " mem=" + std::to_string(1 + i % 7) + "M";
    p = parse(many.c_str());
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.options.mem_bytes, (1 + 499 % 7) * MiB);
}

TEST(GuestOptions, SmallErrorBuffersAreNotOverrun)
{
    char error[12];
    std::memset(error, 'Z', sizeof error);
    GuestOptions o;
    EXPECT_FALSE(parse_guest_options("x.elf bogus=1", 0, o, error, 8));
    EXPECT_EQ(std::strlen(error), 7u);
    for (usize i = 8; i < sizeof error; i++) EXPECT_EQ(error[i], 'Z');
}

// ---- Linux guests (the addendum's section 1) ---------------------------------

TEST(GuestOptions, LinuxCommandLineAfterALoneDoubleDash)
{
    Parsed p = parse("bzImage name=linux mem=64M -- console=hvc0 quiet name=ignored mem=oops");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_STREQ(p.options.name, "linux");
    EXPECT_EQ(p.options.mem_bytes, 64 * MiB);
    EXPECT_TRUE(p.options.mem_given);
}

TEST(GuestOptions, DoubleDashInsideAWordIsNotTheSeparator)
{
    expect_rejected("bzImage name=a --x", "--x");
}

TEST(GuestOptions, MemGivenOnlyWhenSaid)
{
    EXPECT_FALSE(parse("x.elf").options.mem_given);
    EXPECT_TRUE(parse("x.elf mem=2M").options.mem_given);
}

TEST(GuestOptions, Pci)
{
    EXPECT_EQ(parse("x.elf").options.pci, Pci::unset);
    EXPECT_EQ(parse("x.elf pci=on").options.pci, Pci::on);
    EXPECT_EQ(parse("x.elf pci=off").options.pci, Pci::off);
    expect_rejected("x.elf pci=yes", "bad pci= value");
    expect_rejected("x.elf pci=", "bad pci= value");
}

TEST(GuestOptions, InitrdFor)
{
    Parsed p = parse("initramfs.gz initrd_for=linux");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_STREQ(p.options.initrd_for, "linux");
    EXPECT_STREQ(p.options.name, "initramfs");
    EXPECT_EQ(parse("x.elf").options.initrd_for[0], '\0');
    expect_rejected("i.gz initrd_for=", "bad initrd_for= name");
    expect_rejected("i.gz initrd_for=a.b", "bad initrd_for= name");
    expect_rejected("i.gz initrd_for=sixteen_chars_xx", "bad initrd_for= name");
}
