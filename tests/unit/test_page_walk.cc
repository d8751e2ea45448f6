// tests/unit/test_page_walk.cc: walking a guest's own page tables
// (kernel/vmm/page_walk.h; guest ABI, section 7).  Guest memory is a byte
// array here, and the tests write the directory and tables into it.  Only
// the fields WalkResult defines for each kind are checked: a fault has its
// error code, a kill its reason, a mapping everything else.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "mm/page_table.h"
#include "vmm/page_walk.h"

namespace {

constexpr u32 SIZE = 64 * 1024; // 16 pages of guest memory
constexpr u32 DIR = 0x1000, TABLE = 0x2000, PAGE = 0x5000;
constexpr u32 P = pte::PRESENT, W = pte::WRITABLE, U = pte::USER;
constexpr u32 ADDRESS = 0x00403123; // directory index 1, table index 3, offset 0x123

struct Memory {
    std::vector<u8> bytes = std::vector<u8>(SIZE, 0);

    void put(u32 gpa, u32 v) { std::memcpy(&bytes[gpa], &v, 4); }
    void pde(u32 address, u32 v) { put(DIR + directory_index(address) * 4, v); }
    void pte(u32 address, u32 v, u32 table = TABLE) { put(table + table_index(address) * 4, v); }
    // ADDRESS through TABLE to PAGE with the given bits at each level.
    void map(u32 pde_bits, u32 pte_bits)
    {
        pde(ADDRESS, TABLE | pde_bits);
        pte(ADDRESS, PAGE | pte_bits);
    }
    WalkResult walk(u32 address, u32 access) const
    {
        return walk_guest_tables(bytes.data(), SIZE, DIR, address, access);
    }
};

const u32 ACCESSES[] = {0, pf::WRITE, pf::USER, pf::WRITE | pf::USER};

std::string kind(const WalkResult& r)
{
    return r.kind == WalkResult::mapped ? "mapped" : r.kind == WalkResult::fault ? "fault" : "kill";
}

} // namespace

TEST(PageWalk, NotPresentDirectoryEntry)
{
    Memory m; // all zero
    for (u32 access : ACCESSES) {
        WalkResult r = m.walk(ADDRESS, access);
        EXPECT_EQ(r.kind, WalkResult::fault) << kind(r);
        EXPECT_EQ(r.error, access); // P clear: not present; W and U as asked
    }
    // Every other bit set but P: still not present, and nothing else is looked at
    // (not even the LARGE bit, nor a frame outside memory).
    m.pde(ADDRESS, 0xFFFFFFFE);
    WalkResult r = m.walk(ADDRESS, pf::WRITE);
    EXPECT_EQ(r.kind, WalkResult::fault);
    EXPECT_EQ(r.error, pf::WRITE);
}

TEST(PageWalk, NotPresentTableEntry)
{
    Memory m;
    m.pde(ADDRESS, TABLE | P | W | U);
    for (u32 access : ACCESSES) {
        WalkResult r = m.walk(ADDRESS, access);
        EXPECT_EQ(r.kind, WalkResult::fault) << kind(r);
        EXPECT_EQ(r.error, access);
    }
    m.pte(ADDRESS, 0xFFFFFFFE); // all but P, including a frame far outside memory
    WalkResult r = m.walk(ADDRESS, pf::USER);
    EXPECT_EQ(r.kind, WalkResult::fault) << kind(r);
    EXPECT_EQ(r.error, pf::USER);
}

TEST(PageWalk, NotPresentBeatsProtection)
{
    // A supervisor, read-only directory entry over a missing page: the CPU
    // reports the missing page (P clear), not the protection.
    Memory m;
    m.pde(ADDRESS, TABLE | P);
    WalkResult r = m.walk(ADDRESS, pf::USER | pf::WRITE);
    EXPECT_EQ(r.kind, WalkResult::fault);
    EXPECT_EQ(r.error, pf::USER | pf::WRITE);
}

