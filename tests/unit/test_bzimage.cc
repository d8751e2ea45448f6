// tests/unit/test_bzimage.cc: checking a Linux bzImage, sizing its memory,
// its zero page and the module string's split at "--" (kernel/vmm/bzimage.h;
// Linux-guest addendum, sections 1 and 2).  The reference kernel is read from
// $RUNG_BZIMAGE, else ../shared/linux/bzImage next to the repository; every
// rejection is tested on images built here.  Offsets below are written as the
// boot protocol numbers them, not taken from the code under test.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "vmm/bzimage.h"
#include "vmm/guest_options.h"

namespace {

constexpr u32 KiB = 1024, MiB = 1024 * KiB;

void put8(std::vector<u8>& b, u32 at, u8 v) { b.at(at) = v; }
void put16(std::vector<u8>& b, u32 at, u16 v) { std::memcpy(&b[at], &v, 2); }
void put32(std::vector<u8>& b, u32 at, u32 v) { std::memcpy(&b[at], &v, 4); }
u32 get32(const u8* p) { u32 v; std::memcpy(&v, p, 4); return v; }
u64 get64(const u8* p) { u64 v; std::memcpy(&v, p, 8); return v; }

// A synthetic bzImage: the setup sectors with a header whose every field can
// be set, then `payload` bytes.  By default a valid 2.13 kernel like the
// reference one, but with 4 setup sectors and a 4 KiB payload.
struct Bz {
    u16 version = 0x020D;
    u8 setup_sects = 4;
    u8 jump_length = 0x66; // header end = 0x202 + this
    u8 loadflags = 0x01;
    u32 code32_start = 0x100000;
    u32 kernel_alignment = 0x200000;
    u8 relocatable = 0;
    u32 cmdline_size = 2047;
    u64 pref_address = 0x1000000;
    u32 init_size = 0x400000;
    u32 payload = 4096;
    bool signature = true, magic = true;

    u32 setup_bytes() const { return ((setup_sects ? setup_sects : 4) + 1) * 512; }

    std::vector<u8> build() const
    {
        std::vector<u8> b(setup_bytes() + payload, 0);
        for (u32 i = 0; i < 0x1F1; i++) b[i] = 0xCC; // the boot sector's code: never copied
        put8(b, 0x1F1, setup_sects);
        if (signature) put16(b, 0x1FE, 0xAA55);
        put8(b, 0x200, 0xEB); // jmp short
        put8(b, 0x201, jump_length);
        if (magic) std::memcpy(&b[0x202], "HdrS", 4);
        put16(b, 0x206, version);
        put8(b, 0x211, loadflags);
        put32(b, 0x214, code32_start);
        put32(b, 0x230, kernel_alignment);
        put8(b, 0x234, relocatable);
        put32(b, 0x238, cmdline_size);
        put32(b, 0x258, static_cast<u32>(pref_address));
        put32(b, 0x25C, static_cast<u32>(pref_address >> 32));
        put32(b, 0x260, init_size);
        for (u32 i = 0; i < payload; i++) b[setup_bytes() + i] = static_cast<u8>(i * 7 + 1);
        return b;
    }
};

struct Result {
    bool ok;
    BzImageInfo info;
    std::string error;
};

Result parse(const std::vector<u8>& bytes, u32 size = ~0u)
{
    Result r;
    char error[96];
    std::memset(error, 'X', sizeof error); // untouched on success: checked below
    error[sizeof error - 1] = '\0';
    u32 n = size == ~0u ? static_cast<u32>(bytes.size()) : size;
    r.ok = parse_bzimage(bytes.empty() ? nullptr : bytes.data(), n, r.info, error, sizeof error);
    r.error = error;
    return r;
}

Result parse(const Bz& bz) { return parse(bz.build()); }

#define EXPECT_REJECTED(result, reason)                                                                   \
    do {                                                                                                  \
        Result r_ = (result);                                                                             \
        EXPECT_FALSE(r_.ok);                                                                              \
        EXPECT_EQ(r_.error, reason);                                                                      \
    } while (0)

// The reference kernel, or an empty vector when it is not there.
std::string reference_path()
{
    if (const char* env = std::getenv("RUNG_BZIMAGE")) return env;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) { // build/unit/unit_tests -> the repository is two levels up
        std::string dir(exe, static_cast<usize>(n));
        for (int i = 0; i < 3 && dir.rfind('/') != std::string::npos; i++) dir.erase(dir.rfind('/'));
        std::string path = dir + "/../shared/linux/bzImage";
        if (std::ifstream(path).good()) return path;
    }
    return "../shared/linux/bzImage";
}

