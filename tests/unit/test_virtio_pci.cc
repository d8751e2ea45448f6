// tests/unit/test_virtio_pci.cc: the virtio 1.0 PCI transport
// (kernel/devices/virtio_pci.h) with a recording test device: the probe
// Linux makes (scan, identity, capabilities, BAR sizing), feature
// negotiation, status and reset, queue set-up, notify, ISR, the PCI_CFG
// window, and hostile accesses.
#include "virtio_rig.h"

using namespace virtio;
using rig::BAR;
using rig::str;

namespace {

// A device with 3 queues of 16, features bits 0 and 5, 8 bytes of
// configuration that read back what was written; it records the hooks.
struct TestDevice : Device {
    u8 config[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<u32> notified;
    int ready_calls = 0, resets = 0;
    const char* notify_error = nullptr;

    TestDevice() : Device(42, 0xFF0000, 1ull << 0 | 1ull << 5, 3, 16, 4096, 8) {}
    const char* read_config(u32 offset, u32 size, u32* value) override
    {
        u32 v = 0;
        for (u32 i = 0; i < size; i++) v |= static_cast<u32>(config[offset + i]) << (8 * i);
        *value = v;
        return nullptr;
    }
    const char* write_config(u32 offset, u32 size, u32 value) override
    {
        for (u32 i = 0; i < size; i++) config[offset + i] = static_cast<u8>(value >> (8 * i));
        return nullptr;
    }
    const char* queue_notified(u32 index) override
    {
        notified.push_back(index);
        return notify_error;
    }
    const char* driver_ready() override
    {
        ready_calls++;
        return nullptr;
    }
    void reset() override { resets++; }
};

// The device first (a base is built before the next one).
struct Holder {
    TestDevice device;
};
struct Rig : Holder, rig::Guest {
    Rig() : rig::Guest(device) {}
    TestDevice& dev() { return device; }
};

} // namespace

// ---- initialisation -------------------------------------------------------------

TEST(VirtioPciInit, RefusesUnusableDescriptionsAndBars)
{
    TestDevice d;
    u8 mem[64];
    PciTransport t;
    EXPECT_FALSE(t.init(d, GuestMemoryView{mem, 64}, 0, 1, nullptr, nullptr));
    EXPECT_FALSE(t.init(d, GuestMemoryView{mem, 64}, 0x100800, 1, nullptr, nullptr));
    struct Many : Device {
        Many() : Device(1, 0, 0, MAX_QUEUES + 1, 16, 4096, 0) {}
    } many;
    EXPECT_FALSE(t.init(many, GuestMemoryView{mem, 64}, 0x100000, 1, nullptr, nullptr));
    struct Odd : Device {
        Odd() : Device(1, 0, 0, 1, 24, 4096, 0) {}
    } odd;
    EXPECT_FALSE(t.init(odd, GuestMemoryView{mem, 64}, 0x100000, 1, nullptr, nullptr));
    struct Big : Device {
        Big() : Device(1, 0, 0, 1, 16, 4096, MAX_DEVICE_CFG_LENGTH + 1) {}
    } big;
    EXPECT_FALSE(t.init(big, GuestMemoryView{mem, 64}, 0x100000, 1, nullptr, nullptr));
    EXPECT_TRUE(t.init(d, GuestMemoryView{mem, 64}, 0x100000, 1, nullptr, nullptr));
}

// ---- the probe ----------------------------------------------------------------------

TEST(VirtioPciProbe, IdentityAsLinuxReadsIt)
{
    Rig r;
    EXPECT_EQ(r.cfg_read(pci::VENDOR_ID, 4), 0x106A1AF4u); // 0x1040 + 42
    EXPECT_EQ(r.cfg_read(pci::REVISION, 1), 1u);
    EXPECT_EQ(r.cfg_read(pci::REVISION, 4) >> 8, 0xFF0000u);
    EXPECT_EQ(r.cfg_read(pci::HEADER_TYPE, 1), 0u);
    EXPECT_EQ(r.cfg_read(pci::SUBSYSTEM_VENDOR_ID, 2), 0x1AF4u);
    EXPECT_EQ(r.cfg_read(pci::SUBSYSTEM_ID, 2), 0x40u + 42);
    EXPECT_EQ(r.cfg_read(pci::INTERRUPT_LINE, 1), 1u);
    EXPECT_EQ(r.cfg_read(pci::INTERRUPT_PIN, 1), 0u);
    EXPECT_EQ(r.cfg_read(pci::STATUS, 2) & pci::STATUS_CAPABILITIES, pci::STATUS_CAPABILITIES);
    EXPECT_EQ(r.cfg_read(pci::CAPABILITIES, 1), 0x40u);
}

TEST(VirtioPciProbe, CapabilityChainDescribesBar0)
{
    Rig r;
    struct Found {
        u32 at, bar, offset, length;
    } found[6] = {};
    u32 count = 0;
    for (u32 cap = r.cfg_read(pci::CAPABILITIES, 1) & ~3u; cap; cap = r.cfg_read(cap + CAP_NEXT, 1) & ~3u) {
        ASSERT_LT(count, 6u) << "a loop in the chain";
        ASSERT_EQ(cap % 4, 0u);
        ASSERT_GE(cap, 0x40u);
        EXPECT_EQ(r.cfg_read(cap + CAP_VNDR, 1), pci::CAP_ID_VENDOR);
        u32 type = r.cfg_read(cap + CAP_CFG_TYPE, 1);
        ASSERT_GE(type, 1u);
        ASSERT_LE(type, 5u);
        EXPECT_GE(r.cfg_read(cap + CAP_LEN, 1), 16u);
        found[type] = {cap, r.cfg_read(cap + CAP_BAR, 1), r.cfg_read(cap + CAP_OFFSET, 4), r.cfg_read(cap + CAP_LENGTH, 4)};
        count++;
    }
    EXPECT_EQ(count, 5u);
    EXPECT_EQ(found[CFG_TYPE_COMMON].offset, 0u);
    EXPECT_GE(found[CFG_TYPE_COMMON].length, 0x38u);
    EXPECT_EQ(found[CFG_TYPE_NOTIFY].offset, 0x80u);
    EXPECT_EQ(found[CFG_TYPE_NOTIFY].length, 6u); // 3 queues, multiplier 2
    EXPECT_EQ(r.cfg_read(found[CFG_TYPE_NOTIFY].at + CAP_NOTIFY_OFF_MULTIPLIER, 4), 2u);
    EXPECT_EQ(found[CFG_TYPE_ISR].offset, 0x40u);
    EXPECT_EQ(found[CFG_TYPE_ISR].length, 1u);
    EXPECT_EQ(found[CFG_TYPE_DEVICE].offset, 0x100u);
    EXPECT_EQ(found[CFG_TYPE_DEVICE].length, 8u);
    EXPECT_EQ(r.cfg_read(found[CFG_TYPE_PCI].at + CAP_LEN, 1), 20u);
    for (u32 t = 1; t <= 4; t++) {
        EXPECT_EQ(found[t].bar, 0u);
        EXPECT_LE(found[t].offset + found[t].length, BAR_SIZE); // Linux's range check
        EXPECT_NE(found[t].at, 0u);
    }
    // The capabilities are read-only, the window's fields aside.
    r.cfg_write(found[CFG_TYPE_COMMON].at + CAP_OFFSET, 4, 0x200);
    r.cfg_write(found[CFG_TYPE_COMMON].at + CAP_NEXT, 1, 0);
    EXPECT_EQ(r.cfg_read(found[CFG_TYPE_COMMON].at + CAP_OFFSET, 4), 0u);
    EXPECT_NE(r.cfg_read(found[CFG_TYPE_COMMON].at + CAP_NEXT, 1), 0u);
}

TEST(VirtioPciProbe, NoDeviceCapabilityWithoutConfiguration)
{
    struct Bare : Device {
        Bare() : Device(9, 0, 0, 1, 16, 4096, 0) {}
    } bare;
    rig::Guest g(bare);
    u32 count = 0;
    for (u32 cap = g.cfg_read(pci::CAPABILITIES, 1); cap; cap = g.cfg_read(cap + CAP_NEXT, 1)) {
        EXPECT_NE(g.cfg_read(cap + CAP_CFG_TYPE, 1), CFG_TYPE_DEVICE);
        ASSERT_LT(++count, 6u);
    }
    EXPECT_EQ(count, 4u);
    EXPECT_EQ(g.rd(0x100, 4), 0u); // padding now
}

TEST(VirtioPciProbe, Bar0SizesToFourKilobytesAndStays)
{
    Rig r;
    EXPECT_EQ(r.cfg_read(pci::BAR0, 4), BAR);
    u32 command = r.cfg_read(pci::COMMAND, 2);
    EXPECT_EQ(command & pci::COMMAND_MEMORY, pci::COMMAND_MEMORY);
    r.cfg_write(pci::COMMAND, 2, command & ~pci::COMMAND_MEMORY);
    r.cfg_write(pci::BAR0, 4, 0xFFFFFFFF);
    EXPECT_EQ(r.cfg_read(pci::BAR0, 4), ~(BAR_SIZE - 1));
    // Not decoded meanwhile: the transport's own entry point reads all ones.
    u32 v = 0;
    EXPECT_EQ(r.transport.mmio_read(NUM_QUEUES, 2, &v), nullptr);
    EXPECT_EQ(v, 0xFFFFu);
    r.cfg_write(pci::BAR0, 4, BAR);
    r.cfg_write(pci::COMMAND, 2, command);
    EXPECT_EQ(r.rd(NUM_QUEUES, 2), 3u);
    EXPECT_FALSE(r.transport.bar_moved());
}

// ---- features ------------------------------------------------------------------------------

TEST(VirtioPciFeatures, DeviceFeaturesBySelect)
{
    Rig r;
    r.wr(DEVICE_FEATURE_SELECT, 4, 0);
    EXPECT_EQ(r.rd(DEVICE_FEATURE, 4), 0x21u);
    r.wr(DEVICE_FEATURE_SELECT, 4, 1);
    EXPECT_EQ(r.rd(DEVICE_FEATURE, 4), 1u); // VERSION_1
    EXPECT_EQ(r.rd(DEVICE_FEATURE_SELECT, 4), 1u);
    r.wr(DEVICE_FEATURE_SELECT, 4, 2);
    EXPECT_EQ(r.rd(DEVICE_FEATURE, 4), 0u);
    r.wr(DEVICE_FEATURE_SELECT, 4, 0xFFFFFFFF);
    EXPECT_EQ(r.rd(DEVICE_FEATURE, 4), 0u);
    // device_feature is read-only.
    r.wr(DEVICE_FEATURE_SELECT, 4, 0);
    r.wr(DEVICE_FEATURE, 4, 0xFFFFFFFF);
    EXPECT_EQ(r.rd(DEVICE_FEATURE, 4), 0x21u);
}

TEST(VirtioPciFeatures, ASubsetWithVersion1IsAccepted)
{
    Rig r;
    EXPECT_TRUE(r.negotiate(FEATURE_VERSION_1 | 1ull << 5));
    EXPECT_EQ(r.transport.driver_features(), FEATURE_VERSION_1 | 1ull << 5);
    r.wr(DRIVER_FEATURE_SELECT, 4, 0);
    EXPECT_EQ(r.rd(DRIVER_FEATURE, 4), 0x20u);
    r.wr(DRIVER_FEATURE_SELECT, 4, 1);
    EXPECT_EQ(r.rd(DRIVER_FEATURE, 4), 1u);
    EXPECT_TRUE(r.negotiate(FEATURE_VERSION_1));
}

TEST(VirtioPciFeatures, WithoutVersion1FeaturesOkDoesNotStick)
{
    Rig r;
    EXPECT_FALSE(r.negotiate(1ull << 0));
    EXPECT_EQ(r.transport.device_status(), STATUS_ACKNOWLEDGE | STATUS_DRIVER);
}

TEST(VirtioPciFeatures, FeaturesNotOfferedAreRefused)
{
    Rig r;
    EXPECT_FALSE(r.negotiate(FEATURE_VERSION_1 | 1ull << 1));
    EXPECT_FALSE(r.negotiate(FEATURE_VERSION_1 | 1ull << 40));
    EXPECT_FALSE(r.negotiate(~0ull));
}

TEST(VirtioPciFeatures, FrozenOnceFeaturesOk)
{
    Rig r;
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1));
    r.wr(DRIVER_FEATURE_SELECT, 4, 0);
    r.wr(DRIVER_FEATURE, 4, 0x21);
    EXPECT_EQ(r.transport.driver_features(), FEATURE_VERSION_1);
    // Selects beyond 1 hold nothing.
    r.reset();
    r.wr(DRIVER_FEATURE_SELECT, 4, 7);
    r.wr(DRIVER_FEATURE, 4, 0xFFFFFFFF);
    EXPECT_EQ(r.rd(DRIVER_FEATURE, 4), 0u);
    EXPECT_EQ(r.transport.driver_features(), 0u);
}

