// kernel/devices/pci.h: the guest's PCI bus 0 through configuration mechanism
// 1 (Linux guests, section 3).  Pure: unit-tested on the build machine
// (tests/unit/test_pci.cc).
//
// Ports.  0xCF8 is the address register, but only for a 32-bit access at
// 0xCF8 itself: it keeps bit 31 (enable) and bits 23-2 (bus, device,
// function, register) and reads back what was kept; bits 30-24 and 1-0 read
// 0.  0xCFC-0xCFF is the data window onto the dword the address names: an
// access of 1, 2 or 4 bytes at 0xCFC + k with k + size <= 4 reaches
// configuration bytes (register & 0xFC) + k onwards, lane for lane.  Every
// other access (another port, a byte or word at 0xCF8-0xCFB, a dword at
// 0xCFD that runs past 0xCFF) is not PCI: reads return all ones and writes
// are dropped, the I/O policy of the spec.
//
// Bus 0 only.  00:00.0 is a host bridge (8086:1237, class 0x060000); devices
// are function 0 of slots 1 to 31, from a table the host fills.  With the
// enable bit clear, on another bus, another function or an empty slot,
// reads return all ones and writes are dropped.
//
// A function's configuration space is 256 bytes with a per-byte mask of the
// bits the guest may write; writes merge under the mask, so read-only bits
// stay and BAR sizing works as on hardware (write all ones, read back the
// size mask, write the address back).
//
// BARs.  A function has at most one BAR, BAR0: 32-bit memory,
// non-prefetchable, its size a power of two of at least 16 bytes, placed
// by the host.  It stays where the host put it: the function decodes
// accesses to it only while Memory Space is enabled in the command register
// and BAR0 holds the host's address.  A guest that writes another address
// (a move) is not followed: its driver's accesses at the new place are not
// BAR accesses (the integrator treats them like any address outside guest
// memory), and accesses at the old place read all ones and drop writes, as
// a PC does when nothing decodes.  bar_moved() tells the integrator, for its
// reason.  BARs 1-5 and the expansion ROM read 0 (not implemented).
//
// Errors: a configuration access can fail only through a function's own
// registers (the virtio PCI_CFG window reaches its BAR): nullptr when all is
// well, else a short reason for the guest's kill message.
#pragma once
#include "lib/types.h"

namespace pci {

constexpr u16 CONFIG_ADDRESS_PORT = 0xCF8;
constexpr u16 CONFIG_DATA_PORT = 0xCFC;
constexpr u32 CONFIG_SPACE_SIZE = 256;
constexpr u32 SLOTS = 32; // devices 0-31 on bus 0; 0 is the host bridge

// Standard configuration registers (header type 0).
constexpr u32 VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, STATUS = 0x06, REVISION = 0x08,
              CLASS_CODE = 0x09, CACHE_LINE_SIZE = 0x0C, LATENCY_TIMER = 0x0D, HEADER_TYPE = 0x0E, BAR0 = 0x10,
              SUBSYSTEM_VENDOR_ID = 0x2C, SUBSYSTEM_ID = 0x2E, EXPANSION_ROM = 0x30, CAPABILITIES = 0x34,
              INTERRUPT_LINE = 0x3C, INTERRUPT_PIN = 0x3D;
constexpr u16 COMMAND_IO = 1, COMMAND_MEMORY = 2, COMMAND_MASTER = 4, COMMAND_INTX_DISABLE = 0x400;
constexpr u16 STATUS_INTERRUPT = 8, STATUS_CAPABILITIES = 0x10;
constexpr u8 CAP_ID_VENDOR = 0x09;

// One function's configuration space.  The base class is a plain register
// file; a device overrides the accessors for registers with side effects,
// and bar_read/bar_write for its BAR.
class Function {
public:
    // A configuration access from the guest: offset + size <= 256, size 1,
    // 2 or 4 (the bus guarantees both).  Writes merge under the write mask.
    virtual const char* config_read(u32 offset, u32 size, u32* value);
    virtual const char* config_write(u32 offset, u32 size, u32 value);

    // An access to BAR0 at the host's placement, `offset` from its base
    // (offset + size <= bar_size(), size 1, 2 or 4).  The base class
    // answers all ones and drops writes.
    virtual const char* bar_read(u32 offset, u32 size, u32* value);
    virtual const char* bar_write(u32 offset, u32 size, u32 value);

    // Host-side set-up, ignoring the write mask: the register's value, and
    // which of its bits the guest may write.
    void set(u32 offset, u32 size, u32 value);
    void set_writable(u32 offset, u32 size, u32 mask);
    // The raw register, for the host and the tests (no side effects).
    u32 get(u32 offset, u32 size) const;

    // Gives the function BAR0 at `base` (aligned to `size`, a power of two
    // >= 16): the register holds base, its address bits are writable.
    // Memory Space starts enabled, as firmware would leave it.
    void set_bar0(u32 base, u32 size);
    u32 bar_base() const { return bar_base_; }
    u32 bar_size() const { return bar_size_; }
    // Whether accesses at [bar_base, bar_base + bar_size) reach the function.
    bool bar_decoded() const;
    // The guest wrote an address other than the host's into BAR0 (and not
    // the all-ones of sizing).
    bool bar_moved() const;

protected:
    Function() = default;
    ~Function() = default;
    u8 space_[CONFIG_SPACE_SIZE] = {};
    u8 writable_[CONFIG_SPACE_SIZE] = {};
    u32 bar_base_ = 0, bar_size_ = 0;
};

// 00:00.0: read-only identification, class host bridge.
class HostBridge : public Function {
public:
    HostBridge();
};

class Bus {
public:
    Bus() = default;
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    // Puts `function` at 00:slot.0 (slot 1-31, free); false otherwise.
    bool attach(u32 slot, Function* function);
    Function* function(u32 slot) const { return slot < SLOTS ? slots_[slot] : nullptr; }

    // `in` and `out` of `size` bytes (1, 2 or 4) at `port`: any port.
    const char* io_read(u16 port, u32 size, u32* value);
    const char* io_write(u16 port, u32 size, u32 value);

    // The BAR whose host placement holds guest-physical `gpa`, for the #PF
    // path: the function (nullptr: none) and the offset in its BAR.
    Function* bar_at(u32 gpa, u32* offset) const;
    // An access of `size` bytes (1, 2 or 4) at `gpa` inside one BAR: all
    // ones / dropped while the function does not decode it; a reason if no
    // BAR holds the whole access.
    const char* mmio_read(u32 gpa, u32 size, u32* value);
    const char* mmio_write(u32 gpa, u32 size, u32 value);

    u32 address() const { return address_; }

private:
    // The function the address register names, with the dword's offset.
    Function* addressed(u32* dword_offset) const;

    HostBridge bridge_;
    Function* slots_[SLOTS] = {&bridge_};
    u32 address_ = 0;
    char error_[96] = {};
};

} // namespace pci