const std::vector<u8>& reference()
{
    static const std::vector<u8> bytes = [] {
        std::ifstream f(reference_path(), std::ios::binary);
        return f ? std::vector<u8>(std::istreambuf_iterator<char>(f), {}) : std::vector<u8>{};
    }();
    return bytes;
}

#define NEED_REFERENCE()                                                                                  \
    if (reference().empty()) GTEST_SKIP() << "no reference bzImage at " << reference_path()

struct Split {
    bool ok;
    ModuleStringParts parts;
    std::string options, command_line, error;
};

Split split(const char* text)
{
    Split s;
    char error[96] = "untouched";
    s.ok = split_module_string(text, s.parts, error, sizeof error);
    s.options.assign(s.parts.options, s.parts.options_length);
    if (s.parts.has_command_line) s.command_line.assign(s.parts.command_line, s.parts.command_line_length);
    s.error = error;
    return s;
}

} // namespace

// ---- the reference kernel ----------------------------------------------------

TEST(BzImage, ReferenceKernelHeader)
{
    NEED_REFERENCE();
    const std::vector<u8>& image = reference();
    ASSERT_EQ(image.size(), 1234368u) << "not the bzImage described in shared/linux/README.md";
    EXPECT_TRUE(looks_like_bzimage(image.data(), static_cast<u32>(image.size())));
    Result r = parse(image);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.error.find_first_not_of('X'), std::string::npos) << "error buffer written on success";
    const BzImageInfo& i = r.info;
    EXPECT_EQ(i.protocol, 0x020D);
    EXPECT_EQ(i.code32_start, 0x100000u);
    EXPECT_TRUE(i.init_size_known);
    EXPECT_EQ(i.init_size, 0x392000u);
    EXPECT_EQ(i.setup_sects, 30u);
    EXPECT_EQ(i.setup_sects, image[0x1F1]);
    EXPECT_EQ(i.payload_offset, 31u * 512);
    EXPECT_EQ(i.payload_size, 1234368u - 31 * 512);
    EXPECT_EQ(i.loadflags & 1, 1);
    EXPECT_FALSE(i.relocatable);
    EXPECT_EQ(i.kernel_alignment, 0x200000u);
    EXPECT_EQ(i.cmdline_size, 2047u);
    EXPECT_EQ(i.header_end, 0x268u);
    EXPECT_EQ(i.pref_address, 0x1000000u); // runs at 16 MiB (README: not relocatable)
    EXPECT_EQ(i.runtime_start, 0x1000000u);
}

TEST(BzImage, ReferenceKernelMemory)
{
    NEED_REFERENCE();
    Result r = parse(reference());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(memory_needed(r.info, 0), 0x1000000u + 0x392000u);
    EXPECT_EQ(memory_needed(r.info, 1040 * KiB), 0x1000000u + 0x392000u + 1040 * KiB);
    char error[96] = "";
    EXPECT_TRUE(check_guest_memory(r.info, 1040 * KiB, 64 * MiB, error, sizeof error)); // the default mem=
    EXPECT_TRUE(check_guest_memory(r.info, 0, 0x1392000u, error, sizeof error));
    EXPECT_FALSE(check_guest_memory(r.info, 0, 0x1391000u, error, sizeof error));
    EXPECT_STREQ(error, "mem=20036K is too small: needs at least 20 MiB");
    EXPECT_FALSE(check_guest_memory(r.info, 1040 * KiB, 16 * MiB, error, sizeof error));
    EXPECT_STREQ(error, "mem=16384K is too small: needs at least 21 MiB");
}

