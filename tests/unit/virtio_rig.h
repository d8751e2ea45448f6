// tests/unit/virtio_rig.h: a guest for the virtio PCI tests: a host buffer
// that plays guest memory, a bus with the device at 00:01.0, configuration
// and MMIO accesses the way Linux 4.9 makes them, and a driver that sets up
// split rings in that memory.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "devices/pci.h"
#include "devices/virtio_pci.h"

namespace rig {

using namespace virtio;

constexpr u32 MEM = 1u << 20;           // 1 MiB of guest memory
constexpr u32 BAR = 0x00100000;          // BAR0 right above it
constexpr u8 IRQ = 1;
constexpr u32 SLOT = 1;

// Ring areas per queue: queue q's descriptors at RINGS + q * 0x4000,
// available ring + 0x1000, used ring + 0x2000; buffers from BUFFERS.
constexpr u32 RINGS = 0x10000, BUFFERS = 0x80000;

inline std::string str(const char* s) { return s ? s : "(null)"; }

struct Guest {
    std::unique_ptr<u8[]> storage{new u8[MEM + 4096]()};
    u8* mem = storage.get() + (4096 - reinterpret_cast<uintptr_t>(storage.get()) % 4096) % 4096;
    pci::Bus bus;
    PciTransport transport;
    std::vector<u32> irqs; // every raise_irq
    u16 avail_idx[MAX_QUEUES] = {};
    u32 queue_size[MAX_QUEUES] = {};

    static void raise(void* context, u32 irq) { static_cast<Guest*>(context)->irqs.push_back(irq); }

    explicit Guest(Device& device)
    {
        EXPECT_TRUE(transport.init(device, GuestMemoryView{mem, MEM}, BAR, IRQ, raise, this));
        EXPECT_TRUE(bus.attach(SLOT, &transport));
    }

    // ---- configuration space through 0xCF8/0xCFC ----
    u32 cfg_read(u32 reg, u32 size, u32 device = SLOT)
    {
        EXPECT_EQ(bus.io_write(0xCF8, 4, 0x80000000u | device << 11 | (reg & 0xFC)), nullptr);
        u32 v = 0;
        const char* error = bus.io_read(static_cast<u16>(0xCFC + (reg & 3)), size, &v);
        EXPECT_EQ(error, nullptr) << error;
        return v;
    }
    const char* cfg_write(u32 reg, u32 size, u32 value, u32 device = SLOT)
    {
        EXPECT_EQ(bus.io_write(0xCF8, 4, 0x80000000u | device << 11 | (reg & 0xFC)), nullptr);
        return bus.io_write(static_cast<u16>(0xCFC + (reg & 3)), size, value);
    }

    // ---- BAR0 through the bus (the #PF path) ----
    u32 rd(u32 offset, u32 size)
    {
        u32 v = 0;
        const char* error = bus.mmio_read(BAR + offset, size, &v);
        EXPECT_EQ(error, nullptr) << error;
        return v;
    }
    void wr(u32 offset, u32 size, u32 value)
    {
        const char* error = bus.mmio_write(BAR + offset, size, value);
        EXPECT_EQ(error, nullptr) << error;
    }
    std::string rd_error(u32 offset, u32 size)
    {
        u32 v = 0;
        return str(transport.mmio_read(offset, size, &v));
    }
    std::string wr_error(u32 offset, u32 size, u32 value) { return str(transport.mmio_write(offset, size, value)); }

    // ---- memory ----
    void put16(u32 gpa, u16 v) { std::memcpy(mem + gpa, &v, 2); }
    void put32(u32 gpa, u32 v) { std::memcpy(mem + gpa, &v, 4); }
    void put64(u32 gpa, u64 v) { std::memcpy(mem + gpa, &v, 8); }
    u16 get16(u32 gpa) const { u16 v; std::memcpy(&v, mem + gpa, 2); return v; }
    u32 get32(u32 gpa) const { u32 v; std::memcpy(&v, mem + gpa, 4); return v; }

