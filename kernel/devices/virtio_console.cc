// kernel/devices/virtio_console.cc: the virtio console: emerg_wr, the
// transmit queue to the output callback, input into the receive queue.
#include "devices/virtio_console.h"

namespace virtio {

Console::Console(ConsoleOutput output, ConsoleInputReady input_ready, void* context)
    : Device(CONSOLE_DEVICE_ID, CONSOLE_PCI_CLASS, 1ull << CONSOLE_F_EMERG_WRITE, 2, CONSOLE_QUEUE_SIZE,
             CONSOLE_MAX_CHAIN_BYTES, CONSOLE_CONFIG_SIZE),
      output_(output), input_ready_(input_ready), context_(context)
{
}

const char* Console::read_config(u32 offset, u32 size, u32* value)
{
    // cols 0, rows 0, max_nr_ports 1, emerg_wr 0: only byte 4 is not zero.
    *value = offset <= CONSOLE_MAX_NR_PORTS && CONSOLE_MAX_NR_PORTS < offset + size
                 ? 1u << (8 * (CONSOLE_MAX_NR_PORTS - offset))
                 : 0;
    return nullptr;
}

const char* Console::write_config(u32 offset, u32, u32 value)
{
    if (offset == CONSOLE_EMERG_WR && output_) {
        u8 c = static_cast<u8>(value);
        output_(context_, &c, 1);
    }
    return nullptr;
}

const char* Console::queue_notified(u32 index)
{
    if (index == CONSOLE_TRANSMITQ) return transmit();
    if (index == CONSOLE_RECEIVEQ && input_ready_) input_ready_(context_);
    return nullptr;
}

const char* Console::driver_ready() { return transmit(); }

const char* Console::transmit()
{
    Virtqueue& q = transport()->queue(CONSOLE_TRANSMITQ);
    if (!q.enabled()) return nullptr;
    bool used = false;
    const char* error = nullptr;
    // At most one lap: a guest that keeps adding chains from another CPU
    // cannot keep the host here.
    for (u32 n = 0; n < q.size; n++) {
        if (!held_) {
            error = q.pop(held_chain_, held_segments_, CONSOLE_SEGMENTS);
            if (error || held_chain_.count == 0) break;
            held_ = true;
            held_segment_ = held_offset_ = 0;
        }
        for (; held_segment_ < held_chain_.readable; held_segment_++, held_offset_ = 0) {
            const Segment& s = held_segments_[held_segment_];
            u32 want = s.length - held_offset_;
            u32 took = output_ ? output_(context_, s.host + held_offset_, want) : want;
            held_offset_ += took;
            if (took < want) break;
        }
        if (held_segment_ < held_chain_.readable) break; // no room: the rest waits, the chain stays ours
        held_ = false;
        q.push_used(held_chain_.head, 0);
        used = true;
    }
    if (used && q.needs_interrupt()) transport()->signal_used();
    return error;
}

u32 Console::give_input(const u8* bytes, u32 length, const char** error)
{
    *error = nullptr;
    PciTransport* t = transport();
    if (!t || !t->driver_ok()) return 0;
    Virtqueue& q = t->queue(CONSOLE_RECEIVEQ);
    if (!q.enabled()) return 0;
    u32 taken = 0;
    bool used = false;
    for (u32 n = 0; n < q.size && taken < length; n++) {
        Segment segments[CONSOLE_SEGMENTS];
        Chain chain;
        *error = q.pop(chain, segments, CONSOLE_SEGMENTS);
        if (*error || chain.count == 0) break;
        if (chain.readable) {
            // Hand the chain back unused, then report: the guest dies anyway.
            q.push_used(chain.head, 0);
            used = true;
            *error = "queue 0: a receive buffer has a device-readable segment";
            break;
        }
        u32 written = 0;
        for (u32 i = 0; i < chain.count && taken < length; i++) {
            u32 room = segments[i].length, n_bytes = length - taken < room ? length - taken : room;
            for (u32 b = 0; b < n_bytes; b++) segments[i].host[b] = bytes[taken + b];
            taken += n_bytes;
            written += n_bytes;
        }
        q.push_used(chain.head, written);
        used = true;
    }
    if (used && q.needs_interrupt()) t->signal_used();
    return taken;
}

} // namespace virtio
