// kernel/vmm/guest_console.cc
#include "vmm/guest_console.h"
#include "arch/clock.h"
#include "console/log.h"

namespace {
u64 accepted = 0, emitted = 0;
}

u64 GuestConsole::bytes_accepted() { return accepted; }
u64 GuestConsole::bytes_emitted() { return emitted; }

u32 GuestConsole::escape(const u8* bytes, u32 length, char* out)
{
    u32 n = 0;
    for (u32 i = 0; i < length; i++) {
        u8 c = bytes[i];
        if ((c >= 0x20 && c < 0x7F && c != '\\') || c == '\t') {
            out[n++] = static_cast<char>(c);
        } else {
            const char* hex = "0123456789abcdef";
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
    return n;
}

namespace {
// "[" NAME "] " text "\n": the longest a line can be on the wire.
constexpr u32 NAME_MAX = 15, LINE_BYTES_MAX = NAME_MAX + 3 + GuestConsole::LINE_MAX * 4 + 1;
static_assert(LINE_BYTES_MAX <= console::GUEST_SHARE, "a whole line always fits in a share");
} // namespace

bool GuestConsole::emit(const char* name, bool force, bool newline)
{
    // A line that ends CR LF (Linux's console does) ends at the LF: the CR
    // is part of the line's end, not a byte to show.
    u32 shown = newline && length_ && line_[length_ - 1] == '\r' ? length_ - 1 : length_;
    char out[LINE_BYTES_MAX + 1];
    u32 n = 0;
    out[n++] = '[';
    for (u32 i = 0; name[i] && i < NAME_MAX; i++) out[n++] = name[i];
    out[n++] = ']';
    out[n++] = ' ';
    n += escape(line_, shown, out + n);
    out[n++] = '\n';
    if (!console::write_line(owner_, out, n, force)) return false;
    emitted += length_;
    length_ = 0;
    return true;
}

u32 GuestConsole::write(const char* name, const u8* bytes, u32 length)
{
    u32 i = 0;
    for (; i < length; i++) {
        if (bytes[i] == '\n') {
            if (!emit(name, false, true)) break; // this newline again, once there is room
            emitted++; // the newline itself is delivered as the line's end
            continue;
        }
        if (length_ == LINE_MAX && !emit(name, false, false)) break;
        line_[length_++] = bytes[i];
    }
    accepted += i;
    if (i) last_byte_ = clock::stamp();
    return i;
}

void GuestConsole::flush_if_quiet(const char* name, u64 now, u64 quiet)
{
    if (length_ && clock::stamp_to_ns(now - last_byte_) >= quiet) (void)emit(name, false, false);
}

bool GuestConsole::has_room() const { return console::accepts(owner_, LINE_BYTES_MAX); }

void GuestConsole::flush(const char* name)
{
    if (length_) (void)emit(name, true, false);
}
