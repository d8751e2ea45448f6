// tests/unit/test_pci.cc: PCI configuration mechanism 1 and bus 0
// (kernel/devices/pci.h): the address register, byte lanes of the data
// port, the host bridge, absent functions, write masks, BAR sizing as Linux
// does it, the fixed BAR and MMIO routing, and the ports that are not PCI.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "devices/pci.h"

using namespace pci;

namespace {

// A function with a register file only: a recognisable identity, a BAR of
// 4 KiB, a writable scratch dword at 0x40, and BAR registers that echo.
struct TestFunction : Function {
    u32 last_bar_write_offset = 0xFFFFFFFF, last_bar_write_value = 0;
    explicit TestFunction(u32 bar = 0xE0000000)
    {
        set(VENDOR_ID, 2, 0x1234);
        set(DEVICE_ID, 2, 0x5678);
        set(CLASS_CODE, 3, 0x0C0300);
        set(0x40, 4, 0xAABBCCDD);
        set_writable(0x40, 4, 0x00FF00FF);
        set_writable(COMMAND, 2, COMMAND_MEMORY);
        set_bar0(bar, 4096);
    }
    const char* bar_read(u32 offset, u32, u32* value) override
    {
        *value = 0x1000 + offset;
        return nullptr;
    }
    const char* bar_write(u32 offset, u32, u32 value) override
    {
        last_bar_write_offset = offset;
        last_bar_write_value = value;
        return offset == 0x800 ? "test reason" : nullptr;
    }
};

u32 address(u32 device, u32 reg, u32 bus = 0, u32 function = 0)
{
    return 0x80000000u | bus << 16 | device << 11 | function << 8 | (reg & 0xFC);
}

// Linux's conf1 accessors: the address, then the data port lane.
u32 read_config(Bus& bus, u32 device, u32 reg, u32 size)
{
    EXPECT_EQ(bus.io_write(CONFIG_ADDRESS_PORT, 4, address(device, reg)), nullptr);
    u32 v = 0;
    EXPECT_EQ(bus.io_read(static_cast<u16>(CONFIG_DATA_PORT + (reg & 3)), size, &v), nullptr);
    return v;
}

void write_config(Bus& bus, u32 device, u32 reg, u32 size, u32 value)
{
    EXPECT_EQ(bus.io_write(CONFIG_ADDRESS_PORT, 4, address(device, reg)), nullptr);
    EXPECT_EQ(bus.io_write(static_cast<u16>(CONFIG_DATA_PORT + (reg & 3)), size, value), nullptr);
}

u32 io_read(Bus& bus, u16 port, u32 size)
{
    u32 v = 0;
    EXPECT_EQ(bus.io_read(port, size, &v), nullptr);
    return v;
}

} // namespace

// ---- the address register -----------------------------------------------------

TEST(PciAddress, ReadsBackWhatWasKept)
{
    Bus bus;
    EXPECT_EQ(io_read(bus, 0xCF8, 4), 0u);
    // Linux's type 1 check: write 0x80000000, read it back.
    EXPECT_EQ(bus.io_write(0xCF8, 4, 0x80000000), nullptr);
    EXPECT_EQ(io_read(bus, 0xCF8, 4), 0x80000000u);
    // Reserved bits 30-24 and 1-0 are not kept.
    EXPECT_EQ(bus.io_write(0xCF8, 4, 0xFFFFFFFF), nullptr);
    EXPECT_EQ(io_read(bus, 0xCF8, 4), 0x80FFFFFCu);
    EXPECT_EQ(bus.address(), 0x80FFFFFCu);
}

TEST(PciAddress, ByteAndWordAccessesAtCf8AreNotTheAddressRegister)
{
    Bus bus;
    bus.io_write(0xCF8, 4, 0x80000800);
    // Linux's check writes a byte to 0xCFB: that is another port.
    EXPECT_EQ(bus.io_write(0xCFB, 1, 0x01), nullptr);
    EXPECT_EQ(bus.io_write(0xCF8, 1, 0x00), nullptr);
    EXPECT_EQ(bus.io_write(0xCF8, 2, 0x0000), nullptr);
    EXPECT_EQ(io_read(bus, 0xCF8, 4), 0x80000800u);
    EXPECT_EQ(io_read(bus, 0xCF8, 1), 0xFFu);
    EXPECT_EQ(io_read(bus, 0xCF8, 2), 0xFFFFu);
    EXPECT_EQ(io_read(bus, 0xCF9, 1), 0xFFu);
    EXPECT_EQ(io_read(bus, 0xCFA, 2), 0xFFFFu);
}