TEST(PageWalk, GoodMapping)
{
    Memory m;
    m.map(P | W | U, P | W | U);
    for (u32 access : ACCESSES) {
        WalkResult r = m.walk(ADDRESS, access);
        ASSERT_EQ(r.kind, WalkResult::mapped) << kind(r) << " access " << access;
        EXPECT_EQ(r.page, PAGE);
        EXPECT_TRUE(r.writable);
        EXPECT_TRUE(r.user);
        EXPECT_EQ(r.pde_gpa, DIR + 4);
        EXPECT_EQ(r.pte_gpa, TABLE + 12);
        EXPECT_EQ(r.pde, TABLE | P | W | U);
        EXPECT_EQ(r.pte, PAGE | P | W | U);
    }
    // Any offset in the page gives the same page.
    EXPECT_EQ(m.walk(ADDRESS & ~0xFFFu, 0).page, PAGE);
    EXPECT_EQ(m.walk(ADDRESS | 0xFFF, 0).page, PAGE);
    // The neighbours are not mapped.
    EXPECT_EQ(m.walk(ADDRESS + 0x1000, 0).kind, WalkResult::fault);
    EXPECT_EQ(m.walk(ADDRESS - 0x1000, 0).kind, WalkResult::fault);
    EXPECT_EQ(m.walk(ADDRESS + 0x400000, 0).kind, WalkResult::fault);
}

TEST(PageWalk, AttributeBitsDoNotLeakIntoThePage)
{
    Memory m;
    u32 extra = pte::ACCESSED | pte::DIRTY | pte::GLOBAL | pte::WRITE_THROUGH | pte::NO_CACHE | 0xE00;
    m.pde(ADDRESS, TABLE | P | W | U | pte::ACCESSED | pte::WRITE_THROUGH | pte::NO_CACHE | 0xE00);
    m.pte(ADDRESS, PAGE | P | W | U | extra);
    WalkResult r = m.walk(ADDRESS, pf::WRITE);
    ASSERT_EQ(r.kind, WalkResult::mapped) << kind(r);
    EXPECT_EQ(r.page, PAGE);
    EXPECT_EQ(r.pte, PAGE | P | W | U | extra);
}

TEST(PageWalk, WalkDoesNotWriteGuestMemory)
{
    Memory m;
    m.map(P | W | U, P | W | U);
    std::vector<u8> before = m.bytes;
    for (u32 access : ACCESSES) m.walk(ADDRESS, access);
    m.walk(0, 0);
    EXPECT_EQ(m.bytes, before);
}

TEST(PageWalk, WritableAndUserAreWhatBothLevelsAllow)
{
    struct Case {
        u32 pde, pte;
        bool writable, user;
    } cases[] = {
        {P | W | U, P | W | U, true, true}, {P | U, P | W | U, false, true}, {P | W | U, P | U, false, true},
        {P | W, P | W | U, true, false},    {P | W | U, P | W, true, false}, {P, P, false, false},
    };
    for (const Case& c : cases) {
        Memory m;
        m.map(c.pde, c.pte);
        WalkResult r = m.walk(ADDRESS, 0); // a supervisor read always passes
        ASSERT_EQ(r.kind, WalkResult::mapped) << c.pde << " " << c.pte;
        EXPECT_EQ(r.writable, c.writable) << c.pde << " " << c.pte;
        EXPECT_EQ(r.user, c.user) << c.pde << " " << c.pte;
    }
}

TEST(PageWalk, UserAccessToSupervisorPage)
{
    for (bool at_directory : {true, false}) {
        Memory m;
        if (at_directory) m.map(P | W, P | W | U);
        else m.map(P | W | U, P | W);
        for (u32 access : {pf::USER, pf::USER | pf::WRITE}) {
            WalkResult r = m.walk(ADDRESS, access);
            EXPECT_EQ(r.kind, WalkResult::fault) << kind(r) << (at_directory ? " pde" : " pte");
            EXPECT_EQ(r.error, access | pf::PRESENT);
        }
        // Ring 1 is supervisor: it may read and write.
        EXPECT_EQ(m.walk(ADDRESS, 0).kind, WalkResult::mapped);
        EXPECT_EQ(m.walk(ADDRESS, pf::WRITE).kind, WalkResult::mapped);
    }
}