// ---- status and reset -------------------------------------------------------------------

TEST(VirtioPciStatus, DriverOkCallsTheDeviceOnce)
{
    Rig r;
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1));
    EXPECT_EQ(r.dev().ready_calls, 0);
    r.driver_ok();
    EXPECT_EQ(r.dev().ready_calls, 1);
    EXPECT_TRUE(r.transport.driver_ok());
    r.driver_ok(); // not newly set
    EXPECT_EQ(r.dev().ready_calls, 1);
    r.wr(DEVICE_STATUS, 1, r.rd(DEVICE_STATUS, 1) | STATUS_FAILED);
    EXPECT_FALSE(r.transport.driver_ok());
}

TEST(VirtioPciStatus, ResetClearsEverythingButTheGeneration)
{
    Rig r;
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1 | 1));
    ASSERT_EQ(r.setup_queue(1, 8), "(null)");
    r.driver_ok();
    r.transport.signal_config_change();
    u32 generation = r.rd(CONFIG_GENERATION, 1);
    EXPECT_EQ(generation, 1u);
    int resets = r.dev().resets;
    r.wr(DEVICE_FEATURE_SELECT, 4, 1);
    r.wr(QUEUE_SELECT, 2, 1);
    r.reset();
    EXPECT_EQ(r.dev().resets, resets + 1);
    EXPECT_EQ(r.rd(DEVICE_STATUS, 1), 0u);
    EXPECT_EQ(r.transport.driver_features(), 0u);
    EXPECT_EQ(r.rd(DEVICE_FEATURE_SELECT, 4), 0u);
    EXPECT_EQ(r.rd(QUEUE_SELECT, 2), 0u);
    EXPECT_EQ(r.transport.isr(), 0u);
    r.wr(QUEUE_SELECT, 2, 1);
    EXPECT_EQ(r.rd(QUEUE_ENABLE, 2), 0u);
    EXPECT_EQ(r.rd(QUEUE_SIZE, 2), 16u);
    EXPECT_EQ(r.rd(QUEUE_DESC_LO, 4), 0u);
    EXPECT_EQ(r.rd(CONFIG_GENERATION, 1), generation);
}