TEST(BzImage, ReferenceKernelZeroPage)
{
    NEED_REFERENCE();
    const std::vector<u8>& image = reference();
    Result r = parse(image);
    ASSERT_TRUE(r.ok) << r.error;
    std::vector<u8> page(4096, 0xA5);
    build_zero_page(page.data(), r.info, image.data(), 64 * MiB, 0x1000, 0x3EFC000, 1040 * KiB);
    for (u32 at = 0x1F1; at < 0x268; at++) {
        bool changed = (at >= 0x210 && at < 0x212) || (at >= 0x218 && at < 0x220) || (at >= 0x228 && at < 0x22C) ||
                       (at >= 0x23C && at < 0x240);
        if (!changed) {
            EXPECT_EQ(page[at], image[at]) << "header byte 0x" << std::hex << at;
        }
    }
    EXPECT_EQ(page[0x211], 0x41); // LOADED_HIGH from the kernel, KEEP_SEGMENTS from rung
    EXPECT_EQ(page[0x206], 0x0D); // version left as the kernel's
    EXPECT_EQ(page[0x207], 0x02);
    EXPECT_EQ(get32(&page[0x228]), 0x1000u);
    EXPECT_EQ(get32(&page[0x218]), 0x3EFC000u);
    EXPECT_EQ(get32(&page[0x21C]), 1040 * KiB);
    EXPECT_EQ(get32(&page[0x23C]), 1u);
    EXPECT_EQ(get64(&page[0x2D8]), 64ull * MiB);
}

// ---- detection -----------------------------------------------------------------

TEST(BzImage, Detection)
{
    std::vector<u8> b = Bz{}.build();
    EXPECT_TRUE(looks_like_bzimage(b.data(), static_cast<u32>(b.size())));
    EXPECT_TRUE(looks_like_bzimage(b.data(), 0x206)); // the magic's last byte is the last one read
    EXPECT_FALSE(looks_like_bzimage(b.data(), 0x205));
    EXPECT_FALSE(looks_like_bzimage(b.data(), 0));
    EXPECT_FALSE(looks_like_bzimage(nullptr, 0));
    EXPECT_FALSE(looks_like_bzimage(nullptr, 4096));
    for (u32 at : {0x1FEu, 0x1FFu, 0x202u, 0x203u, 0x204u, 0x205u}) {
        std::vector<u8> bad = b;
        bad[at] ^= 0x20; // "hdrS", 75 AA, ...: one byte off is not a bzImage
        EXPECT_FALSE(looks_like_bzimage(bad.data(), static_cast<u32>(bad.size()))) << at;
        EXPECT_REJECTED(parse(bad), "not a Linux bzImage");
    }
    std::vector<u8> zeros(64 * KiB, 0);
    EXPECT_FALSE(looks_like_bzimage(zeros.data(), static_cast<u32>(zeros.size())));
    // An ELF image is not one.
    std::vector<u8> elf(4096, 0);
    std::memcpy(elf.data(), "\x7f" "ELF", 4);
    EXPECT_FALSE(looks_like_bzimage(elf.data(), static_cast<u32>(elf.size())));
}

TEST(BzImage, NotABzImage)
{
    EXPECT_REJECTED(parse(std::vector<u8>{}), "not a Linux bzImage");
    Bz bz;
    bz.signature = false;
    EXPECT_REJECTED(parse(bz), "not a Linux bzImage");
    bz = Bz{};
    bz.magic = false;
    EXPECT_REJECTED(parse(bz), "not a Linux bzImage");
    EXPECT_REJECTED(parse(Bz{}.build(), 0x205), "not a Linux bzImage");
}

// ---- the valid synthetic image ------------------------------------------------------

TEST(BzImage, SyntheticDefaults)
{
    Result r = parse(Bz{});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.error.find_first_not_of('X'), std::string::npos) << "error buffer written on success";
    EXPECT_EQ(r.info.protocol, 0x020D);
    EXPECT_EQ(r.info.setup_sects, 4u);
    EXPECT_EQ(r.info.payload_offset, 5u * 512);
    EXPECT_EQ(r.info.payload_size, 4096u);
    EXPECT_EQ(r.info.header_end, 0x268u);
    EXPECT_EQ(r.info.loadflags, 1);
    EXPECT_EQ(r.info.cmdline_size, 2047u);
    EXPECT_EQ(r.info.init_size, 0x400000u);
    EXPECT_TRUE(r.info.init_size_known);
    EXPECT_EQ(r.info.runtime_start, 0x1000000u);
}

TEST(BzImage, SetupSectorsZeroMeansFour)
{
    Bz bz;
    bz.setup_sects = 0;
    Result r = parse(bz);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.info.setup_sects, 4u);
    EXPECT_EQ(r.info.payload_offset, 2560u);
    bz.setup_sects = 1; // the smallest setup: still past any header end (0x301)
    r = parse(bz);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.info.payload_offset, 1024u);
    bz.setup_sects = 255;
    r = parse(bz);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.info.payload_offset, 256u * 512);
    EXPECT_EQ(r.info.payload_size, 4096u);
}

