// kernel/console/log.cc
#include "console/log.h"
#include "arch/pic.h"
#include "console/input.h"
#include "console/output_queue.h"
#include "console/serial.h"
#include "console/vga.h"

namespace console {
namespace {

bool quiet_mode = false;
u64 written = 0;

// Once guests run, every byte for the serial line goes through this queue
// (see output_queue.h for why); before, the host writes straight to the UART.
OutputQueue<QUEUE_BYTES, GUEST_SHARE, GUEST_OWNERS> queue;
bool queued = false;

// The most the UART is fed in one go from an interrupt or a tick: a bound on
// the time any one exit spends on the console (a real 16550 takes its 16
// FIFO bytes and stops us sooner; an emulated one may take them all at once).
constexpr u32 PUMP_BUDGET = 1024;

// Feeds the UART from the queue while it can take bytes, at most `budget`.
void feed(u32 budget)
{
    u8 chunk[16];
    while (budget && !queue.empty() && serial::transmitter_empty()) {
        u32 n = queue.pop(chunk, serial::fifo_depth() < budget ? serial::fifo_depth() : budget);
        for (u32 i = 0; i < n; i++) {
            serial::write_unchecked(chunk[i]);
            vga::write_byte(chunk[i]); // the mirror follows the wire: its scrolling costs too
        }
        budget -= n;
    }
    serial::set_transmit_interrupt(!queue.empty());
}

// Waits for the UART until `bytes` fit: only for the host's own lines (and a
// guest's last partial line at its end), which no guest can make unbounded.
void make_room(u32 bytes)
{
    for (u32 spins = 0; queue.room() < bytes && spins < 100000000; spins++) feed(PUMP_BUDGET);
    if (queue.room() < bytes) { // a wedged UART: drop the oldest bytes rather than hang
        u8 chunk[64];
        while (queue.room() < bytes) queue.pop(chunk, sizeof chunk);
    }
}

void put(u32 owner, const u8* bytes, u32 length)
{
    written += length;
    if (!queued) {
        for (u32 i = 0; i < length; i++) {
            serial::write_byte(bytes[i]);
            vga::write_byte(bytes[i]);
        }
        return;
    }
    if (queue.room() < length) make_room(length);
    queue.push(owner, bytes, length);
    serial::set_transmit_interrupt(true);
}

void sink(void*, char c)
{
    u8 byte = static_cast<u8>(c);
    put(GUEST_OWNERS, &byte, 1);
}

} // namespace

void init()
{
    serial::init();
    vga::init();
}

void start_queue()
{
    queued = true;
    serial::set_receive_interrupt(true);
    pic::unmask(serial::IRQ);
}

void pump() { feed(PUMP_BUDGET); }

void on_interrupt()
{
    serial::acknowledge();
    console_input::collect();
    feed(PUMP_BUDGET);
}

void flush()
{
    make_room(QUEUE_BYTES);
    serial::set_transmit_interrupt(false);
}

bool accepts(u32 owner, u32 length) { return queue.accepts(owner, length); }
u32 pending(u32 owner) { return queue.pending(owner); }

bool write_line(u32 owner, const char* bytes, u32 length, bool force)
{
    if (queued && !force && !queue.accepts(owner, length)) return false;
    put(owner, reinterpret_cast<const u8*>(bytes), length);
    return true;
}

void set_quiet(bool quiet) { quiet_mode = quiet; }
u64 bytes_written() { return written; }

void write(const char* bytes, usize length)
{
    for (usize i = 0; i < length; i++) sink(nullptr, bytes[i]);
}

void vprint(const char* fmt, va_list args) { vformat(sink, nullptr, fmt, args); }

void print(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vprint(fmt, args);
    va_end(args);
}

namespace {
void host_line(const char* fmt, va_list args)
{
    write("rung: ", 6);
    vprint(fmt, args);
    write("\n", 1);
}
} // namespace

void stable(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    host_line(fmt, args);
    va_end(args);
}

void info(const char* fmt, ...)
{
    if (quiet_mode) return;
    va_list args;
    va_start(args, fmt);
    host_line(fmt, args);
    va_end(args);
}

} // namespace console