TEST(VirtioPciStatus, MsixRegistersSayNoVector)
{
    Rig r;
    EXPECT_EQ(r.rd(MSIX_CONFIG, 2), NO_VECTOR);
    r.wr(MSIX_CONFIG, 2, 0);
    EXPECT_EQ(r.rd(MSIX_CONFIG, 2), NO_VECTOR);
    r.wr(QUEUE_SELECT, 2, 0);
    r.wr(QUEUE_MSIX_VECTOR, 2, 1);
    EXPECT_EQ(r.rd(QUEUE_MSIX_VECTOR, 2), NO_VECTOR);
}

// ---- queues ------------------------------------------------------------------------------------

TEST(VirtioPciQueue, RegistersPerQueue)
{
    Rig r;
    EXPECT_EQ(r.rd(NUM_QUEUES, 2), 3u);
    for (u32 q = 0; q < 3; q++) {
        r.wr(QUEUE_SELECT, 2, q);
        EXPECT_EQ(r.rd(QUEUE_SIZE, 2), 16u);
        EXPECT_EQ(r.rd(QUEUE_NOTIFY_OFF, 2), q);
        EXPECT_EQ(r.rd(QUEUE_ENABLE, 2), 0u);
        r.wr(QUEUE_DESC_LO, 4, 0x1000 * (q + 1));
        r.wr(QUEUE_DESC_HI, 4, q);
    }
    for (u32 q = 0; q < 3; q++) {
        r.wr(QUEUE_SELECT, 2, q);
        EXPECT_EQ(r.rd(QUEUE_DESC_LO, 4), 0x1000 * (q + 1));
        EXPECT_EQ(r.rd(QUEUE_DESC_HI, 4), q);
        EXPECT_EQ(r.transport.queue(q).desc_gpa, (u64{q} << 32) | (0x1000 * (q + 1)));
    }
    // queue_notify_off is read-only.
    r.wr(QUEUE_NOTIFY_OFF, 2, 9);
    EXPECT_EQ(r.rd(QUEUE_NOTIFY_OFF, 2), 2u);
}