// ---- each rejection --------------------------------------------------------------

TEST(BzImage, ProtocolBelow207)
{
    Bz bz;
    bz.version = 0x0206;
    EXPECT_REJECTED(parse(bz), "boot protocol 2.06 is older than 2.07");
    bz.version = 0x0200;
    EXPECT_REJECTED(parse(bz), "boot protocol 2.00 is older than 2.07");
    bz.version = 0x0000;
    EXPECT_REJECTED(parse(bz), "boot protocol 0.00 is older than 2.07");
    bz.version = 0x0207;
    EXPECT_TRUE(parse(bz).ok);
    bz.version = 0x0300; // a future major version: nothing in it says rung cannot boot it
    EXPECT_TRUE(parse(bz).ok);
}

TEST(BzImage, TruncatedSetupHeader)
{
    std::vector<u8> b = Bz{}.build();
    EXPECT_REJECTED(parse(b, 0x206), "truncated setup header"); // no version
    EXPECT_REJECTED(parse(b, 0x207), "truncated setup header");
    EXPECT_REJECTED(parse(b, 0x208), "truncated setup header"); // a version, but the header ends at 0x268
    EXPECT_REJECTED(parse(b, 0x267), "truncated setup header");
    // Header complete, setup sectors not.
    EXPECT_REJECTED(parse(b, 0x268), "truncated image: setup is 2560 bytes, the file 616");
    Bz big;
    big.jump_length = 0xFF; // header end 0x301
    b = big.build();
    EXPECT_REJECTED(parse(b, 0x300), "truncated setup header");
}

TEST(BzImage, HeaderTooShortForItsProtocol)
{
    Bz bz;
    bz.jump_length = 0x61; // ends at 0x263: init_size cut
    EXPECT_REJECTED(parse(bz), "setup header too short for boot protocol 2.13");
    bz.jump_length = 0x62; // ends at 0x264: through init_size
    EXPECT_TRUE(parse(bz).ok);
    bz.version = 0x020A;
    bz.jump_length = 0x61;
    EXPECT_REJECTED(parse(bz), "setup header too short for boot protocol 2.10");
    bz.version = 0x0209; // before 2.10 init_size is not read
    EXPECT_TRUE(parse(bz).ok);
    bz.jump_length = 0x3D; // 0x23F: hardware_subarch cut
    EXPECT_REJECTED(parse(bz), "setup header too short for boot protocol 2.09");
    bz.version = 0x0207;
    EXPECT_REJECTED(parse(bz), "setup header too short for boot protocol 2.07");
    bz.jump_length = 0x3E; // 0x240
    EXPECT_TRUE(parse(bz).ok);
    bz.jump_length = 0;
    EXPECT_REJECTED(parse(bz), "setup header too short for boot protocol 2.07");
}

TEST(BzImage, TruncatedSetupOrNoPayload)
{
    Bz bz;
    bz.setup_sects = 30;
    bz.payload = 0;
    std::vector<u8> b = bz.build();
    ASSERT_EQ(b.size(), 31u * 512);
    EXPECT_REJECTED(parse(b), "truncated image: no protected-mode payload");
    EXPECT_REJECTED(parse(b, 31 * 512 - 1), "truncated image: setup is 15872 bytes, the file 15871");
    EXPECT_REJECTED(parse(b, 1024), "truncated image: setup is 15872 bytes, the file 1024");
    bz.payload = 1;
    Result r = parse(bz);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.info.payload_size, 1u);
    bz.setup_sects = 0; // 4, not 0
    bz.payload = 0;
    EXPECT_REJECTED(parse(bz), "truncated image: no protected-mode payload");
}

TEST(BzImage, NotLoadedHigh)
{
    Bz bz;
    bz.loadflags = 0;
    EXPECT_REJECTED(parse(bz), "kernel is not loaded high (a zImage)");
    bz.loadflags = 0xFE; // every other flag, not LOADED_HIGH
    EXPECT_REJECTED(parse(bz), "kernel is not loaded high (a zImage)");
    bz.loadflags = 0x81; // LOADED_HIGH | CAN_USE_HEAP
    Result r = parse(bz);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.info.loadflags, 0x81);
}