TEST(PageWalk, WriteToReadOnlyPage)
{
    for (bool at_directory : {true, false}) {
        Memory m;
        if (at_directory) m.map(P | U, P | W | U);
        else m.map(P | W | U, P | U);
        // CR0.WP is on: a supervisor (ring 1) write faults too.
        for (u32 access : {pf::WRITE, pf::WRITE | pf::USER}) {
            WalkResult r = m.walk(ADDRESS, access);
            EXPECT_EQ(r.kind, WalkResult::fault) << kind(r) << (at_directory ? " pde" : " pte");
            EXPECT_EQ(r.error, access | pf::PRESENT);
        }
        for (u32 access : {0u, pf::USER}) {
            WalkResult r = m.walk(ADDRESS, access);
            EXPECT_EQ(r.kind, WalkResult::mapped) << kind(r);
            EXPECT_FALSE(r.writable);
            EXPECT_TRUE(r.user);
        }
    }
    // Read-only and supervisor: a user write reports both W and U.
    Memory m;
    m.map(P, P);
    WalkResult r = m.walk(ADDRESS, pf::WRITE | pf::USER);
    EXPECT_EQ(r.kind, WalkResult::fault);
    EXPECT_EQ(r.error, pf::WRITE | pf::USER | pf::PRESENT);
    r = m.walk(ADDRESS, pf::WRITE);
    EXPECT_EQ(r.error, pf::WRITE | pf::PRESENT);
}

TEST(PageWalk, LargePagesKill)
{
    Memory m;
    m.pde(ADDRESS, 0x00400000 | P | W | U | pte::LARGE);
    for (u32 access : ACCESSES) {
        WalkResult r = m.walk(ADDRESS, access);
        EXPECT_EQ(r.kind, WalkResult::kill) << kind(r);
        EXPECT_NE(std::string(r.reason).find("4 MiB"), std::string::npos) << r.reason;
    }
    // Even one whose "frame" lies inside memory.
    m.pde(ADDRESS, TABLE | P | pte::LARGE);
    EXPECT_EQ(m.walk(ADDRESS, 0).kind, WalkResult::kill);
}

TEST(PageWalk, DirectoryEntryOutsideMemoryKills)
{
    for (u32 frame : {SIZE, SIZE + 0x1000, 0x00800000u, 0xFFFFF000u}) {
        Memory m;
        m.pde(ADDRESS, frame | P | W | U);
        WalkResult r = m.walk(ADDRESS, 0);
        EXPECT_EQ(r.kind, WalkResult::kill) << std::hex << frame;
        EXPECT_NE(std::string(r.reason).find("directory entry outside guest memory"), std::string::npos) << r.reason;
    }
    // The last page of memory is a fine table.
    Memory m;
    m.pde(ADDRESS, (SIZE - 0x1000) | P | W | U);
    m.pte(ADDRESS, PAGE | P, SIZE - 0x1000);
    WalkResult r = m.walk(ADDRESS, 0);
    EXPECT_EQ(r.kind, WalkResult::mapped) << kind(r);
    EXPECT_EQ(r.pte_gpa, SIZE - 0x1000 + 12);
}