TEST(VirtioPciQueue, SelectBeyondNumQueuesReadsZeroAndIgnoresWrites)
{
    Rig r;
    for (u32 q : {3u, 7u, 8u, 0xFFFFu}) {
        r.wr(QUEUE_SELECT, 2, q);
        EXPECT_EQ(r.rd(QUEUE_SELECT, 2), q);
        EXPECT_EQ(r.rd(QUEUE_SIZE, 2), 0u);
        EXPECT_EQ(r.rd(QUEUE_ENABLE, 2), 0u);
        r.wr(QUEUE_SIZE, 2, 4);
        r.wr(QUEUE_DESC_LO, 4, 0x1000);
        r.wr(QUEUE_ENABLE, 2, 1);
        EXPECT_EQ(r.rd(QUEUE_SIZE, 2), 0u);
        EXPECT_EQ(r.rd(QUEUE_DESC_LO, 4), 0u);
        EXPECT_EQ(r.rd(QUEUE_ENABLE, 2), 0u);
    }
    // Queue 0 was not touched.
    EXPECT_EQ(r.transport.queue(0).desc_gpa, 0u);
    EXPECT_FALSE(r.transport.queue(0).enabled());
}

TEST(VirtioPciQueue, EnableAGoodRing)
{
    Rig r;
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1));
    EXPECT_EQ(r.setup_queue(2, 8), "(null)");
    EXPECT_EQ(r.rd(QUEUE_ENABLE, 2), 1u);
    EXPECT_EQ(r.rd(QUEUE_SIZE, 2), 8u);
    EXPECT_TRUE(r.transport.queue(2).enabled());
    // While enabled, its registers do not move, and 0 does not disable.
    r.wr(QUEUE_SIZE, 2, 4);
    r.wr(QUEUE_DESC_LO, 4, 0x5000);
    r.wr(QUEUE_ENABLE, 2, 0);
    EXPECT_EQ(r.rd(QUEUE_SIZE, 2), 8u);
    EXPECT_EQ(r.rd(QUEUE_DESC_LO, 4), r.desc(2));
    EXPECT_EQ(r.rd(QUEUE_ENABLE, 2), 1u);
}