TEST(BzImage, Code32StartMustBe1MiB)
{
    Bz bz;
    for (u32 bad : {0u, 0x10000u, 0xFFFFFu, 0x100001u, 0x200000u, 0x1000000u, 0xFFFFFFFFu}) {
        bz.code32_start = bad;
        char want[64];
        std::snprintf(want, sizeof want, "code32_start 0x%x is not 0x100000", bad);
        EXPECT_REJECTED(parse(bz), want);
    }
}

TEST(BzImage, RelocatableKernelAlignment)
{
    Bz bz;
    bz.relocatable = 1;
    for (u32 bad : {0u, 3u, 0x300000u, 0x80000001u}) {
        bz.kernel_alignment = bad;
        char want[64];
        std::snprintf(want, sizeof want, "bad kernel_alignment 0x%x", bad);
        EXPECT_REJECTED(parse(bz), want);
    }
    bz.relocatable = 0;
    bz.kernel_alignment = 3; // a fixed kernel: its alignment is not used
    EXPECT_TRUE(parse(bz).ok);
}

TEST(BzImage, RuntimeStart)
{
    Bz bz;
    bz.relocatable = 1;
    bz.kernel_alignment = 0x200000;
    EXPECT_EQ(parse(bz).info.runtime_start, 0x1000000u); // never below pref_address
    bz.pref_address = 0x100000;
    EXPECT_EQ(parse(bz).info.runtime_start, 0x200000u); // 1 MiB rounded up to 2 MiB
    bz.kernel_alignment = 1;
    EXPECT_EQ(parse(bz).info.runtime_start, 0x100000u);
    bz.kernel_alignment = 0x80000000u;
    EXPECT_EQ(parse(bz).info.runtime_start, 0x80000000u);
    bz.relocatable = 0; // fixed: at pref_address, even below the load address
    bz.pref_address = 0x400000;
    EXPECT_EQ(parse(bz).info.runtime_start, 0x400000u);
    bz.pref_address = 0;
    EXPECT_EQ(parse(bz).info.runtime_start, 0u);
    bz.version = 0x0209; // no pref_address: at the load address (or aligned up)
    bz.pref_address = 0x1000000;
    EXPECT_EQ(parse(bz).info.runtime_start, 0x100000u);
    EXPECT_EQ(parse(bz).info.pref_address, 0u);
    bz.relocatable = 1;
    bz.kernel_alignment = 0x400000;
    EXPECT_EQ(parse(bz).info.runtime_start, 0x400000u);
}

TEST(BzImage, PrefAddressAbove4GiB)
{
    Bz bz;
    bz.pref_address = 0x100000000ull;
    EXPECT_REJECTED(parse(bz), "pref_address above 4 GiB");
    bz.pref_address = 0xFFFFFFFF00000000ull;
    EXPECT_REJECTED(parse(bz), "pref_address above 4 GiB");
    bz.version = 0x0209; // the field does not exist yet
    EXPECT_TRUE(parse(bz).ok);
}

TEST(BzImage, InitSize)
{
    Bz bz;
    bz.init_size = 0;
    EXPECT_REJECTED(parse(bz), "init_size is 0");
    bz.version = 0x0209; // before 2.10: unknown, estimated from the payload
    bz.payload = 12345;
    Result r = parse(bz);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_FALSE(r.info.init_size_known);
    EXPECT_EQ(r.info.init_size, 4u * 12345);
    EXPECT_EQ(r.info.runtime_start, 0x100000u);
    EXPECT_EQ(memory_needed(r.info, 0), 0x100000u + 0xD000u); // 49380 bytes, 13 pages
    bz.init_size = 0x777000; // ignored
    EXPECT_EQ(parse(bz).info.init_size, 4u * 12345);
    bz.version = 0x020A;
    EXPECT_EQ(parse(bz).info.init_size, 0x777000u);
}

// ---- memory ------------------------------------------------------------------------

