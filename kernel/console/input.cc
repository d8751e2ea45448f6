// kernel/console/input.cc
#include "console/input.h"
#include "console/log.h"
#include "console/serial.h"

namespace console_input {
namespace {

u8 buffer[BUFFER_BYTES];
u32 head = 0, count = 0;  // a ring: `count` bytes from `head`
u32 presses = 0;
u32 dropped = 0;          // since the last report

} // namespace

void collect()
{
    u8 byte;
    for (u32 n = 0; n < 64 && serial::read_byte(&byte); n++) { // a FIFO's worth and more, bounded
        if (byte == FOCUS_KEY) {
            presses++;
            continue;
        }
        if (count == BUFFER_BYTES) {
            dropped++;
            continue;
        }
        buffer[(head + count) % BUFFER_BYTES] = byte;
        count++;
    }
    if (dropped && count < BUFFER_BYTES / 2) { // said once the flood is over, not per byte
        console::stable("console: input buffer full: %u typed bytes dropped", dropped);
        dropped = 0;
    }
}

u32 waiting() { return count; }

u32 peek(u8* out, u32 max)
{
    u32 n = max < count ? max : count;
    for (u32 i = 0; i < n; i++) out[i] = buffer[(head + i) % BUFFER_BYTES];
    return n;
}

void take(u32 n)
{
    if (n > count) n = count;
    head = (head + n) % BUFFER_BYTES;
    count -= n;
}

u32 focus_presses()
{
    u32 n = presses;
    presses = 0;
    return n;
}

} // namespace console_input