TEST(VirtioPciQueue, EnablingABadRingIsAGuestError)
{
    Rig r;
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1));
    r.wr(QUEUE_SELECT, 2, 0);
    r.wr(QUEUE_SIZE, 2, 8);
    r.wr(QUEUE_DESC_LO, 4, rig::MEM - 64); // 128 bytes of descriptors do not fit
    r.wr(QUEUE_DRIVER_LO, 4, 0x3000);
    r.wr(QUEUE_DEVICE_LO, 4, 0x4000);
    EXPECT_EQ(r.wr_error(QUEUE_ENABLE, 2, 1), "queue 0: descriptor table at 0xfffc0 +128 is outside guest memory");
    EXPECT_EQ(r.rd(QUEUE_ENABLE, 2), 0u);
    r.wr(QUEUE_DESC_LO, 4, 0x2000);
    r.wr(QUEUE_DESC_HI, 4, 1); // above 4 GiB
    EXPECT_EQ(r.wr_error(QUEUE_ENABLE, 2, 1), "queue 0: descriptor table at 0x100002000 +128 is outside guest memory");
    r.wr(QUEUE_DESC_HI, 4, 0);
    r.wr(QUEUE_SIZE, 2, 6);
    EXPECT_EQ(r.wr_error(QUEUE_ENABLE, 2, 1), "queue 0: size 6 is not a power of two");
    r.wr(QUEUE_SIZE, 2, 32);
    EXPECT_EQ(r.wr_error(QUEUE_ENABLE, 2, 1), "queue 0: size 32 is larger than the device maximum 16");
    r.wr(QUEUE_SIZE, 2, 8);
    r.wr(QUEUE_DEVICE_LO, 4, 0x4002);
    EXPECT_EQ(r.wr_error(QUEUE_ENABLE, 2, 1), "queue 0: used ring at 0x4002 is not 4-byte aligned");
    r.wr(QUEUE_DEVICE_LO, 4, 0x4000);
    EXPECT_EQ(r.wr_error(QUEUE_ENABLE, 2, 1), "(null)");
}