TEST(BzImage, MemoryNeeded)
{
    Bz bz; // runs at 16 MiB, needs 4 MiB there
    BzImageInfo i = parse(bz).info;
    EXPECT_EQ(memory_needed(i, 0), 20 * MiB);
    EXPECT_EQ(memory_needed(i, 1), 20 * MiB + 4096);
    EXPECT_EQ(memory_needed(i, 4096), 20 * MiB + 4096);
    EXPECT_EQ(memory_needed(i, 4097), 20 * MiB + 8192);
    EXPECT_EQ(memory_needed(i, 44 * MiB), 64 * MiB);
    // init_size not a page multiple: the initrd still starts on a page above it.
    bz.init_size = 0x400001;
    EXPECT_EQ(memory_needed(parse(bz).info, 4096), 20 * MiB + 8192);
    // A payload reaching past the kernel's own area.
    bz.relocatable = 0;
    bz.pref_address = 0x100000;
    bz.init_size = 0x1000;
    bz.payload = 0x3001;
    EXPECT_EQ(memory_needed(parse(bz).info, 0), 0x104000u);
    // Sums past 4 GiB saturate.
    bz = Bz{};
    bz.pref_address = 0xFFFFF000;
    bz.init_size = 0x2000;
    EXPECT_EQ(memory_needed(parse(bz).info, 0), 0xFFFFFFFFu);
    EXPECT_EQ(memory_needed(i, 0xFFFFFFFFu), 0xFFFFFFFFu);
    EXPECT_EQ(memory_needed(i, 0xFFFFF000u - 20 * MiB), 0xFFFFF000u);
}

TEST(BzImage, CheckGuestMemory)
{
    BzImageInfo i = parse(Bz{}).info;
    char error[96] = "untouched";
    EXPECT_TRUE(check_guest_memory(i, 0, 20 * MiB, error, sizeof error));
    EXPECT_TRUE(check_guest_memory(i, 0, 3072 * MiB, error, sizeof error));
    EXPECT_STREQ(error, "untouched");
    EXPECT_FALSE(check_guest_memory(i, 0, 20 * MiB - 4096, error, sizeof error));
    EXPECT_STREQ(error, "mem=20476K is too small: needs at least 20 MiB");
    EXPECT_FALSE(check_guest_memory(i, 1, 20 * MiB, error, sizeof error)); // 20 MiB + 4 KiB: 21 MiB
    EXPECT_STREQ(error, "mem=20480K is too small: needs at least 21 MiB");
    EXPECT_FALSE(check_guest_memory(i, 0xFFFFFFFFu, 64 * MiB, error, sizeof error));
    EXPECT_STREQ(error, "mem=65536K is too small: needs at least 4096 MiB");
    char tiny[8];
    EXPECT_FALSE(check_guest_memory(i, 0, 0, tiny, sizeof tiny));
    EXPECT_STREQ(tiny, "mem=0K ");
}

TEST(BzImage, InitrdAddress)
{
    EXPECT_EQ(initrd_address(64 * MiB, 1040 * KiB), 64 * MiB - 1040 * KiB);
    EXPECT_EQ(initrd_address(64 * MiB, 5000), 64 * MiB - 8192);
    EXPECT_EQ(initrd_address(64 * MiB, 1), 64 * MiB - 4096);
    EXPECT_EQ(initrd_address(64 * MiB, 0), 64 * MiB);
    // Whenever check_guest_memory passes, the initrd lies above the kernel and inside memory.
    BzImageInfo i = parse(Bz{}).info;
    for (u32 size : {1u, 4095u, 4096u, 4097u, 1000000u, 44u * MiB})
        for (u32 mem = memory_needed(i, size); mem < memory_needed(i, size) + 3 * 4096; mem += 4096) {
            u32 at = initrd_address(mem, size);
            EXPECT_GE(at, 20 * MiB);
            EXPECT_LE(static_cast<u64>(at) + size, mem);
            EXPECT_EQ(at % 4096, 0u);
        }
}

// ---- the zero page ------------------------------------------------------------------------

