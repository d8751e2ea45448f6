// kernel/devices/virtio_pci.h: the modern (1.0) virtio PCI transport, device
// independent (Linux guests, section 3).  One PciTransport is one PCI
// function; a Device (console now, block and network later: one file each)
// plugs into it and sees only its queues, its configuration bytes and two
// signals.  Pure: unit-tested on the build machine
// (tests/unit/test_virtio_pci.cc).
//
// Configuration space: vendor 0x1AF4, device 0x1040 + virtio id, revision 1,
// subsystem vendor 0x1AF4 and subsystem id 0x40 + virtio id (1.0 asks for
// 0x40 or more), class from the device, header type 0, interrupt pin 0 and
// interrupt line the host's IRQ number (as lguest's launcher did: the guest
// uses the line as its IRQ), Capabilities List in the status register,
// capability pointer 0x40 and this chain of vendor capabilities (0x09):
//   0x40 COMMON_CFG  BAR0 0x000 +0x38
//   0x50 NOTIFY_CFG  BAR0 0x080 +2 per queue, notify_off_multiplier 2
//   0x64 ISR_CFG     BAR0 0x040 +1
//   0x74 DEVICE_CFG  BAR0 0x100 +the device's configuration size (no
//                    capability when it is 0)
//   0x84 PCI_CFG     the window: bar, offset and length writable, then
//                    pci_cfg_data
// Writable: command (Memory Space, Bus Master, INTx Disable), cache line
// size, latency timer, BAR0's address bits, the interrupt line (scratch: the
// transport raises the host's line whatever the guest writes there), the
// window's fields.  Status bit 3 (Interrupt Status) shows a pending ISR.
//
// BAR0: 4 KiB, 32-bit memory, at the host's address (see pci.h on moves).
// Register rules, for an access of `size` bytes at `offset`:
//   - size is 1, 2 or 4 and the access ends inside the BAR, else a guest
//     error; an access lies inside one region (common, ISR, notify, device)
//     or entirely in the padding between them, else a guest error.
//   - padding reads 0, writes are ignored.
//   - common configuration: each field at its own offset and its own width
//     (the 64-bit queue addresses as two 32-bit halves), else a guest error.
//     Writes to read-only fields (device_feature, num_queues,
//     config_generation, queue_notify_off) are ignored; so are writes to
//     msix_config and queue_msix_vector, which read 0xFFFF (NO_VECTOR:
//     no MSI-X).  device_feature reads 0 for a select other than 0 and 1;
//     driver_feature is kept for selects 0 and 1 until FEATURES_OK, other
//     writes are ignored.  With queue_select at or beyond num_queues every
//     queue register reads 0 and writes are ignored.  queue_size and the
//     queue addresses are ignored while the queue is enabled; queue_enable
//     takes 1 only (0 and other values are ignored), and enabling checks
//     the ring (Virtqueue::enable): a bad one is a guest error.
//   - device_status: 0 resets the device (status, features, selects, ISR,
//     every queue; config_generation keeps counting).  FEATURES_OK sticks
//     only when the driver's features are a subset of the offer and
//     include VERSION_1 (the driver reads the status back to learn it).
//     Setting DRIVER_OK tells the device (Device::driver_ready).  Other
//     values are stored as written.
//   - ISR: 1-byte reads return the bits and clear them; writes ignored.
//   - notify: 2-byte accesses at 0x080 + 2 * queue; a write notifies that
//     queue (the value is not looked at) if it exists and is enabled;
//     reads return 0.
//   - device configuration: any width at any offset inside it, to the
//     Device.
//
// Interrupts: INTx only.  When the ISR gains a bit the transport calls
// raise_irq(context, line) unless INTx Disable is set; clearing INTx Disable
// with a bit pending raises it then.
//
// Errors: functions that can fail return nullptr or a short reason for the
// guest's kill message, valid until the next call.
#pragma once
#include "devices/pci.h"
#include "devices/virtqueue.h"
#include "lib/types.h"