// ---- other ports -------------------------------------------------------------------

TEST(PciPorts, OtherPortsReadAllOnesAndDropWrites)
{
    Bus bus;
    for (u16 port : {0x00, 0x20, 0x60, 0x64, 0x70, 0x80, 0x3F8, 0xCF7, 0xD00, 0xFFFF}) {
        EXPECT_EQ(io_read(bus, port, 1), 0xFFu) << port;
        EXPECT_EQ(io_read(bus, port, 2), 0xFFFFu) << port;
        EXPECT_EQ(io_read(bus, port, 4), 0xFFFFFFFFu) << port;
        EXPECT_EQ(bus.io_write(port, 1, 0), nullptr);
        EXPECT_EQ(bus.io_write(port, 4, 0), nullptr);
    }
    EXPECT_EQ(bus.address(), 0u);
}

TEST(PciPorts, BadSizesReadAllOnesAndDropWrites)
{
    Bus bus;
    bus.io_write(0xCF8, 4, address(0, 0));
    for (u32 size : {0u, 3u, 5u, 8u}) {
        u32 v = 0;
        EXPECT_EQ(bus.io_read(0xCFC, size, &v), nullptr);
        EXPECT_EQ(v, 0xFFFFFFFFu);
        EXPECT_EQ(bus.io_write(0xCF8, size, 0), nullptr);
    }
    EXPECT_EQ(bus.address(), address(0, 0));
}

TEST(PciPorts, DataAccessesRunningPastCffAreNotPci)
{
    Bus bus;
    bus.io_write(0xCF8, 4, address(0, 0));
    EXPECT_EQ(io_read(bus, 0xCFD, 4), 0xFFFFFFFFu);
    EXPECT_EQ(io_read(bus, 0xCFE, 4), 0xFFFFFFFFu);
    EXPECT_EQ(io_read(bus, 0xCFF, 2), 0xFFFFu);
    // Inside the dword they are PCI: 8086 1237 at 00:00.0.
    EXPECT_EQ(io_read(bus, 0xCFD, 2), 0x3780u);
    EXPECT_EQ(io_read(bus, 0xCFE, 2), 0x1237u);
}

// ---- the host bridge and the scan ------------------------------------------------------

TEST(PciBus, HostBridgeIdentifiesItself)
{
    Bus bus;
    EXPECT_EQ(read_config(bus, 0, VENDOR_ID, 4), 0x12378086u);
    EXPECT_EQ(read_config(bus, 0, VENDOR_ID, 2), 0x8086u);
    EXPECT_EQ(read_config(bus, 0, DEVICE_ID, 2), 0x1237u);
    EXPECT_EQ(read_config(bus, 0, 0x08, 4) >> 8, 0x060000u);
    EXPECT_EQ(read_config(bus, 0, 0x0A, 2), 0x0600u); // Linux's sanity check: PCI_CLASS_DEVICE
    EXPECT_EQ(read_config(bus, 0, HEADER_TYPE, 1), 0u);
    EXPECT_EQ(read_config(bus, 0, BAR0, 4), 0u);
}

TEST(PciBus, HostBridgeIsReadOnly)
{
    Bus bus;
    u32 before[64];
    for (u32 r = 0; r < 256; r += 4) before[r / 4] = read_config(bus, 0, r, 4);
    for (u32 r = 0; r < 256; r += 4) write_config(bus, 0, r, 4, 0xFFFFFFFF);
    for (u32 r = 0; r < 256; r += 4) EXPECT_EQ(read_config(bus, 0, r, 4), before[r / 4]) << r;
}

TEST(PciBus, ScanFindsTheBridgeAndTheTable)
{
    Bus bus;
    TestFunction a, b;
    ASSERT_TRUE(bus.attach(1, &a));
    ASSERT_TRUE(bus.attach(2, &b));
    std::string found;
    for (u32 device = 0; device < 32; device++) {
        u32 id = read_config(bus, device, 0, 4);
        if (id == 0xFFFFFFFF) continue;
        char text[32];
        snprintf(text, sizeof text, "%02x:%08x ", device, id);
        found += text;
    }
    EXPECT_EQ(found, "00:12378086 01:56781234 02:56781234 ");
}