TEST(BzImage, ZeroPageByteByByte)
{
    Bz bz;
    bz.loadflags = 0x81;
    std::vector<u8> image = bz.build();
    // Every header byte Bz leaves zero gets a value of its own, and so do the
    // bytes after the header's end (which must not be copied).
    const u32 unset[][2] = {{0x208, 0x211}, {0x212, 0x214}, {0x218, 0x230}, {0x23C, 0x258}, {0x264, 0x300}};
    for (const auto& range : unset)
        for (u32 at = range[0]; at < range[1]; at++) image[at] = static_cast<u8>(at * 3 + 5);
    Result r = parse(image);
    ASSERT_TRUE(r.ok) << r.error;
    std::vector<u8> page(4096, 0xA5);
    build_zero_page(page.data(), r.info, image.data(), 0x4000000, 0x1000, 0x3EFC000, 0x104000);

    std::vector<u8> expected(4096, 0);
    std::memcpy(&expected[0x1F1], &image[0x1F1], 0x268 - 0x1F1);
    expected[0x1E8] = 1;                                     // e820_entries
    const u8 e820[20] = {0, 0, 0, 0, 0, 0, 0, 0,             // address 0
                         0, 0, 0, 4, 0, 0, 0, 0,             // size 64 MiB
                         1, 0, 0, 0};                        // E820_RAM
    std::memcpy(&expected[0x2D0], e820, 20);
    const u8 cmd_line_ptr[4] = {0x00, 0x10, 0, 0};
    std::memcpy(&expected[0x228], cmd_line_ptr, 4);
    const u8 ramdisk[8] = {0x00, 0xC0, 0xEF, 0x03, 0x00, 0x40, 0x10, 0x00};
    std::memcpy(&expected[0x218], ramdisk, 8);
    expected[0x210] = 0xFF;                                  // type_of_loader
    expected[0x211] = 0xC1;                                  // + KEEP_SEGMENTS
    const u8 subarch[4] = {1, 0, 0, 0};                      // lguest
    std::memcpy(&expected[0x23C], subarch, 4);
    for (u32 at = 0; at < 4096; at++) EXPECT_EQ(page[at], expected[at]) << "zero page byte 0x" << std::hex << at;

    // The header's own bytes that rung keeps.
    EXPECT_EQ(page[0x1F1], 4);
    EXPECT_EQ(page[0x1FE], 0x55);
    EXPECT_EQ(page[0x1FF], 0xAA);
    EXPECT_EQ(std::memcmp(&page[0x202], "HdrS", 4), 0);
    EXPECT_EQ(page[0x206], 0x0D);
    EXPECT_EQ(page[0x207], 0x02);
    EXPECT_EQ(get32(&page[0x214]), 0x100000u);
    EXPECT_EQ(get32(&page[0x260]), 0x400000u);
    // Nothing before the header, nor after its end, comes from the image.
    EXPECT_EQ(page[0x1F0], 0);
    EXPECT_NE(image[0x1F0], 0);
    EXPECT_EQ(page[0x268], 0);
    EXPECT_NE(image[0x268], 0);
}

TEST(BzImage, ZeroPageWithoutInitrd)
{
    std::vector<u8> image = Bz{}.build();
    Result r = parse(image);
    ASSERT_TRUE(r.ok) << r.error;
    std::vector<u8> page(4096, 0xA5);
    build_zero_page(page.data(), r.info, image.data(), 20 * MiB, 0x1000, 0x1400000, 0);
    EXPECT_EQ(get32(&page[0x218]), 0u);
    EXPECT_EQ(get32(&page[0x21C]), 0u);
    EXPECT_EQ(get64(&page[0x2D0]), 0u);
    EXPECT_EQ(get64(&page[0x2D8]), 20ull * MiB);
    EXPECT_EQ(get32(&page[0x2E0]), 1u);
    for (u32 at = 0x2E4; at < 4096; at++) ASSERT_EQ(page[at], 0) << "byte 0x" << std::hex << at;
}

TEST(BzImage, ZeroPageHeaderCopyStopsAtItsRoom)
{
    Bz bz;
    bz.jump_length = 0xFF; // a header claiming to end at 0x301
    std::vector<u8> image = bz.build();
    for (u32 at = 0x268; at < 0x301; at++) image[at] = 0x5A;
    Result r = parse(image);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.info.header_end, 0x301u);
    std::vector<u8> page(4096, 0xA5);
    build_zero_page(page.data(), r.info, image.data(), 64 * MiB, 0x1000, 0, 0);
    EXPECT_EQ(page[0x28F], 0x5A);
    for (u32 at = 0x290; at < 0x2D0; at++) EXPECT_EQ(page[at], 0) << "byte 0x" << std::hex << at;
    EXPECT_EQ(page[0x2D0], 0); // e820 address, not header bytes
    EXPECT_EQ(get64(&page[0x2D8]), 64ull * MiB);
}

// ---- the module string ----------------------------------------------------------------