namespace virtio {

constexpr u16 PCI_VENDOR_ID = 0x1AF4;
constexpr u16 PCI_DEVICE_ID_BASE = 0x1040; // + virtio device id
constexpr u32 MAX_QUEUES = 8;

// BAR0's layout.
constexpr u32 BAR_SIZE = 4096;
constexpr u32 COMMON_CFG_OFFSET = 0x000, COMMON_CFG_LENGTH = 0x38;
constexpr u32 ISR_CFG_OFFSET = 0x040, ISR_CFG_LENGTH = 1;
constexpr u32 NOTIFY_CFG_OFFSET = 0x080, NOTIFY_OFF_MULTIPLIER = 2;
constexpr u32 DEVICE_CFG_OFFSET = 0x100, MAX_DEVICE_CFG_LENGTH = BAR_SIZE - DEVICE_CFG_OFFSET;

// Capabilities in configuration space, and their fields (struct
// virtio_pci_cap: vndr, next, len, cfg_type, bar, padding[3], offset,
// length; then notify_off_multiplier or pci_cfg_data).
constexpr u32 CAP_COMMON = 0x40, CAP_NOTIFY = 0x50, CAP_ISR = 0x64, CAP_DEVICE = 0x74, CAP_PCI_CFG = 0x84;
constexpr u32 CAP_VNDR = 0, CAP_NEXT = 1, CAP_LEN = 2, CAP_CFG_TYPE = 3, CAP_BAR = 4, CAP_OFFSET = 8,
              CAP_LENGTH = 12, CAP_NOTIFY_OFF_MULTIPLIER = 16, CAP_PCI_CFG_DATA = 16;
constexpr u8 CFG_TYPE_COMMON = 1, CFG_TYPE_NOTIFY = 2, CFG_TYPE_ISR = 3, CFG_TYPE_DEVICE = 4, CFG_TYPE_PCI = 5;

// Common configuration (struct virtio_pci_common_cfg).
constexpr u32 DEVICE_FEATURE_SELECT = 0x00, DEVICE_FEATURE = 0x04, DRIVER_FEATURE_SELECT = 0x08,
              DRIVER_FEATURE = 0x0C, MSIX_CONFIG = 0x10, NUM_QUEUES = 0x12, DEVICE_STATUS = 0x14,
              CONFIG_GENERATION = 0x15, QUEUE_SELECT = 0x16, QUEUE_SIZE = 0x18, QUEUE_MSIX_VECTOR = 0x1A,
              QUEUE_ENABLE = 0x1C, QUEUE_NOTIFY_OFF = 0x1E, QUEUE_DESC_LO = 0x20, QUEUE_DESC_HI = 0x24,
              QUEUE_DRIVER_LO = 0x28, QUEUE_DRIVER_HI = 0x2C, QUEUE_DEVICE_LO = 0x30, QUEUE_DEVICE_HI = 0x34;

constexpr u8 STATUS_ACKNOWLEDGE = 1, STATUS_DRIVER = 2, STATUS_DRIVER_OK = 4, STATUS_FEATURES_OK = 8,
             STATUS_NEEDS_RESET = 0x40, STATUS_FAILED = 0x80;
constexpr u64 FEATURE_VERSION_1 = 1ull << 32;
constexpr u16 NO_VECTOR = 0xFFFF;
constexpr u8 ISR_QUEUE = 1, ISR_CONFIG = 2;

using RaiseIrq = void (*)(void* context, u32 irq);

class PciTransport;

// What a device type is and does.  A subclass passes its fixed description
// to the constructor and overrides the hooks it needs; it reaches its queues
// and signals through transport().
class Device {
public:
    const u16 id;               // virtio device id (3: console)
    const u32 pci_class;        // PCI class code, 24 bits
    const u64 features;         // offered besides VERSION_1 (which is always)
    const u32 queue_count;      // 1 to MAX_QUEUES
    const u32 queue_size;       // each queue's maximum: a power of two <= 32768
    const u32 max_chain_bytes;  // longest chain a queue accepts
    const u32 config_size;      // bytes of device configuration, <= MAX_DEVICE_CFG_LENGTH