// ---- notify ------------------------------------------------------------------------------------

TEST(VirtioPciNotify, ReachesTheDeviceForEnabledQueues)
{
    Rig r;
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1));
    ASSERT_EQ(r.setup_queue(1, 8), "(null)");
    r.driver_ok();
    EXPECT_EQ(r.notify_offset(1), 0x82u);
    EXPECT_EQ(r.notify(1), "(null)");
    EXPECT_EQ(r.notify(0), "(null)"); // not enabled: nothing
    EXPECT_EQ(r.notify(2), "(null)");
    ASSERT_EQ(r.dev().notified.size(), 1u);
    EXPECT_EQ(r.dev().notified[0], 1u);
    EXPECT_EQ(r.rd(0x82, 2), 0u);
    r.dev().notify_error = "queue 1: a reason";
    EXPECT_EQ(r.notify(1), "queue 1: a reason");
}

TEST(VirtioPciNotify, OnlyTwoByteAccessesOnTheirOwnSlot)
{
    Rig r;
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1));
    ASSERT_EQ(r.setup_queue(0, 8), "(null)");
    EXPECT_EQ(r.wr_error(0x80, 1, 0), "BAR0: 1-byte write at 0x80: notify takes 2-byte accesses");
    EXPECT_EQ(r.wr_error(0x80, 4, 0), "BAR0: 4-byte write at 0x80: notify takes 2-byte accesses");
    EXPECT_EQ(r.wr_error(0x81, 2, 0), "BAR0: 2-byte write at 0x81: notify takes 2-byte accesses");
    EXPECT_EQ(r.wr_error(0x85, 2, 0), "BAR0: 2-byte write at 0x85 straddles the notify (0x80 +6)");
    EXPECT_TRUE(r.dev().notified.empty());
    // Just past the last queue's slot is padding.
    EXPECT_EQ(r.wr_error(0x86, 2, 0), "(null)");
    EXPECT_TRUE(r.dev().notified.empty());
}

// ---- ISR and interrupts ---------------------------------------------------------------------

TEST(VirtioPciIsr, ReadReturnsAndClears)
{
    Rig r;
    EXPECT_EQ(r.rd(ISR_CFG_OFFSET, 1), 0u);
    r.transport.signal_used();
    EXPECT_EQ(r.irqs, std::vector<u32>{rig::IRQ});
    EXPECT_EQ(r.cfg_read(pci::STATUS, 2) & pci::STATUS_INTERRUPT, pci::STATUS_INTERRUPT);
    r.transport.signal_config_change();
    EXPECT_EQ(r.irqs.size(), 2u);
    EXPECT_EQ(r.rd(ISR_CFG_OFFSET, 1), 3u);
    EXPECT_EQ(r.rd(ISR_CFG_OFFSET, 1), 0u);
    EXPECT_EQ(r.cfg_read(pci::STATUS, 2) & pci::STATUS_INTERRUPT, 0u);
    // Writes are ignored; other widths are guest errors.
    r.transport.signal_used();
    r.wr(ISR_CFG_OFFSET, 1, 0);
    EXPECT_EQ(r.transport.isr(), ISR_QUEUE);
    EXPECT_EQ(r.rd_error(ISR_CFG_OFFSET, 4), "BAR0: 4-byte read at 0x40 straddles the ISR (0x40 +1)");
    EXPECT_EQ(r.transport.isr(), ISR_QUEUE);
}

TEST(VirtioPciIsr, IntxDisableHoldsTheInterruptBack)
{
    Rig r;
    u32 command = r.cfg_read(pci::COMMAND, 2);
    r.cfg_write(pci::COMMAND, 2, command | pci::COMMAND_INTX_DISABLE);
    r.transport.signal_used();
    EXPECT_TRUE(r.irqs.empty());
    r.cfg_write(pci::COMMAND, 2, command);
    EXPECT_EQ(r.irqs, std::vector<u32>{rig::IRQ});
}