    // ---- the driver, as virtio_pci_modern.c does it ----
    void reset() { wr(DEVICE_STATUS, 1, 0); }
    // Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; true if it stuck.
    bool negotiate(u64 features)
    {
        reset();
        EXPECT_EQ(rd(DEVICE_STATUS, 1), 0u);
        wr(DEVICE_STATUS, 1, STATUS_ACKNOWLEDGE);
        wr(DEVICE_STATUS, 1, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        wr(DRIVER_FEATURE_SELECT, 4, 0);
        wr(DRIVER_FEATURE, 4, static_cast<u32>(features));
        wr(DRIVER_FEATURE_SELECT, 4, 1);
        wr(DRIVER_FEATURE, 4, static_cast<u32>(features >> 32));
        wr(DEVICE_STATUS, 1, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
        return rd(DEVICE_STATUS, 1) & STATUS_FEATURES_OK;
    }
    u32 desc(u32 q) const { return RINGS + q * 0x4000; }
    u32 avail(u32 q) const { return desc(q) + 0x1000; }
    u32 used(u32 q) const { return desc(q) + 0x2000; }
    // Selects queue q, writes its size and rings, enables it: the reason.
    std::string setup_queue(u32 q, u32 size)
    {
        wr(QUEUE_SELECT, 2, q);
        EXPECT_GE(rd(QUEUE_SIZE, 2), size);
        EXPECT_EQ(rd(QUEUE_ENABLE, 2), 0u);
        wr(QUEUE_SIZE, 2, size);
        wr(QUEUE_DESC_LO, 4, desc(q));
        wr(QUEUE_DESC_HI, 4, 0);
        wr(QUEUE_DRIVER_LO, 4, avail(q));
        wr(QUEUE_DRIVER_HI, 4, 0);
        wr(QUEUE_DEVICE_LO, 4, used(q));
        wr(QUEUE_DEVICE_HI, 4, 0);
        queue_size[q] = size;
        avail_idx[q] = 0;
        return str(transport.mmio_write(QUEUE_ENABLE, 2, 1));
    }
    void driver_ok()
    {
        wr(DEVICE_STATUS, 1, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    }
    // Descriptor i of queue q.
    void put_desc(u32 q, u32 i, u64 addr, u32 len, u16 flags = 0, u16 next = 0)
    {
        u32 d = desc(q) + 16 * i;
        put64(d, addr);
        put32(d + 8, len);
        put16(d + 12, flags);
        put16(d + 14, next);
    }
    // Publishes chain `head` on queue q (without notifying).
    void offer(u32 q, u16 head)
    {
        put16(avail(q) + 4 + 2 * (avail_idx[q] % queue_size[q]), head);
        avail_idx[q]++;
        put16(avail(q) + 2, avail_idx[q]);
    }
    // The notify address of queue q, from queue_notify_off and the multiplier.
    u32 notify_offset(u32 q)
    {
        wr(QUEUE_SELECT, 2, q);
        u32 off = rd(QUEUE_NOTIFY_OFF, 2);
        u32 multiplier = cfg_read(CAP_NOTIFY + CAP_NOTIFY_OFF_MULTIPLIER, 4);
        return cfg_read(CAP_NOTIFY + CAP_OFFSET, 4) + off * multiplier;
    }
    std::string notify(u32 q) { return str(transport.mmio_write(notify_offset(q), 2, q)); }
    u16 used_idx(u32 q) const { return get16(used(q) + 2); }
    u32 used_id(u32 q, u32 slot) const { return get32(used(q) + 4 + 8 * slot); }
    u32 used_len(u32 q, u32 slot) const { return get32(used(q) + 8 + 8 * slot); }

    // ---- the PCI_CFG window, as Linux 4.9's lguest early console uses it ----
    void set_window(u32 bar, u32 offset, u32 length)
    {
        EXPECT_EQ(cfg_write(CAP_PCI_CFG + CAP_BAR, 1, bar), nullptr);
        EXPECT_EQ(cfg_write(CAP_PCI_CFG + CAP_LENGTH, 4, length), nullptr);
        EXPECT_EQ(cfg_write(CAP_PCI_CFG + CAP_OFFSET, 4, offset), nullptr);
    }
    const char* window_write(u32 value, u32 size = 4)
    {
        return cfg_write(CAP_PCI_CFG + CAP_PCI_CFG_DATA, size, value);
    }
    u32 window_read(u32 size = 4) { return cfg_read(CAP_PCI_CFG + CAP_PCI_CFG_DATA, size); }
};

} // namespace rig