TEST(PciBus, AbsentFunctionsReadAllOnesAtEveryWidth)
{
    Bus bus;
    TestFunction a;
    bus.attach(1, &a);
    EXPECT_EQ(read_config(bus, 5, 0, 4), 0xFFFFFFFFu);
    EXPECT_EQ(read_config(bus, 5, 2, 2), 0xFFFFu);
    EXPECT_EQ(read_config(bus, 5, 3, 1), 0xFFu);
    u32 v = 0;
    // Function 1 of a present device, bus 1, and the enable bit clear.
    bus.io_write(0xCF8, 4, address(1, 0, 0, 1));
    bus.io_read(0xCFC, 4, &v);
    EXPECT_EQ(v, 0xFFFFFFFFu);
    bus.io_write(0xCF8, 4, address(1, 0, 1, 0));
    bus.io_read(0xCFC, 4, &v);
    EXPECT_EQ(v, 0xFFFFFFFFu);
    bus.io_write(0xCF8, 4, address(1, 0) & 0x7FFFFFFF);
    bus.io_read(0xCFC, 4, &v);
    EXPECT_EQ(v, 0xFFFFFFFFu);
    // Writes there go nowhere.
    bus.io_write(0xCF8, 4, address(1, 0x40) & 0x7FFFFFFF);
    bus.io_write(0xCFC, 4, 0);
    EXPECT_EQ(a.get(0x40, 4), 0xAABBCCDDu);
}

TEST(PciBus, AttachRefusesSlotZeroTakenSlotsAndBeyond)
{
    Bus bus;
    TestFunction a, b;
    EXPECT_FALSE(bus.attach(0, &a));
    EXPECT_FALSE(bus.attach(32, &a));
    EXPECT_FALSE(bus.attach(3, nullptr));
    EXPECT_TRUE(bus.attach(3, &a));
    EXPECT_FALSE(bus.attach(3, &b));
    EXPECT_EQ(bus.function(3), &a);
    EXPECT_EQ(bus.function(4), nullptr);
    EXPECT_EQ(bus.function(99), nullptr);
}

// ---- byte lanes and write masks ----------------------------------------------------------

TEST(PciConfig, ByteLanesOfTheDataPort)
{
    Bus bus;
    TestFunction a;
    bus.attach(1, &a);
    EXPECT_EQ(read_config(bus, 1, 0x40, 4), 0xAABBCCDDu);
    EXPECT_EQ(read_config(bus, 1, 0x40, 1), 0xDDu);
    EXPECT_EQ(read_config(bus, 1, 0x41, 1), 0xCCu);
    EXPECT_EQ(read_config(bus, 1, 0x42, 1), 0xBBu);
    EXPECT_EQ(read_config(bus, 1, 0x43, 1), 0xAAu);
    EXPECT_EQ(read_config(bus, 1, 0x41, 2), 0xBBCCu);
    EXPECT_EQ(read_config(bus, 1, 0x42, 2), 0xAABBu);
    // The address's low bits are not kept: the port picks the lane.
    bus.io_write(0xCF8, 4, address(1, 0x40) | 3);
    EXPECT_EQ(io_read(bus, 0xCFC, 1), 0xDDu);
}

TEST(PciConfig, WritesMergeUnderTheMask)
{
    Bus bus;
    TestFunction a;
    bus.attach(1, &a);
    write_config(bus, 1, 0x40, 4, 0x11223344);
    EXPECT_EQ(read_config(bus, 1, 0x40, 4), 0xAA22CC44u); // mask 0x00FF00FF
    write_config(bus, 1, 0x42, 1, 0x99);
    EXPECT_EQ(read_config(bus, 1, 0x40, 4), 0xAA99CC44u);
    write_config(bus, 1, 0x43, 1, 0x00);
    EXPECT_EQ(read_config(bus, 1, 0x40, 4), 0xAA99CC44u);
    // Identification is read-only.
    write_config(bus, 1, 0, 4, 0);
    EXPECT_EQ(read_config(bus, 1, 0, 4), 0x56781234u);
}

// ---- BAR0 -------------------------------------------------------------------------------