    // The device configuration: an access of `size` (1, 2 or 4) bytes at
    // `offset`, inside config_size.  Default: reads 0, writes ignored.
    virtual const char* read_config(u32 offset, u32 size, u32* value);
    virtual const char* write_config(u32 offset, u32 size, u32 value);
    // The driver notified enabled queue `index`.  Default: nothing.
    virtual const char* queue_notified(u32 index);
    // The driver set DRIVER_OK.  Default: nothing.
    virtual const char* driver_ready();
    // Device reset (device_status 0), after the transport reset its part.
    virtual void reset();

    PciTransport* transport() const { return transport_; }

protected:
    Device(u16 id_, u32 pci_class_, u64 features_, u32 queue_count_, u32 queue_size_, u32 max_chain_bytes_,
           u32 config_size_);
    ~Device() = default;

private:
    friend class PciTransport;
    PciTransport* transport_ = nullptr;
};

class PciTransport : public pci::Function {
public:
    PciTransport() = default;
    PciTransport(const PciTransport&) = delete;
    PciTransport& operator=(const PciTransport&) = delete;

    // Binds `dev` (which must outlive the transport), the guest's memory,
    // BAR0 at bar_base (4 KiB-aligned, not 0) and the IRQ `line` (written
    // into the interrupt line register; raised through `raise_irq`).
    // False, and nothing set up, if the device's description or bar_base
    // is unusable.
    bool init(Device& dev, GuestMemoryView memory, u32 bar_base, u8 line, RaiseIrq raise_irq,
              void* raise_context);

    // The guest's `mov` on BAR0 at the host's placement, `bar_offset` bytes
    // in: reads all ones and drops writes while the BAR is not decoded
    // (Memory Space off, or BAR0 moved), otherwise the register rules above.
    const char* mmio_read(u32 bar_offset, u32 size, u32* value);
    const char* mmio_write(u32 bar_offset, u32 size, u32 value);

    // pci::Function: the PCI_CFG window, Interrupt Status, INTx Disable; and
    // BAR accesses routed by pci::Bus (which checked decoding already).
    const char* config_read(u32 offset, u32 size, u32* value) override;
    const char* config_write(u32 offset, u32 size, u32 value) override;
    const char* bar_read(u32 offset, u32 size, u32* value) override;
    const char* bar_write(u32 offset, u32 size, u32 value) override;

    // For the device: its queues (index < queue_count), and its two signals:
    // used buffers (ISR bit 0) and a configuration change (config_generation
    // moves on, ISR bit 1); each raises INTx.
    Virtqueue& queue(u32 index) { return queues_[index]; }
    void signal_used();
    void signal_config_change();

    // State, for devices, the integrator and the tests.
    u8 device_status() const { return status_; }
    bool driver_ok() const { return (status_ & STATUS_DRIVER_OK) && !(status_ & STATUS_FAILED); }
    u64 offered_features() const;
    u64 driver_features() const { return driver_features_; }
    u8 isr() const { return isr_; } // without clearing it
    u8 config_generation() const { return generation_; }
    u32 irq_line() const { return irq_line_; }
    Device* device() const { return device_; }

private:
    // An access at BAR0 `offset`, decoded or not (the window uses it).
    const char* bar_access(bool write, u32 offset, u32 size, u32* value);
    const char* common_read(u32 offset, u32 size, u32* value);
    const char* common_write(u32 offset, u32 size, u32 value);
    const char* write_status(u8 value);
    bool window_valid() const;
    void reset_device();
    void raise_intx();
    const char* fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

    Device* device_ = nullptr;
    Virtqueue queues_[MAX_QUEUES];
    RaiseIrq raise_ = nullptr;
    void* raise_context_ = nullptr;
    u32 irq_line_ = 0;
    u32 device_feature_select_ = 0, driver_feature_select_ = 0;
    u64 driver_features_ = 0;
    u16 queue_select_ = 0;
    u8 status_ = 0, generation_ = 0, isr_ = 0;
    char error_[128] = {};
};

} // namespace virtio