TEST(BzImage, SplitWithoutSeparator)
{
    for (const char* text : {static_cast<const char*>(nullptr), "", "  "}) {
        Split s = split(text);
        EXPECT_TRUE(s.ok);
        EXPECT_FALSE(s.parts.has_command_line);
        EXPECT_EQ(s.parts.command_line, nullptr);
        EXPECT_EQ(s.parts.command_line_length, 0u);
        EXPECT_EQ(s.options.find_first_not_of(' '), std::string::npos);
    }
    Split s = split("/boot/bzImage name=linux mem=64M");
    EXPECT_TRUE(s.ok);
    EXPECT_EQ(s.options, "/boot/bzImage name=linux mem=64M");
    EXPECT_FALSE(s.parts.has_command_line);
    EXPECT_EQ(s.error, "untouched");
    // "--" inside a word is not the separator.
    s = split("bz --x a-- --- x--y");
    EXPECT_FALSE(s.parts.has_command_line);
    EXPECT_EQ(s.options, "bz --x a-- --- x--y");
}

TEST(BzImage, SplitAtALoneDoubleDash)
{
    const char* text = "/boot/bzImage name=linux mem=64M -- console=hvc0 quiet"; // as GRUB passes it
    Split s = split(text);
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.error, "untouched");
    EXPECT_TRUE(s.parts.has_command_line);
    EXPECT_EQ(s.parts.options, text);
    EXPECT_EQ(s.options, "/boot/bzImage name=linux mem=64M ");
    EXPECT_EQ(s.command_line, "console=hvc0 quiet");
    EXPECT_EQ(s.parts.command_line, std::strstr(text, "console")); // points into the string
    // The option parser stops at the same lone "--" by itself.
    GuestOptions options;
    char error[80] = "";
    EXPECT_TRUE(parse_guest_options(text, 1, options, error, sizeof error)) << error;
    EXPECT_STREQ(options.name, "linux");
    EXPECT_TRUE(parse_guest_options(s.options.c_str(), 1, options, error, sizeof error)) << error;
    EXPECT_STREQ(options.name, "linux");
    EXPECT_EQ(options.mem_bytes, 64 * MiB);
}

TEST(BzImage, SplitKeepsTheCommandLineAsGiven)
{
    EXPECT_EQ(split("bz -- a  \t b   ").command_line, "a  \t b"); // blanks between words kept, ends trimmed
    EXPECT_EQ(split("bz\t--\tquiet").command_line, "quiet");
    EXPECT_EQ(split("bz\t--\tquiet").options, "bz\t");
    EXPECT_EQ(split("bz -- init=/bin/sh -- -x").command_line, "init=/bin/sh -- -x"); // later "--": Linux's
    EXPECT_EQ(split("bz -- \"a b\" x=\\y").command_line, "\"a b\" x=\\y");
    Split s = split("-- quiet");
    EXPECT_EQ(s.options, "");
    EXPECT_EQ(s.command_line, "quiet");
    for (const char* text : {"bz --", "bz -- ", "bz --\t \t", "--"}) {
        s = split(text);
        EXPECT_TRUE(s.ok) << text;
        EXPECT_TRUE(s.parts.has_command_line) << text;
        EXPECT_EQ(s.parts.command_line_length, 0u) << text;
        EXPECT_NE(s.parts.command_line, nullptr) << text;
        EXPECT_EQ(s.options, std::string(text, std::strstr(text, "--") - text)) << text;
    }
}

TEST(BzImage, SplitCommandLineLength)
{
    std::string longest = "bz -- " + std::string(2047, 'a');
    Split s = split(longest.c_str());
    EXPECT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.parts.command_line_length, 2047u);
    std::string words = "bz -- " + std::string(1000, 'b') + "  " + std::string(1045, 'c') + "   ";
    s = split(words.c_str());
    EXPECT_TRUE(s.ok) << s.error; // trailing blanks do not count
    EXPECT_EQ(s.parts.command_line_length, 2047u);
    s = split((longest + "a").c_str());
    EXPECT_FALSE(s.ok);
    EXPECT_EQ(s.error, "linux command line too long (2048 bytes, at most 2047)");
    s = split(("bz -- " + std::string(70000, 'x')).c_str());
    EXPECT_FALSE(s.ok);
    EXPECT_EQ(s.error, "linux command line too long (70000 bytes, at most 2047)");
}
