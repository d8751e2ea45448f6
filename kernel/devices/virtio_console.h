// kernel/devices/virtio_console.h: the virtio console (device id 3) on the
// PCI transport (Linux guests, section 3).  Pure: unit-tested on the build
// machine (tests/unit/test_virtio_console.cc).
//
// One port, no MULTIPORT and no SIZE: features VERSION_1 and EMERG_WRITE.
// Queue 0 is the receive queue, queue 1 the transmit queue, 64 entries each.
// Device configuration (12 bytes): cols (u16, 0), rows (u16, 0),
// max_nr_ports (u32, 1), emerg_wr (u32).
//
// Output.  A write of any width that starts at emerg_wr outputs its low
// byte; writes to the other bytes of emerg_wr, and to the other fields, are
// ignored; emerg_wr reads 0.  It works in any device state, negotiated or
// not: the guest's early console uses it through the PCI_CFG window before
// any driver binds.  The transmit queue is drained when the driver notifies
// it and when it sets DRIVER_OK: each chain's readable segments are output
// in order, its writable ones ignored, and it goes back used with length 0.
//
// Input.  give_input() fills the receive queue's buffers while the driver
// is ready (DRIVER_OK, queue 0 enabled): each chain's writable segments in
// order, then the chain goes back used with the bytes written.  A receive
// chain with a readable segment is a guest error.  A notify of the receive
// queue (the driver posted buffers) calls `input_ready`, so that whoever
// holds pending input can offer it again.
//
// A bad ring or chain in either queue is a guest error with the queue's
// reason.
#pragma once
#include "devices/virtio_pci.h"

namespace virtio {

constexpr u16 CONSOLE_DEVICE_ID = 3;
constexpr u32 CONSOLE_PCI_CLASS = 0x078000; // simple communication controller, other
constexpr u32 CONSOLE_F_SIZE = 0, CONSOLE_F_MULTIPORT = 1, CONSOLE_F_EMERG_WRITE = 2;
constexpr u32 CONSOLE_RECEIVEQ = 0, CONSOLE_TRANSMITQ = 1;
constexpr u32 CONSOLE_QUEUE_SIZE = 64;
constexpr u32 CONSOLE_MAX_CHAIN_BYTES = 64 * 1024;
constexpr u32 CONSOLE_SEGMENTS = 8; // per chain
// Device configuration (struct virtio_console_config).
constexpr u32 CONSOLE_COLS = 0, CONSOLE_ROWS = 2, CONSOLE_MAX_NR_PORTS = 4, CONSOLE_EMERG_WR = 8,
              CONSOLE_CONFIG_SIZE = 12;

// Returns how many of the bytes it took: fewer when the host's console has
// no room for them now.  The transmit queue then keeps the rest of that
// chain and goes on from there at the next notify or resume_output(); a
// byte written to emerg_wr is the caller's to make room for beforehand (it
// is an `out` or a `mov` the host can retry).
using ConsoleOutput = u32 (*)(void* context, const u8* bytes, u32 length);
using ConsoleInputReady = void (*)(void* context);

class Console : public Device {
public:
    // `output` gets every byte the guest writes; `input_ready` (may be
    // nullptr) is called when the guest posts receive buffers.  Both get
    // `context`.
    Console(ConsoleOutput output, ConsoleInputReady input_ready, void* context);

    // Offers `length` bytes of input: returns how many the guest's posted
    // receive buffers took (0 when it has none or is not ready: the caller
    // keeps the rest and offers them again later).  Raises the interrupt when
    // the guest wants one.  On a bad ring or chain, *error is the reason (the
    // guest should die) and the count is what was delivered before it;
    // otherwise *error is nullptr.
    u32 give_input(const u8* bytes, u32 length, const char** error);

    const char* read_config(u32 offset, u32 size, u32* value) override;
    const char* write_config(u32 offset, u32 size, u32 value) override;
    const char* queue_notified(u32 index) override;
    const char* driver_ready() override;
    void reset() override { held_ = false; } // a chain held across a reset is the old driver's

    // Goes on with the transmit queue where output stopped for want of room.
    const char* resume_output() { return transmit(); }
    bool output_held() const { return held_; }

private:
    const char* transmit();
    // The chain whose output was cut short: its readable segments from
    // segment held_segment_, byte held_offset_ on.
    bool held_ = false;
    Chain held_chain_;
    Segment held_segments_[CONSOLE_SEGMENTS];
    u32 held_segment_ = 0, held_offset_ = 0;

    ConsoleOutput output_;
    ConsoleInputReady input_ready_;
    void* context_;
};

} // namespace virtio