TEST(PciBar, SizingTheWayLinuxDoes)
{
    Bus bus;
    TestFunction a(0xE0001000);
    bus.attach(1, &a);
    EXPECT_EQ(read_config(bus, 1, COMMAND, 2) & COMMAND_MEMORY, COMMAND_MEMORY);
    u32 original = read_config(bus, 1, BAR0, 4);
    EXPECT_EQ(original, 0xE0001000u);
    // Decoding off, all ones, read the size mask, put it back, decoding on.
    write_config(bus, 1, COMMAND, 2, 0);
    EXPECT_FALSE(a.bar_decoded());
    write_config(bus, 1, BAR0, 4, 0xFFFFFFFF);
    u32 mask = read_config(bus, 1, BAR0, 4);
    EXPECT_EQ(mask, 0xFFFFF000u);
    EXPECT_EQ(~(mask & ~0xFu) + 1, 4096u);
    EXPECT_FALSE(a.bar_moved()); // sizing is not a move
    write_config(bus, 1, BAR0, 4, original);
    write_config(bus, 1, COMMAND, 2, COMMAND_MEMORY);
    EXPECT_TRUE(a.bar_decoded());
    EXPECT_FALSE(a.bar_moved());
    // BARs 1-5 and the ROM are not implemented: they size to 0.
    for (u32 reg = 0x14; reg <= 0x24; reg += 4) {
        write_config(bus, 1, reg, 4, 0xFFFFFFFF);
        EXPECT_EQ(read_config(bus, 1, reg, 4), 0u) << reg;
    }
    write_config(bus, 1, EXPANSION_ROM, 4, 0xFFFFFFFE);
    EXPECT_EQ(read_config(bus, 1, EXPANSION_ROM, 4), 0u);
}

TEST(PciBar, AMoveIsReportedAndStopsDecoding)
{
    Bus bus;
    TestFunction a(0xE0000000);
    bus.attach(1, &a);
    write_config(bus, 1, BAR0, 4, 0xD0000123);
    EXPECT_EQ(read_config(bus, 1, BAR0, 4), 0xD0000000u);
    EXPECT_TRUE(a.bar_moved());
    EXPECT_FALSE(a.bar_decoded());
    // The host's placement still belongs to the function, but nothing decodes it.
    u32 offset = 0;
    EXPECT_EQ(bus.bar_at(0xE0000010, &offset), &a);
    u32 v = 0;
    EXPECT_EQ(bus.mmio_read(0xE0000010, 4, &v), nullptr);
    EXPECT_EQ(v, 0xFFFFFFFFu);
    EXPECT_EQ(bus.mmio_write(0xE0000010, 4, 7), nullptr);
    EXPECT_EQ(a.last_bar_write_offset, 0xFFFFFFFFu);
    // The new place is nobody's.
    EXPECT_EQ(bus.bar_at(0xD0000000, &offset), nullptr);
    // Moving it back restores it.
    write_config(bus, 1, BAR0, 4, 0xE0000000);
    EXPECT_TRUE(a.bar_decoded());
}

TEST(PciBar, MmioRoutingToTheRightFunctionAndOffset)
{
    Bus bus;
    TestFunction a(0xE0000000), b(0xE0001000);
    bus.attach(1, &a);
    bus.attach(2, &b);
    u32 offset = 0;
    EXPECT_EQ(bus.bar_at(0xE0000FFF, &offset), &a);
    EXPECT_EQ(offset, 0xFFFu);
    EXPECT_EQ(bus.bar_at(0xE0001004, &offset), &b);
    EXPECT_EQ(offset, 4u);
    EXPECT_EQ(bus.bar_at(0xE0002000, &offset), nullptr);
    EXPECT_EQ(bus.bar_at(0xDFFFFFFF, &offset), nullptr);
    u32 v = 0;
    EXPECT_EQ(bus.mmio_read(0xE0001010, 2, &v), nullptr);
    EXPECT_EQ(v, 0x1010u);
    EXPECT_EQ(bus.mmio_write(0xE0000020, 1, 0x1FF), nullptr);
    EXPECT_EQ(a.last_bar_write_offset, 0x20u);
    EXPECT_EQ(a.last_bar_write_value, 0xFFu); // truncated to the access
    EXPECT_EQ(std::string(bus.mmio_write(0xE0000800, 4, 1)), "test reason");
}

TEST(PciBar, MmioOutsideOrAcrossTheEndOfABarIsAReason)
{
    Bus bus;
    TestFunction a(0xE0000000);
    bus.attach(1, &a);
    u32 v = 0;
    EXPECT_EQ(std::string(bus.mmio_read(0xE0001000, 4, &v)), "4-byte read at 0xe0001000 is not inside a BAR");
    EXPECT_EQ(std::string(bus.mmio_read(0xE0000FFE, 4, &v)), "4-byte read at 0xe0000ffe is not inside a BAR");
    EXPECT_EQ(std::string(bus.mmio_write(0xE0000000, 3, 0)), "3-byte write at 0xe0000000 is not inside a BAR");
    EXPECT_EQ(bus.mmio_read(0xE0000FFC, 4, &v), nullptr);
}