TEST(VirtioPciIsr, TheHostsLineWhateverTheGuestWritesThere)
{
    Rig r;
    r.cfg_write(pci::INTERRUPT_LINE, 1, 9);
    EXPECT_EQ(r.cfg_read(pci::INTERRUPT_LINE, 1), 9u);
    r.transport.signal_used();
    EXPECT_EQ(r.irqs, std::vector<u32>{rig::IRQ});
}

// ---- device configuration ----------------------------------------------------------------------

TEST(VirtioPciDeviceConfig, AnyWidthInside)
{
    Rig r;
    EXPECT_EQ(r.rd(0x100, 4), 0x04030201u);
    EXPECT_EQ(r.rd(0x101, 2), 0x0302u);
    EXPECT_EQ(r.rd(0x107, 1), 8u);
    r.wr(0x104, 4, 0xDDCCBBAA);
    EXPECT_EQ(r.rd(0x106, 2), 0xDDCCu);
    EXPECT_EQ(r.rd_error(0x106, 4), "BAR0: 4-byte read at 0x106 straddles the device configuration (0x100 +8)");
    EXPECT_EQ(r.rd_error(0xFE, 4), "BAR0: 4-byte read at 0xfe straddles the device configuration (0x100 +8)");
    EXPECT_EQ(r.rd(0x108, 4), 0u); // padding after it
}

// ---- the PCI_CFG window ---------------------------------------------------------------------------

TEST(VirtioPciWindow, ReadsAndWritesBarRegisters)
{
    Rig r;
    r.set_window(0, NUM_QUEUES, 2);
    EXPECT_EQ(r.window_read(), 3u);
    EXPECT_EQ(r.window_read(2), 3u);
    r.set_window(0, 0x104, 4);
    EXPECT_EQ(r.window_read(), 0x08070605u);
    EXPECT_EQ(r.window_write(0x44332211), nullptr);
    EXPECT_EQ(r.rd(0x104, 4), 0x44332211u);
    // The window's fields read back.
    EXPECT_EQ(r.cfg_read(CAP_PCI_CFG + CAP_OFFSET, 4), 0x104u);
    EXPECT_EQ(r.cfg_read(CAP_PCI_CFG + CAP_LENGTH, 4), 4u);
    EXPECT_EQ(r.cfg_read(CAP_PCI_CFG + CAP_BAR, 1), 0u);
}

TEST(VirtioPciWindow, WorksWithMemorySpaceOff)
{
    Rig r;
    r.cfg_write(pci::COMMAND, 2, 0);
    r.set_window(0, DEVICE_STATUS, 1);
    EXPECT_EQ(r.window_write(STATUS_ACKNOWLEDGE), nullptr);
    EXPECT_EQ(r.transport.device_status(), STATUS_ACKNOWLEDGE);
}

TEST(VirtioPciWindow, AByteWriteMergesThenWritesCapLengthBytes)
{
    Rig r;
    r.set_window(0, 0x100, 4);
    EXPECT_EQ(r.window_write(0, 4), nullptr);
    EXPECT_EQ(r.cfg_write(CAP_PCI_CFG + CAP_PCI_CFG_DATA + 1, 1, 0xAB), nullptr);
    EXPECT_EQ(r.rd(0x100, 4), 0x0000AB00u);
}

TEST(VirtioPciWindow, AnInvalidWindowDoesNoBarAccess)
{
    Rig r;
    r.transport.signal_used(); // something for a stray ISR read to clear
    r.set_window(0, 0, 0);     // the state after reset: length 0
    EXPECT_EQ(r.window_read(), 0u);
    for (auto w : {std::vector<u32>{1, 0x40, 1}, {0, 0x40, 3}, {0, 0x41, 2}, {0, 0x1000, 1}, {0, 0xFFC, 8},
                   {0, 0xFFFFFFFC, 4}}) {
        r.set_window(w[0], w[1], w[2]);
        EXPECT_EQ(r.window_write(0x5A), nullptr);
        EXPECT_EQ(r.window_read(), 0x5Au);
    }
    EXPECT_EQ(r.transport.isr(), ISR_QUEUE);
    EXPECT_EQ(r.transport.device_status(), 0u);
}