TEST(PageWalk, TableEntryOutsideMemoryKills)
{
    for (u32 frame : {SIZE, SIZE + 0x1000, 0x7FFFF000u, 0xFFFFF000u}) {
        Memory m;
        m.map(P | W | U, 0);
        m.pte(ADDRESS, frame | P | W | U);
        for (u32 access : ACCESSES) {
            WalkResult r = m.walk(ADDRESS, access);
            EXPECT_EQ(r.kind, WalkResult::kill) << std::hex << frame;
            EXPECT_NE(std::string(r.reason).find("table entry outside guest memory"), std::string::npos)
                << r.reason;
        }
    }
    // The last page of memory, and page 0, are fine pages.
    for (u32 frame : {SIZE - 0x1000, 0u}) {
        Memory m;
        m.map(P | W | U, 0);
        m.pte(ADDRESS, frame | P | W | U);
        WalkResult r = m.walk(ADDRESS, pf::WRITE | pf::USER);
        EXPECT_EQ(r.kind, WalkResult::mapped) << kind(r);
        EXPECT_EQ(r.page, frame);
    }
}

TEST(PageWalk, ExtremeAddresses)
{
    Memory m;
    // Directory entry 0, table entry 0, and directory entry 1023, table entry 1023
    // (the walk itself does not know the switcher owns the top 4 MiB).
    m.pde(0, 0x3000 | P | W);
    m.pte(0, 0x6000 | P | W, 0x3000);
    m.pde(0xFFFFF000, 0x4000 | P | W);
    m.pte(0xFFFFF000, 0x7000 | P, 0x4000);
    WalkResult r = m.walk(0, pf::WRITE);
    ASSERT_EQ(r.kind, WalkResult::mapped) << kind(r);
    EXPECT_EQ(r.page, 0x6000u);
    EXPECT_EQ(r.pde_gpa, DIR);
    EXPECT_EQ(r.pte_gpa, 0x3000u);
    r = m.walk(0xFFFFFFFF, 0);
    ASSERT_EQ(r.kind, WalkResult::mapped) << kind(r);
    EXPECT_EQ(r.page, 0x7000u);
    EXPECT_EQ(r.pde_gpa, DIR + 4092);
    EXPECT_EQ(r.pte_gpa, 0x4000u + 4092);
    EXPECT_FALSE(r.writable);
    EXPECT_FALSE(r.user);
}

// ---- the device window (PCI BARs above a Linux guest's memory) ----------------

TEST(PageWalk, EntryInTheDeviceWindowIsADeviceAccess)
{
    const DeviceWindow bars{0x10000000, 0x10004000};
    for (u32 frame : {0x10000000u, 0x10003000u}) {
        Memory m;
        m.map(P | W, 0);
        m.pte(ADDRESS, frame | P | W);
        WalkResult r = walk_guest_tables(m.bytes.data(), SIZE, DIR, ADDRESS, pf::WRITE, bars);
        EXPECT_EQ(r.kind, WalkResult::device) << std::hex << frame;
        EXPECT_EQ(r.page, frame);
    }
}

TEST(PageWalk, DeviceWindowKeepsTheRingAndWriteRules)
{
    const DeviceWindow bars{0x10000000, 0x10004000};
    Memory m;
    m.map(P | W, 0);
    m.pte(ADDRESS, 0x10000000 | P); // read-only, supervisor
    EXPECT_EQ(walk_guest_tables(m.bytes.data(), SIZE, DIR, ADDRESS, pf::WRITE, bars).kind, WalkResult::fault);
    EXPECT_EQ(walk_guest_tables(m.bytes.data(), SIZE, DIR, ADDRESS, pf::USER, bars).kind, WalkResult::fault);
    EXPECT_EQ(walk_guest_tables(m.bytes.data(), SIZE, DIR, ADDRESS, 0, bars).kind, WalkResult::device);
}

TEST(PageWalk, OutsideMemoryAndWindowStillKills)
{
    const DeviceWindow bars{0x10000000, 0x10004000};
    for (u32 frame : {0x0FFFF000u, 0x10004000u, SIZE}) {
        Memory m;
        m.map(P | W, 0);
        m.pte(ADDRESS, frame | P | W);
        EXPECT_EQ(walk_guest_tables(m.bytes.data(), SIZE, DIR, ADDRESS, 0, bars).kind, WalkResult::kill)
            << std::hex << frame;
    }
}