TEST(VirtioPciWindow, BarErrorsComeThrough)
{
    Rig r;
    r.set_window(0, DEVICE_STATUS, 4);
    EXPECT_EQ(str(r.window_write(1)), "common configuration: 4-byte write at 0x14 is not a whole field: device_status");
}

TEST(VirtioPciWindow, AWindowReadOfTheIsrClearsIt)
{
    Rig r;
    r.transport.signal_used();
    r.set_window(0, ISR_CFG_OFFSET, 1);
    EXPECT_EQ(r.window_read(1), 1u);
    EXPECT_EQ(r.transport.isr(), 0u);
}

// ---- hostile accesses ---------------------------------------------------------------------------

TEST(VirtioPciHostile, WidthsAndOffsetsOfTheCommonConfiguration)
{
    Rig r;
    EXPECT_EQ(r.rd_error(DEVICE_STATUS, 2),
              "common configuration: 2-byte read at 0x14 is not a whole field: device_status");
    EXPECT_EQ(r.wr_error(QUEUE_SELECT, 4, 0),
              "common configuration: 4-byte write at 0x16 is not a whole field: queue_select");
    EXPECT_EQ(r.rd_error(DEVICE_FEATURE + 2, 2),
              "common configuration: 2-byte read at 0x6 is not a whole field: device_feature");
    EXPECT_EQ(r.wr_error(QUEUE_DESC_LO, 2, 0),
              "common configuration: 2-byte write at 0x20 is not a whole field: queue_desc");
    EXPECT_EQ(r.rd_error(NUM_QUEUES, 1), "common configuration: 1-byte read at 0x12 is not a whole field: num_queues");
    EXPECT_EQ(r.rd_error(0x36, 4), "BAR0: 4-byte read at 0x36 straddles the common configuration (0x0 +56)");
    EXPECT_EQ(r.transport.device_status(), 0u);
}

TEST(VirtioPciHostile, BeyondTheBarAndBadSizes)
{
    Rig r;
    EXPECT_EQ(r.rd_error(0x1000, 1), "BAR0: 1-byte read at 0x1000 is beyond the BAR (4096 bytes)");
    EXPECT_EQ(r.wr_error(0xFFE, 4, 0), "BAR0: 4-byte write at 0xffe is beyond the BAR (4096 bytes)");
    EXPECT_EQ(r.rd_error(0xFFFFFFFF, 2), "BAR0: 2-byte read at 0xffffffff is beyond the BAR (4096 bytes)");
    EXPECT_EQ(r.rd_error(0, 3), "BAR0: 3-byte read at 0x0");
    EXPECT_EQ(r.wr_error(0, 8, 0), "BAR0: 8-byte write at 0x0");
    EXPECT_EQ(r.rd_error(0xFFC, 4), "(null)");
    EXPECT_EQ(r.rd(0xFFC, 4), 0u);
}

TEST(VirtioPciHostile, PaddingReadsZeroAndIgnoresWrites)
{
    Rig r;
    for (u32 offset : {0x38u, 0x3Cu, 0x44u, 0x7Cu, 0x90u, 0xFCu, 0x200u, 0xFF0u}) {
        EXPECT_EQ(r.rd(offset, 4), 0u) << offset;
        r.wr(offset, 4, 0xFFFFFFFF);
        EXPECT_EQ(r.rd(offset, 4), 0u) << offset;
    }
    EXPECT_EQ(r.rd(0x41, 1), 0u);
    EXPECT_EQ(r.transport.device_status(), 0u);
}

TEST(VirtioPciHostile, EveryOffsetAndWidthEndsInAnAnswer)
{
    // No access crashes or hangs, whatever its offset and width; each is a
    // value or a reason.  (Statuses and queues may change: that is the guest's
    // business.)
    Rig r;
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1));
    for (u32 size : {1u, 2u, 3u, 4u})
        for (u32 offset = 0; offset < BAR_SIZE + 8; offset++) {
            u32 v = 0;
            r.transport.mmio_read(offset, size, &v);
            if (offset != DEVICE_STATUS && offset != QUEUE_ENABLE) r.transport.mmio_write(offset, size, 0);
        }
    SUCCEED();
}
